package io.streamgrad.job;

import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;

/**
 * Bounded out-of-orderness watermarks emitted as the data advance, not on a wall-clock period: the
 * watermark is (newest event time − max out-of-orderness − 1), emitted whenever it has moved by at
 * least {@code step} milliseconds. Which events are late is then a function of the data in each
 * partition, not of how fast a replay happened to run, so a bounded replay decides lateness the
 * same way every time. (Flink's periodic generator would advance the watermark at arbitrary points
 * of a fast replay.) Quiet partitions are handled by the idle timeout of the watermark strategy.
 */
final class DataDrivenWatermarkGenerator<T> implements WatermarkGenerator<T> {
    private final long outOfOrdernessMs;
    private final long stepMs;
    private long newest = Long.MIN_VALUE;
    private long emitted = Long.MIN_VALUE;

    DataDrivenWatermarkGenerator(long outOfOrdernessMs, long stepMs) {
        this.outOfOrdernessMs = outOfOrdernessMs;
        this.stepMs = Math.max(1, stepMs);
    }

    @Override
    public void onEvent(T event, long eventTimestamp, WatermarkOutput output) {
        if (eventTimestamp <= newest) {
            return;
        }
        newest = eventTimestamp;
        long candidate = newest - outOfOrdernessMs - 1;
        if (emitted == Long.MIN_VALUE || candidate - emitted >= stepMs) {
            emitted = candidate;
            output.emitWatermark(new Watermark(candidate));
        }
    }

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {
        // Data-driven only; see the class comment.
    }
}
