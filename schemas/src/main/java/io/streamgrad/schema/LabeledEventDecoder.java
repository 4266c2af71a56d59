package io.streamgrad.schema;

import java.io.IOException;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;

/**
 * Decodes {@link LabeledEvent}s straight into a float array. The generic path (Avro's specific
 * reader, {@link AvroSerde}) boxes every feature into a {@code List<Float>}: a quarter of the job's
 * time on small models. Records written with the current schema (the single-object header's
 * fingerprint says so) are read field by field with Avro's own {@link BinaryDecoder} in the
 * schema's field order; records of an earlier schema version take the generic path, which resolves
 * them, and give the same result.
 *
 * <p>Not thread-safe (it reuses its decoder); one per operator instance. Serializable: its state is
 * rebuilt lazily.
 */
public final class LabeledEventDecoder implements Serializable {
    private static final long serialVersionUID = 1L;

    /** A decoded event: the fields of {@link LabeledEvent}, features unboxed. */
    public record Event(
            String model,
            String eventId,
            long eventTime,
            float[] features,
            Object label,
            String source) {}

    /** Single-object encoding: marker C3 01, then the 8-byte fingerprint, little-endian. */
    private static final int HEADER = 10;

    private static final long CURRENT =
            SchemaNormalization.parsingFingerprint64(LabeledEvent.getClassSchema());

    private final AvroSerde<LabeledEvent> generic = AvroSerde.of(LabeledEvent.class);
    private transient BinaryDecoder decoder;

    /**
     * @throws AvroDecodeException for bytes that are not a LabeledEvent of a known schema version
     */
    public Event decode(byte[] bytes) {
        if (bytes == null
                || bytes.length < HEADER
                || bytes[0] != (byte) 0xC3
                || bytes[1] != 0x01
                || ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong()
                        != CURRENT) {
            return of(generic.deserialize(bytes)); // earlier versions, and the errors' wording
        }
        decoder = DecoderFactory.get().binaryDecoder(bytes, HEADER, bytes.length - HEADER, decoder);
        try {
            String model = decoder.readString();
            String eventId = decoder.readString();
            long eventTime = decoder.readLong();
            float[] features = readFloats();
            Object label =
                    switch (decoder.readIndex()) {
                        case 0 -> decoder.readDouble();
                        case 1 -> decoder.readInt();
                        default -> throw new IOException("label union branch out of range");
                    };
            String source =
                    switch (decoder.readIndex()) {
                        case 0 -> {
                            decoder.readNull();
                            yield null;
                        }
                        case 1 -> decoder.readString();
                        default -> throw new IOException("source union branch out of range");
                    };
            return new Event(model, eventId, eventTime, features, label, source);
        } catch (IOException | RuntimeException e) {
            throw new AvroDecodeException(
                    "cannot decode LabeledEvent ("
                            + bytes.length
                            + " bytes): "
                            + e.getClass().getSimpleName()
                            + ": "
                            + e.getMessage());
        }
    }

    /** An array of floats in Avro's blocked encoding, its declared sizes checked before use. */
    private float[] readFloats() throws IOException {
        long n = decoder.readArrayStart();
        float[] out = new float[0];
        int filled = 0;
        while (n != 0) {
            if (n < 0 || filled + n > AvroSerde.MAX_COLLECTION_ITEMS) {
                throw new IOException(
                        "the features array declares "
                                + (filled + n)
                                + " items, more than "
                                + AvroSerde.MAX_COLLECTION_ITEMS);
            }
            out =
                    out.length == 0
                            ? new float[(int) n]
                            : java.util.Arrays.copyOf(out, filled + (int) n);
            for (long i = 0; i < n; i++) {
                out[filled++] = decoder.readFloat();
            }
            n = decoder.arrayNext();
        }
        return out;
    }

    /** The same event from Avro's generic (specific-record) reader. */
    public static Event of(LabeledEvent e) {
        List<Float> f = e.getFeatures();
        float[] features = new float[f.size()];
        for (int i = 0; i < features.length; i++) {
            features[i] = f.get(i);
        }
        return new Event(
                e.getModel().toString(),
                e.getEventId().toString(),
                e.getEventTime(),
                features,
                e.getLabel(),
                e.getSource() == null ? null : e.getSource().toString());
    }
}
