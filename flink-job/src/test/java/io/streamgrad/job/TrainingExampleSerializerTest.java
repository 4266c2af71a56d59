package io.streamgrad.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamgrad.batch.TrainingExample;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/** The examples' compact stream serializer: round trips, copies, its layout and its snapshot. */
class TrainingExampleSerializerTest {

    private static List<TrainingExample> examples() {
        Random r = new Random(11);
        List<TrainingExample> list = new ArrayList<>();
        for (int d : new int[] {0, 1, 3, 100, 784, 5_000}) {
            float[] f = new float[d];
            for (int i = 0; i < d; i++) {
                f[i] = (float) r.nextGaussian();
            }
            if (d > 3) {
                // Bit patterns survive, NaN payload included.
                f[0] = Float.NaN;
                f[1] = Float.intBitsToFloat(0x7fc00abc);
                f[2] = Float.NEGATIVE_INFINITY;
                f[3] = -0.0f;
            }
            list.add(
                    new TrainingExample(
                            "model-" + d,
                            "event-ü-" + d,
                            1_700_000_000_000L + d,
                            f,
                            d % 7,
                            d % 4,
                            10L * d));
        }
        // No event id, not from Kafka, a key of four-byte characters.
        list.add(new TrainingExample("🙂k", null, -5, new float[] {1, 2}, Double.NaN, -1, -1));
        return list;
    }

    private static void assertSame(TrainingExample expected, TrainingExample actual) {
        assertEquals(expected.modelKey(), actual.modelKey());
        assertEquals(expected.eventId(), actual.eventId());
        assertEquals(expected.eventTime(), actual.eventTime());
        assertEquals(expected.features().length, actual.features().length);
        for (int i = 0; i < expected.features().length; i++) {
            assertEquals(
                    Float.floatToRawIntBits(expected.features()[i]),
                    Float.floatToRawIntBits(actual.features()[i]),
                    "feature " + i);
        }
        assertEquals(
                Double.doubleToRawLongBits(expected.label()),
                Double.doubleToRawLongBits(actual.label()));
        assertEquals(expected.partition(), actual.partition());
        assertEquals(expected.offset(), actual.offset());
    }

    @Test
    void everyFieldSurvivesARoundTripInOneBufferAndBackToBack() throws IOException {
        TrainingExampleSerializer s = new TrainingExampleSerializer();
        DataOutputSerializer out = new DataOutputSerializer(64);
        List<TrainingExample> in = examples();
        for (TrainingExample e : in) {
            s.serialize(e, out);
        }
        DataInputDeserializer read = new DataInputDeserializer(out.getCopyOfBuffer());
        TypeSerializer<TrainingExample> other = s.duplicate();
        for (TrainingExample e : in) {
            assertSame(e, other.deserialize(read));
        }
        assertEquals(0, read.available(), "nothing left over");
    }

    @Test
    void theLayoutIsTheStringsTheFloatsAsOneBlockAndTheFixedFields() throws IOException {
        TrainingExampleSerializer s = new TrainingExampleSerializer();
        // Each ASCII string: its length + 1 as one varint byte, then one byte per character.
        int strings = (1 + 1) + (1 + 2);
        DataOutputSerializer out = new DataOutputSerializer(64);
        s.serialize(new TrainingExample("m", "e1", 7, new float[100], 1, 2, 3), out);
        assertEquals(strings + 4 + 4 * 100 + 8 + 8 + 4 + 8, out.length());

        // The features follow their count as little-endian float32: 1.0f is 0x3f800000.
        DataOutputSerializer one = new DataOutputSerializer(64);
        s.serialize(new TrainingExample("m", "e1", 7, new float[] {1.0f, -2.0f}, 1, 2, 3), one);
        assertArrayEquals(
                new byte[] {0, 0, (byte) 0x80, 0x3f, 0, 0, 0, (byte) 0xc0},
                Arrays.copyOfRange(one.getCopyOfBuffer(), strings + 4, strings + 12));
    }

    @Test
    void aCopyOwnsItsFeaturesAndAStreamCopyIsTheSameBytes() throws IOException {
        TrainingExampleSerializer s = new TrainingExampleSerializer();
        for (TrainingExample e : examples()) {
            TrainingExample c = s.copy(e);
            assertSame(e, c);
            if (e.features().length > 0) {
                assertNotSame(e.features(), c.features());
                float before = e.features()[0];
                c.features()[0] = 42;
                assertEquals(
                        Float.floatToRawIntBits(before), Float.floatToRawIntBits(e.features()[0]));
            }
            DataOutputSerializer once = new DataOutputSerializer(64);
            s.serialize(e, once);
            DataOutputSerializer copied = new DataOutputSerializer(64);
            s.copy(new DataInputDeserializer(once.getCopyOfBuffer()), copied);
            assertArrayEquals(once.getCopyOfBuffer(), copied.getCopyOfBuffer());
        }
        assertNull(s.createInstance());
    }

    @Test
    void aCorruptCountIsRefusedBeforeAnythingIsAllocated() throws IOException {
        for (int count : new int[] {-3, TrainingExampleSerializer.MAX_FEATURES + 1, 1 << 30}) {
            DataOutputSerializer out = new DataOutputSerializer(64);
            org.apache.flink.types.StringValue.writeString("m", out);
            org.apache.flink.types.StringValue.writeString("e", out);
            out.writeInt(count);
            IOException e =
                    assertThrows(
                            IOException.class,
                            () ->
                                    new TrainingExampleSerializer()
                                            .deserialize(
                                                    new DataInputDeserializer(
                                                            out.getCopyOfBuffer())));
            assertTrue(e.getMessage().contains(count + " features"), e.getMessage());
        }
    }

    @Test
    void itsSnapshotRestoresACompatibleSerializer() throws IOException {
        TrainingExampleSerializer s = new TrainingExampleSerializer();
        DataOutputSerializer out = new DataOutputSerializer(64);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, s.snapshotConfiguration());
        TypeSerializerSnapshot<TrainingExample> read =
                TypeSerializerSnapshot.readVersionedSnapshot(
                        new DataInputDeserializer(out.getCopyOfBuffer()),
                        getClass().getClassLoader());
        assertEquals(s, read.restoreSerializer());
        assertTrue(s.snapshotConfiguration().resolveSchemaCompatibility(read).isCompatibleAsIs());
        assertEquals(s, s.duplicate());
        assertNotSame(s, s.duplicate(), "each thread its own scratch buffer");
    }
}
