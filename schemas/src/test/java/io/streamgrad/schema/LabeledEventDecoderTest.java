package io.streamgrad.schema;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;

/** The fast path decodes exactly what Avro's own reader decodes, and refuses what it refuses. */
class LabeledEventDecoderTest {
    private final LabeledEventDecoder decoder = new LabeledEventDecoder();

    /** Where {@link #minimal}'s features array starts: header, "m", "e", time 1 (a byte each). */
    private static final int ARRAY_START = 10 + 2 + 2 + 1;

    /** The bytes of an event with model "m", id "e", event time 1, and these features and label. */
    private byte[] minimal(List<Float> features, int label) {
        return serde.serialize(
                LabeledEvent.newBuilder()
                        .setModel("m")
                        .setEventId("e")
                        .setEventTime(1)
                        .setFeatures(features)
                        .setLabel(label)
                        .build());
    }

    private final AvroSerde<LabeledEvent> serde = AvroSerde.of(LabeledEvent.class);

    @Test
    void equalsAvrosOwnReaderOnRandomEvents() {
        SplittableRandom rng = new SplittableRandom(3);
        for (int i = 0; i < 2_000; i++) {
            int n = rng.nextInt(0, 300);
            List<Float> f = new ArrayList<>(n);
            for (int j = 0; j < n; j++) {
                // Every bit pattern, NaNs and infinities included: decoding must not change one.
                f.add(Float.intBitsToFloat(rng.nextInt()));
            }
            LabeledEvent e =
                    LabeledEvent.newBuilder()
                            .setModel("m-" + rng.nextInt(100) + "-ü")
                            .setEventId("id-" + i)
                            .setEventTime(rng.nextLong())
                            .setFeatures(f)
                            .setLabel(rng.nextBoolean() ? (Object) rng.nextInt() : rng.nextDouble())
                            .setSource(rng.nextBoolean() ? null : "src-" + i)
                            .build();
            LabeledEventDecoder.Event fast = decoder.decode(serde.serialize(e));
            LabeledEventDecoder.Event slow = LabeledEventDecoder.of(e);
            assertEquals(slow.model(), fast.model());
            assertEquals(slow.eventId(), fast.eventId());
            assertEquals(slow.eventTime(), fast.eventTime());
            assertEquals(slow.label(), fast.label());
            assertEquals(slow.source(), fast.source());
            int[] a = new int[n];
            int[] b = new int[n];
            for (int j = 0; j < n; j++) {
                a[j] = Float.floatToRawIntBits(slow.features()[j]);
                b[j] = Float.floatToRawIntBits(fast.features()[j]);
            }
            assertArrayEquals(a, b);
        }
    }

    @Test
    void readsArraysWrittenInBlocksWithByteSizes() throws Exception {
        // Avro's blocking encoder writes negative block counts followed by the block's byte size,
        // as writers buffering large arrays do; small buffers force several blocks.
        List<Float> f = new ArrayList<>();
        for (int j = 0; j < 1_000; j++) {
            f.add(j * 0.5f - 7f);
        }
        LabeledEvent e =
                LabeledEvent.newBuilder()
                        .setModel("m")
                        .setEventId("e")
                        .setEventTime(-5)
                        .setFeatures(f)
                        .setLabel(2.5)
                        .build();
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        byte[] header = Arrays.copyOf(serde.serialize(e), 10);
        out.write(header);
        org.apache.avro.io.BinaryEncoder enc =
                new org.apache.avro.io.EncoderFactory()
                        .configureBlockSize(64)
                        .blockingBinaryEncoder(out, null);
        new org.apache.avro.specific.SpecificDatumWriter<>(LabeledEvent.class).write(e, enc);
        enc.flush();
        byte[] blocked = out.toByteArray();
        // The blocked encoding differs from the plain one (so the test tests something).
        org.junit.jupiter.api.Assertions.assertFalse(Arrays.equals(serde.serialize(e), blocked));
        assertEquals(e, serde.deserialize(blocked));
        LabeledEventDecoder.Event d = decoder.decode(blocked);
        assertEquals(1_000, d.features().length);
        for (int j = 0; j < 1_000; j++) {
            assertEquals(j * 0.5f - 7f, d.features()[j]);
        }
        assertEquals(2.5, d.label());
        assertEquals(-5, d.eventTime());
    }

