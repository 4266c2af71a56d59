package io.streamgrad.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.streamgrad.job.Accumulators;
import io.streamgrad.schema.MetricKind;
import io.streamgrad.schema.TrainingMetric;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class RateSpanTest {

    static TrainingMetric metric(MetricKind kind, long emittedAt) {
        return TrainingMetric.newBuilder()
                .setRunId("r")
                .setModel("m")
                .setIteration(1)
                .setKind(kind)
                .setBatchSize(1)
                .setLoss(0)
                .setSmoothedLoss(0)
                .setExamplesSeen(1)
                .setBatchEventTimeMin(0)
                .setBatchEventTimeMax(0)
                .setEmittedAt(emittedAt)
                .build();
    }

    @Test
    void spanRunsFromFirstRecordToLastIterationMetricOnly() {
        Map<String, Object> acc =
                Map.of(
                        Accumulators.JOB_SUBMITTED_MILLIS, 1_000L,
                        Accumulators.FIRST_RECORD_MILLIS, 4_500L);
        // The EPOCH and COUNTS records come after the last update: not part of the span.
        List<TrainingMetric> metrics =
                List.of(
                        metric(MetricKind.ITERATION, 5_000L),
                        metric(MetricKind.ITERATION, 14_500L),
                        metric(MetricKind.ITERATION, 9_000L),
                        metric(MetricKind.EPOCH, 20_000L),
                        metric(MetricKind.COUNTS, 21_000L));
        RateSpan span = RateSpan.of(acc, metrics);

        assertEquals(3.5, span.startupSeconds(), 1e-12);
        assertEquals(10.0, span.spanSeconds(), 1e-12);
        assertEquals(200_000.0, span.eventsPerSecond(2_000_000), 1e-6);
    }

    @Test
    void aFirstRecordNoCheckpointKeptLeavesStartUpUnknown() {
        // Flink restarted the job before its first checkpoint: the first record known is the
        // restarted attempt's, so submit → first record would count the failed attempt.
        Map<String, Object> acc =
                Map.of(
                        Accumulators.JOB_SUBMITTED_MILLIS, 1_000L,
                        Accumulators.FIRST_RECORD_MILLIS, 9_000L,
                        Accumulators.FIRST_RECORD_UNKNOWN, 1L);
        RateSpan span = RateSpan.of(acc, List.of(metric(MetricKind.ITERATION, 10_000L)));
        assertEquals(null, span.startupSeconds());
        assertEquals(1.0, span.spanSeconds(), 1e-12);
        assertEquals(
                3.5,
                RateSpan.of(
                                Map.of(
                                        Accumulators.JOB_SUBMITTED_MILLIS, 1_000L,
                                        Accumulators.FIRST_RECORD_MILLIS, 4_500L,
                                        Accumulators.FIRST_RECORD_UNKNOWN, 0L),
                                List.of())
                        .startupSeconds(),
                1e-12);
    }

    @Test
    void aResumedRunsRateCountsOnlyTheExamplesOfItsOwnSpan() {
        // Attempt 1 trained two batches of 64 before it was killed; attempt 2 read its first
        // record at 10 s and trained three batches of 64 in 3 s. The totals say 320 examples, but
        // 128 of them were trained before this span began.
        Map<String, Object> acc = Map.of(Accumulators.FIRST_RECORD_MILLIS, 10_000L);
        List<TrainingMetric> metrics =
                java.util.stream.Stream.of(2_000L, 3_000L, 11_000L, 12_000L, 13_000L)
                        .map(
                                t ->
                                        TrainingMetric.newBuilder(metric(MetricKind.ITERATION, t))
                                                .setBatchSize(64)
                                                .build())
                        .toList();
        RateSpan span = RateSpan.of(acc, metrics);
        assertEquals(192, span.examplesInSpan(metrics));
        assertEquals(64.0, span.eventsPerSecond(span.examplesInSpan(metrics)), 1e-9);
        // From its start, every update is inside the span: all the examples.
        RateSpan fromStart = RateSpan.of(Map.of(Accumulators.FIRST_RECORD_MILLIS, 1_000L), metrics);
        assertEquals(320, fromStart.examplesInSpan(metrics));
        assertEquals(0, RateSpan.of(Map.of(), metrics).examplesInSpan(metrics));
    }

    @Test
    void noRecordOrNoUpdateLeavesTheRateUndefinedAsZero() {
        // A LongMinimum no subtask added to reports Long.MAX_VALUE.
        Map<String, Object> noRecord =
                Map.of(
                        Accumulators.JOB_SUBMITTED_MILLIS,
                        1_000L,
                        Accumulators.FIRST_RECORD_MILLIS,
                        Long.MAX_VALUE);
        RateSpan none = RateSpan.of(noRecord, List.of(metric(MetricKind.ITERATION, 5_000L)));
        assertNull(none.startupSeconds());
        assertNull(none.spanSeconds());
        assertEquals(0.0, none.eventsPerSecond(100));

        RateSpan noUpdate =
                RateSpan.of(
                        Map.of(Accumulators.FIRST_RECORD_MILLIS, 2_000L),
                        List.of(metric(MetricKind.EPOCH, 5_000L)));
        assertNull(noUpdate.spanSeconds());
        assertNull(noUpdate.startupSeconds(), "no submit time recorded");
        assertEquals(0.0, noUpdate.eventsPerSecond(100));
    }

    @Test
    void aSpanWithinOneMillisecondCountsAsOneMillisecond() {
        RateSpan span = new RateSpan(OptionalLong.empty(), OptionalLong.of(7), OptionalLong.of(7));
        assertEquals(0.001, span.spanSeconds(), 1e-15);
        assertEquals(64_000.0, span.eventsPerSecond(64), 1e-9);
    }

    static TrainingMetric iteration(int epoch, int batchSize, long emittedAt) {
        TrainingMetric m = metric(MetricKind.ITERATION, emittedAt);
        m.setEpoch(epoch);
        m.setBatchSize(batchSize);
        return m;
    }

    @Test
    void eachEpochRunsFromTheLastUpdateOfTheEpochBefore() {
        List<TrainingMetric> metrics =
                List.of(
                        // in no order, as the metrics topic's partitions may give them back
                        iteration(2, 128, 5_000L),
                        iteration(1, 128, 2_000L),
                        iteration(1, 64, 3_000L),
                        iteration(3, 256, 5_500L),
                        iteration(2, 128, 4_000L),
                        metric(MetricKind.EPOCH, 9_000L),
                        metric(MetricKind.COUNTS, 9_500L));
        RateSpan span = RateSpan.of(Map.of(Accumulators.FIRST_RECORD_MILLIS, 1_000L), metrics);

        List<Double> rates = span.epochEventsPerSecond(metrics);

        // epoch 1: 192 examples over 1,000 -> 3,000 ms; 2: 256 over 3,000 -> 5,000; 3: 256 over
        // 5,000 -> 5,500
        assertEquals(3, rates.size());
        assertEquals(96.0, rates.get(0), 1e-9);
        assertEquals(128.0, rates.get(1), 1e-9);
        assertEquals(512.0, rates.get(2), 1e-9);
        // The epochs' spans tile the run's: their time adds up to the span.
        double seconds = 192 / rates.get(0) + 256 / rates.get(1) + 256 / rates.get(2);
        assertEquals(span.spanSeconds(), seconds, 1e-9);
        assertEquals(span.eventsPerSecond(704), 704 / seconds, 1e-9);
    }

    @Test
    void aLiveRunHasOneEpochRateAndRunsItCannotSplitNone() {
        List<TrainingMetric> live = List.of(iteration(0, 64, 3_000L), iteration(0, 64, 5_000L));
        RateSpan span = RateSpan.of(Map.of(Accumulators.FIRST_RECORD_MILLIS, 1_000L), live);
        assertEquals(List.of(span.eventsPerSecond(128)), span.epochEventsPerSecond(live));

        // Several model keys: their epochs overlap, so no split.
        TrainingMetric other = iteration(0, 64, 4_000L);
        other.setModel("other");
        assertEquals(
                List.of(),
                span.epochEventsPerSecond(List.of(live.get(0), other, live.get(1))),
                "two model keys");
        // A resumed run's metrics begin with the earlier attempt's, before this first record.
        assertEquals(
                List.of(),
                span.epochEventsPerSecond(
                        List.of(iteration(1, 64, 500L), iteration(1, 64, 3_000L))),
                "an update before the first record");

        RateSpan noRecord = RateSpan.of(Map.of(), live);
        assertEquals(List.of(), noRecord.epochEventsPerSecond(live));
        assertEquals(List.of(), span.epochEventsPerSecond(List.of(metric(MetricKind.EPOCH, 9L))));
    }
}
