package io.streamgrad.producers;

import io.streamgrad.schema.Task;

/**
 * What the synthetic producer writes. Events are a pure function of (seed, index): event {@code i}
 * has the same features, label, id and (synthetic) event time however often, in whatever order, it
 * is produced.
 *
 * @param ratePerSecond 0 for as fast as possible
 * @param firstIndex index of the first event, so that held-out events can be drawn from a range the
 *     training events never use
 * @param liveTimestamps event time = wall clock instead of a time derived from the index
 */
public record SyntheticConfig(
        String topic,
        String model,
        Task task,
        int features,
        int classes,
        double noise,
        long events,
        double ratePerSecond,
        int partitions,
        long seed,
        long firstIndex,
        boolean liveTimestamps) {

    /** Synthetic event times start here and advance by {@link #EVENT_SPACING_MS} per event. */
    public static final long EPOCH_MS = 1_767_225_600_000L; // 2026-01-01T00:00:00Z

    public static final long EVENT_SPACING_MS = 10;

    public SyntheticConfig {
        if (features < 1) {
            throw new IllegalArgumentException("--features must be at least 1, got " + features);
        }
        if (task == Task.MULTICLASS && classes < 2) {
            throw new IllegalArgumentException(
                    "--classes must be at least 2 for multiclass, got " + classes);
        }
        if (task == Task.BINARY && classes != 2) {
            throw new IllegalArgumentException(
                    "binary classification has exactly 2 classes, got --classes " + classes);
        }
        if (noise < 0 || Double.isNaN(noise)) {
            throw new IllegalArgumentException("--noise must be >= 0, got " + noise);
        }
        if (events < 0) {
            throw new IllegalArgumentException("--events must be >= 0, got " + events);
        }
        if (ratePerSecond < 0) {
            throw new IllegalArgumentException("--rate must be >= 0 (0 = unlimited)");
        }
        if (partitions < 1) {
            throw new IllegalArgumentException(
                    "--partitions must be at least 1, got " + partitions);
        }
    }

    public SyntheticConfig withRange(long first, long count) {
        return new SyntheticConfig(
                topic,
                model,
                task,
                features,
                classes,
                noise,
                count,
                ratePerSecond,
                partitions,
                seed,
                first,
                liveTimestamps);
    }
}