    @Test
    void aRepeatedModelKeyIsTheSameStringSoItsHashIsComputedOnce() {
        LabeledEvent.Builder b =
                LabeledEvent.newBuilder()
                        .setEventId("e")
                        .setEventTime(1)
                        .setFeatures(List.of(1f))
                        .setLabel(0);
        String first = decoder.decode(serde.serialize(b.setModel("churn-eu").build())).model();
        String again = decoder.decode(serde.serialize(b.setModel("churn-eu").build())).model();
        String other = decoder.decode(serde.serialize(b.setModel("churn-us").build())).model();
        org.junit.jupiter.api.Assertions.assertSame(first, again);
        assertEquals("churn-us", other);
        // Compared as UTF-8 bytes: a key outside ASCII repeats as the same String too, and so
        // does the source; a key of equal length that differs in one byte does not.
        b.setModel("zürich").setSource("feed-ö");
        LabeledEventDecoder.Event one = decoder.decode(serde.serialize(b.build()));
        LabeledEventDecoder.Event two = decoder.decode(serde.serialize(b.build()));
        org.junit.jupiter.api.Assertions.assertSame(one.model(), two.model());
        org.junit.jupiter.api.Assertions.assertSame(one.source(), two.source());
        assertEquals("zürich", two.model());
        assertEquals("feed-ö", two.source());
        assertEquals(
                "zürici", decoder.decode(serde.serialize(b.setModel("zürici").build())).model());
    }

    @Test
    void labelsAndBlockCountsAvroRefusesAreRefusedToo() {
        byte[] good = minimal(List.of(1f), 1);
        // The int label is the last but one byte (the source union index, 0 = null, is last):
        // rewritten as a six-byte varint, an int encoding Avro refuses.
        byte[] head = Arrays.copyOf(good, good.length - 2);
        byte[] longLabel = new byte[head.length + 7];
        System.arraycopy(head, 0, longLabel, 0, head.length);
        byte[] six = {(byte) 0x82, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x01};
        System.arraycopy(six, 0, longLabel, head.length, six.length);
        longLabel[longLabel.length - 1] = 0;
        assertThrows(AvroDecodeException.class, () -> serde.deserialize(longLabel));
        assertThrows(AvroDecodeException.class, () -> decoder.decode(longLabel));
        // A five-byte int whose value needs 33 bits: Avro keeps the low 32, and so does the reader.
        byte[] wide = Arrays.copyOf(longLabel, longLabel.length - 1);
        byte[] five = {(byte) 0x82, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x10};
        System.arraycopy(five, 0, wide, head.length, five.length);
        wide[wide.length - 1] = 0;
        assertEquals(serde.deserialize(wide).getLabel(), decoder.decode(wide).label());

        // A block count of Long.MIN_VALUE (negative: a byte size follows) is malformed.
        int arrayStart = ARRAY_START;
        byte[] minCount = {
            (byte) 0xFF,
            (byte) 0xFF,
            (byte) 0xFF,
            (byte) 0xFF,
            (byte) 0xFF,
            (byte) 0xFF,
            (byte) 0xFF,
            (byte) 0xFF,
            (byte) 0xFF,
            0x01,
            0x00
        };
        byte[] bad = new byte[arrayStart + minCount.length + 4];
        System.arraycopy(good, 0, bad, 0, arrayStart);
        System.arraycopy(minCount, 0, bad, arrayStart, minCount.length);
        assertThrows(AvroDecodeException.class, () -> decoder.decode(bad));
    }

    @Test
    void anEventOfAnEarlierVersionTakesTheResolvingPath() throws Exception {
        Schema v1 = AvroSerde.historyOf(LabeledEvent.getClassSchema().getFullName()).get(0);
        GenericRecord old = new GenericData.Record(v1);
        old.put("model", "legacy");
        old.put("event_id", "old-1");
        old.put("event_time", 42L);
        old.put("features", List.of(1f, 2f));
        old.put("label", 1);
        byte[] bytes =
                new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1).encode(old).array();
        LabeledEventDecoder.Event e = decoder.decode(bytes);
        assertEquals("legacy", e.model());
        assertArrayEquals(new float[] {1f, 2f}, e.features());
        assertEquals(1, e.label());
        assertNull(e.source());
    }

    @Test
    void malformedBytesAreRefusedWithAReason() {
        byte[] good = minimal(List.of(1f, 2f, 3f), 0);
        // Cut short: the header says current schema, the body ends inside the features.
        AvroDecodeException cut =
                assertThrows(
                        AvroDecodeException.class,
                        () -> decoder.decode(Arrays.copyOf(good, good.length - 6)));
        assertEquals(DeadLetterReason.UNDECODABLE, cut.reason());
        // A features array declaring more items than any record of ours holds: no allocation.
        byte[] huge = Arrays.copyOf(good, good.length);
        int arrayStart = ARRAY_START;
        byte[] big = {(byte) 0xFE, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F}; // 2^31-1
        byte[] withBig = new byte[huge.length + big.length - 1];
        System.arraycopy(huge, 0, withBig, 0, arrayStart);
        System.arraycopy(big, 0, withBig, arrayStart, big.length);
        System.arraycopy(
                huge,
                arrayStart + 1,
                withBig,
                arrayStart + big.length,
                huge.length - arrayStart - 1);
        assertThrows(AvroDecodeException.class, () -> decoder.decode(withBig));
        assertEquals(
                DeadLetterReason.UNDECODABLE,
                assertThrows(AvroDecodeException.class, () -> decoder.decode(new byte[3]))
                        .reason());
        assertThrows(AvroDecodeException.class, () -> decoder.decode(null));
    }
}
