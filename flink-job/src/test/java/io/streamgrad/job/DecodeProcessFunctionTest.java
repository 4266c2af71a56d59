package io.streamgrad.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.streamgrad.batch.TrainingExample;
import io.streamgrad.model.Activation;
import io.streamgrad.model.ModelSpec;
import io.streamgrad.schema.AvroSerde;
import io.streamgrad.schema.DeadLetter;
import io.streamgrad.schema.DeadLetterReason;
import io.streamgrad.schema.LabeledEvent;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The decode operator in Flink's operator harness, fed records as a replay hands them out: values
 * that lie in one packed array, between other records' bytes.
 */
class DecodeProcessFunctionTest {
    private static final ModelSpec SPEC = ModelSpec.parse("logistic", 3, 0, Activation.RELU);
    private static final AvroSerde<LabeledEvent> SERDE = AvroSerde.of(LabeledEvent.class);

    private static byte[] event(String id, float... features) {
        List<Float> f = new ArrayList<>();
        for (float x : features) {
            f.add(x);
        }
        return SERDE.serialize(
                LabeledEvent.newBuilder()
                        .setModel("m")
                        .setEventId(id)
                        .setEventTime(1_000)
                        .setFeatures(f)
                        .setLabel(1)
                        .build());
    }

    private static OneInputStreamOperatorTestHarness<KafkaRecord, TrainingExample> harness(
            int maxRecordBytes) throws Exception {
        var h =
                new OneInputStreamOperatorTestHarness<>(
                        new ProcessOperator<>(new DecodeProcessFunction(SPEC, maxRecordBytes)));
        h.open();
        return h;
    }

    /** Packs the values one after another with random bytes before, between and after them. */
    private static int[] pack(byte[] into, byte[]... values) {
        new SplittableRandom(5).nextBytes(into);
        int[] offsets = new int[values.length];
        int at = 3;
        for (int i = 0; i < values.length; i++) {
            offsets[i] = at;
            System.arraycopy(values[i], 0, into, at, values[i].length);
            at += values[i].length + 5;
        }
        return offsets;
    }

    @Test
    void recordsThatPointIntoOneArrayDecodeAndBadOnesAreDeadLetteredWithTheirOwnBytes()
            throws Exception {
        byte[] a = event("a", 1f, 2f, 3f);
        byte[] wrongCount = event("b", 1f, 2f);
        byte[] garbage =
                "not an event, but bytes".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] c = event("c", 4f, 5f, 6f);
        byte[] packed = new byte[a.length + wrongCount.length + garbage.length + c.length + 40];
        int[] at = pack(packed, a, wrongCount, garbage, c);
        byte[][] values = {a, wrongCount, garbage, c};

        try (var h = harness(1 << 20)) {
            for (int i = 0; i < values.length; i++) {
                h.processElement(
                        new StreamRecord<>(
                                new KafkaRecord(
                                        "events",
                                        2,
                                        10 + i,
                                        1_000,
                                        null,
                                        packed,
                                        at[i],
                                        values[i].length,
                                        0L),
                                1_000));
            }
            List<TrainingExample> out = new ArrayList<>();
            h.extractOutputValues().forEach(out::add);
            assertEquals(List.of("a", "c"), out.stream().map(TrainingExample::eventId).toList());
            assertArrayEquals(new float[] {1f, 2f, 3f}, out.get(0).features());
            assertArrayEquals(new float[] {4f, 5f, 6f}, out.get(1).features());
            assertEquals(10, out.get(0).offset());
            assertEquals(13, out.get(1).offset());
            assertEquals(2, out.get(1).partition());

            List<DeadLetter> dead = deadLetters(h);
            assertEquals(
                    List.of(
                            DeadLetterReason.WRONG_FEATURE_COUNT.wireName(),
                            DeadLetterReason.UNDECODABLE.wireName()),
                    dead.stream().map(d -> d.getReason().toString()).toList());
            // Each dead letter holds its record's bytes, not the array they lay in.
            assertArrayEquals(wrongCount, bytes(dead.get(0).getValue()));
            assertArrayEquals(garbage, bytes(dead.get(1).getValue()));
            assertEquals(11, dead.get(0).getOffset());
            assertEquals(12, dead.get(1).getOffset());
        }
    }

    @Test
    void aTooLargeRecordIsDeadLetteredWithItsFirstBytesOnly() throws Exception {
        byte[] a = event("a", 1f, 2f, 3f);
        byte[] big = event("big", new float[20_000]); // 80 KB of features: over 64 KB kept
        byte[] packed = new byte[a.length + big.length + 20];
        int[] at = pack(packed, big, a);
        try (var h = harness(big.length - 1)) {
            h.processElement(
                    new StreamRecord<>(
                            new KafkaRecord("events", 0, 7, 1, null, packed, at[0], big.length, 0L),
                            1));
            h.processElement(
                    new StreamRecord<>(
                            new KafkaRecord("events", 0, 8, 1, null, packed, at[1], a.length, 0L),
                            1));
            assertEquals(1, h.extractOutputValues().size());
            List<DeadLetter> dead = deadLetters(h);
            assertEquals(1, dead.size());
            assertEquals(
                    DeadLetterReason.RECORD_TOO_LARGE.wireName(),
                    dead.get(0).getReason().toString());
            assertArrayEquals(
                    Arrays.copyOf(big, io.streamgrad.train.DeadLetters.TRUNCATED_VALUE_BYTES),
                    bytes(dead.get(0).getValue()));
        }
    }

    @Test
    void aValueRangeOutsideItsArrayIsRefusedWhenTheRecordIsMade() {
        byte[] b = new byte[10];
        assertThrows(
                IllegalArgumentException.class,
                () -> new KafkaRecord("t", 0, 0, 0, null, b, 4, 7, 0L));
        assertThrows(
                IllegalArgumentException.class,
                () -> new KafkaRecord("t", 0, 0, 0, null, b, -1, 2, 0L));
        assertThrows(
                IllegalArgumentException.class,
                () -> new KafkaRecord("t", 0, 0, 0, null, null, 0, 0, 0L));
        KafkaRecord view = new KafkaRecord("t", 0, 0, 0, null, b, 4, 6, 0L);
        assertArrayEquals(Arrays.copyOfRange(b, 4, 10), view.value());
        assertEquals(6, view.detached().valueBuffer().length);
        KafkaRecord own = new KafkaRecord("t", 0, 0, 0, null, b, 0L);
        assertEquals(own, own.detached());
        assertEquals(-1, new KafkaRecord("t", 0, 0, 0, null, null, 0L).valueLength());
    }

    private static List<DeadLetter> deadLetters(
            OneInputStreamOperatorTestHarness<KafkaRecord, TrainingExample> h) {
        var side = h.getSideOutput(DecodeProcessFunction.DEAD_LETTERS);
        return side == null ? List.of() : side.stream().map(StreamRecord::getValue).toList();
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }
}
