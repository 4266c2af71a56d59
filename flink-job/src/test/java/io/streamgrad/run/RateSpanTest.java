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
}
