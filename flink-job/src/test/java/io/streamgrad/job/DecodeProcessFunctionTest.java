package io.streamgrad.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamgrad.batch.TrainingExample;
import io.streamgrad.model.Activation;
import io.streamgrad.model.ModelSpec;
import io.streamgrad.schema.AvroSerde;
import io.streamgrad.schema.DeadLetter;
import io.streamgrad.schema.DeadLetterReason;
import io.streamgrad.schema.LabeledEvent;
import io.streamgrad.train.DeadLetters;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The decode operator in Flink's operator harness: good records become examples at their Kafka
 * coordinates, bad ones dead letters with their bytes, reason and coordinates, and the stream goes
 * on.
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

    private static StreamRecord<KafkaRecord> record(long offset, byte[] value) {
        return new StreamRecord<>(
                new KafkaRecord("events", 2, offset, 1_000, null, value, 0L), 1_000);
    }

    @Test
    void goodRecordsBecomeExamplesAndBadOnesDeadLettersWithTheirBytesAndCoordinates()
            throws Exception {
        byte[] wrongCount = event("b", 1f, 2f);
        byte[] garbage = "not an event, but bytes".getBytes(StandardCharsets.UTF_8);
        byte[] nonFinite = event("d", 1f, Float.NaN, 3f);
        try (var h = harness(1 << 20)) {
            h.processElement(record(10, event("a", 1f, 2f, 3f)));
            h.processElement(record(11, wrongCount));
            h.processElement(record(12, garbage));
            h.processElement(record(13, nonFinite));
            h.processElement(record(14, event("c", 4f, 5f, 6f)));

            List<TrainingExample> out = new ArrayList<>(h.extractOutputValues());
            assertEquals(List.of("a", "c"), out.stream().map(TrainingExample::eventId).toList());
            assertArrayEquals(new float[] {1f, 2f, 3f}, out.get(0).features());
            assertArrayEquals(new float[] {4f, 5f, 6f}, out.get(1).features());
            assertEquals(10, out.get(0).offset());
            assertEquals(14, out.get(1).offset());
            assertEquals(2, out.get(1).partition());

            List<DeadLetter> dead = deadLetters(h);
            assertEquals(
                    List.of(
                            DeadLetterReason.WRONG_FEATURE_COUNT.wireName(),
                            DeadLetterReason.UNDECODABLE.wireName(),
                            DeadLetterReason.NON_FINITE_FEATURE.wireName()),
                    dead.stream().map(d -> d.getReason().toString()).toList());
            assertArrayEquals(wrongCount, bytes(dead.get(0).getValue()));
            assertArrayEquals(garbage, bytes(dead.get(1).getValue()));
            assertArrayEquals(nonFinite, bytes(dead.get(2).getValue()));
            assertEquals(List.of(11L, 12L, 13L), dead.stream().map(DeadLetter::getOffset).toList());
            assertEquals("events", dead.get(0).getTopic().toString());
            assertEquals(2, dead.get(0).getPartition());
        }
    }

    @Test
    void aTooLargeRecordIsDeadLetteredWithItsFirstBytesOnlyAndTheNextOneDecodes() throws Exception {
        byte[] big = event("big", new float[20_000]); // 80 KB of features: over the 64 KiB kept
        try (var h = harness(big.length - 1)) {
            h.processElement(record(7, big));
            h.processElement(record(8, event("a", 1f, 2f, 3f)));
            assertEquals(1, h.extractOutputValues().size());
            List<DeadLetter> dead = deadLetters(h);
            assertEquals(1, dead.size());
            assertEquals(
                    DeadLetterReason.RECORD_TOO_LARGE.wireName(),
                    dead.get(0).getReason().toString());
            assertArrayEquals(
                    Arrays.copyOf(big, DeadLetters.TRUNCATED_VALUE_BYTES),
                    bytes(dead.get(0).getValue()));
            assertEquals(7, dead.get(0).getOffset());
        }
    }

    @Test
    void aTooLargeRecordShorterThanWhatADeadLetterKeepsIsKeptWholeNeverPadded() throws Exception {
        byte[] over = event("over", 1f, 2f, 3f, 4f); // over a limit set below it, far under 64 KiB
        try (var h = harness(over.length - 1)) {
            h.processElement(record(9, over));
            assertEquals(0, h.extractOutputValues().size());
            List<DeadLetter> dead = deadLetters(h);
            assertEquals(1, dead.size());
            assertArrayEquals(over, bytes(dead.get(0).getValue()));
            assertTrue(
                    dead.get(0)
                            .getDetail()
                            .toString()
                            .endsWith("keeps its first " + over.length + " bytes"),
                    dead.get(0).getDetail().toString());
        }
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
