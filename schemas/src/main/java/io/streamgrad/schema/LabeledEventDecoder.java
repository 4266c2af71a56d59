package io.streamgrad.schema;

import java.io.EOFException;
import java.io.IOException;
import java.io.Serializable;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.SchemaNormalization;

/**
 * Decodes {@link LabeledEvent}s straight into a float array. The generic path (Avro's specific
 * reader, {@link AvroSerde}) boxes every feature into a {@code List<Float>}: a quarter of the job's
 * time on small models. Records written with the current schema (the single-object header's
 * fingerprint says so) are read field by field in the schema's field order; records of an earlier
 * schema version take the generic path, which resolves them, and give the same result. The fast
 * path reads the bytes directly (Avro's {@code BinaryDecoder} reads a float at a time): each block
 * of features is one bulk copy out of a little-endian view, and a model key (or source) whose bytes
 * equal the previous record's is returned as the same String.
 *
 * <p>Not thread-safe (it keeps the previous record's strings); one per operator instance.
 * Serializable: its state is rebuilt lazily.
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
    // The previous record's strings: most records repeat them, and a reused String keeps its hash.
    private transient Repeated model;
    private transient Repeated source;

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
        if (model == null) {
            model = new Repeated();
            source = new Repeated();
        }
        Cursor in = new Cursor(bytes, HEADER);
        try {
            String model = this.model.read(in);
            String eventId = in.readString();
            long eventTime = in.readLong();
            float[] features = in.readFloats();
            Object label =
                    switch (in.readInt()) {
                        case 0 -> in.readDouble();
                        case 1 -> in.readInt();
                        default -> throw new IOException("label union branch out of range");
                    };
            String source =
                    switch (in.readInt()) {
                        case 0 -> null;
                        case 1 -> this.source.read(in);
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

    private static final VarHandle DOUBLE_LE =
            MethodHandles.byteArrayViewVarHandle(double[].class, ByteOrder.LITTLE_ENDIAN);

    /**
     * Avro's binary encoding (specification, "Binary Encoding") read from a byte array: zig-zag
     * varints for int and long, length-prefixed UTF-8 strings, little-endian IEEE 754 floats and
     * doubles, arrays as blocks of items ended by a zero count. Every length is checked against the
     * bytes left before anything is allocated.
     */
    private static final class Cursor {
        private final byte[] b;
        private int pos;

        Cursor(byte[] b, int pos) {
            this.b = b;
            this.pos = pos;
        }

        long readLong() throws IOException {
            long raw = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                need(1);
                byte x = b[pos++];
                raw |= (long) (x & 0x7F) << shift;
                if (x >= 0) {
                    return (raw >>> 1) ^ -(raw & 1);
                }
            }
            throw new IOException("invalid long encoding");
        }

        /** As Avro's readInt: at most five bytes, bits past 32 dropped. */
        int readInt() throws IOException {
            if (pos < b.length && b[pos] >= 0) {
                // One byte, as union indexes and small class labels are.
                int raw = b[pos++];
                return (raw >>> 1) ^ -(raw & 1);
            }
            int raw = 0;
            for (int shift = 0; shift < 35; shift += 7) {
                need(1);
                byte x = b[pos++];
                raw |= (x & 0x7F) << shift;
                if (x >= 0) {
                    return (raw >>> 1) ^ -(raw & 1);
                }
            }
            throw new IOException("invalid int encoding");
        }

        double readDouble() throws IOException {
            need(8);
            double d = (double) DOUBLE_LE.get(b, pos);
            pos += 8;
            return d;
        }

        /** The length of the string that follows, checked against the bytes left. */
        int readStringLength() throws IOException {
            long n = readLong();
            if (n < 0) {
                throw new IOException("negative string length " + n);
            }
            need(n);
            return (int) n;
        }

        String readString() throws IOException {
            int len = readStringLength();
            String s = new String(b, pos, len, StandardCharsets.UTF_8);
            pos += len;
            return s;
        }

        float[] readFloats() throws IOException {
            float[] out = new float[0];
            int filled = 0;
            for (long n = readLong(); n != 0; n = readLong()) {
                if (n < 0) {
                    n = -n;
                    readLong(); // a negative count is followed by the block's size in bytes
                    if (n <= 0) {
                        throw new IOException("malformed data: block count " + n);
                    }
                }
                if (filled + n > AvroSerde.MAX_COLLECTION_ITEMS) {
                    throw new IOException(
                            "the features array declares "
                                    + (filled + n)
                                    + " items, more than "
                                    + AvroSerde.MAX_COLLECTION_ITEMS);
                }
                need(4 * n);
                if (filled + n > out.length) {
                    // Doubling: many small blocks cost linear time, not quadratic.
                    out = Arrays.copyOf(out, (int) Math.max(filled + n, 2L * out.length));
                }
                // One bulk copy per block (a memory copy, byte-swapped only on big-endian
                // hardware), not a read per float: fast from the first record, before the JIT has
                // compiled this loop.
                ByteBuffer.wrap(b, pos, 4 * (int) n)
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .asFloatBuffer()
                        .get(out, filled, (int) n);
                filled += (int) n;
                pos += 4 * (int) n;
            }
            return filled == out.length ? out : Arrays.copyOf(out, filled);
        }

        private void need(long n) throws IOException {
            if (n > b.length - pos) {
                throw new EOFException("needs " + n + " more bytes at " + pos + " of " + b.length);
            }
        }
    }

    /**
     * A string field whose value usually repeats from record to record (the model key, the source):
     * its UTF-8 bytes are compared with the previous value's, and equal bytes return the previous
     * String itself.
     */
    private static final class Repeated {
        private String value;
        private byte[] utf8 = new byte[0];

        String read(Cursor in) throws IOException {
            int len = in.readStringLength();
            if (value == null || !sameBytes(in.b, in.pos, len)) {
                utf8 = Arrays.copyOfRange(in.b, in.pos, in.pos + len);
                value = new String(utf8, StandardCharsets.UTF_8);
            }
            in.pos += len;
            return value;
        }

        // A plain loop: these strings are short, and it is fast before the JIT compiles it too.
        private boolean sameBytes(byte[] b, int from, int len) {
            if (len != utf8.length) {
                return false;
            }
            for (int i = 0; i < len; i++) {
                if (b[from + i] != utf8[i]) {
                    return false;
                }
            }
            return true;
        }
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
