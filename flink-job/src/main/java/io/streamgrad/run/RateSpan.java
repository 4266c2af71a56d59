package io.streamgrad.run;

import io.streamgrad.job.Accumulators;
import io.streamgrad.schema.MetricKind;
import io.streamgrad.schema.TrainingMetric;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * The span a run's throughput is measured over, so that one run of {@code train} compares with a
 * plain Kafka consumer reading the same topic: from the first record the job read to its last model
 * update. Start-up (building the job graph, starting the MiniCluster, the Kafka source finding its
 * offsets) comes before the first record and is reported apart; the tail after the last update
 * (final snapshot, committing the sinks, shutting down) is not counted at all.
 *
 * <p>All three instants are wall-clock epoch milliseconds of the same machine: the runner's clock
 * when it submitted the job, the decode operator's processing time when it received its first
 * record (the minimum over subtasks), and the {@code emitted_at} processing time of the last {@link
 * MetricKind#ITERATION} metric, which every update emits right after it.
 *
 * @param submittedMillis when the job was submitted; absent when the runner did not record it
 * @param firstRecordMillis when the job read its first record; absent when it read none
 * @param lastUpdateMillis when the job made its last update; absent when it made none
 */
public record RateSpan(
        OptionalLong submittedMillis,
        OptionalLong firstRecordMillis,
        OptionalLong lastUpdateMillis) {

    /**
     * The span of a finished local run: the submit time and first record from its accumulators
     * ({@link Accumulators#JOB_SUBMITTED_MILLIS}, {@link Accumulators#FIRST_RECORD_MILLIS}), the
     * last update from its metrics.
     */
    public static RateSpan of(Map<String, Object> accumulators, List<TrainingMetric> metrics) {
        OptionalLong last =
                metrics.stream()
                        .filter(m -> m.getKind() == MetricKind.ITERATION)
                        .mapToLong(TrainingMetric::getEmittedAt)
                        .max();
        // A first record earlier than the one known (a restart before the first checkpoint):
        // start-up cannot be told, so it is not reported.
        boolean firstUnknown =
                accumulators.get(Accumulators.FIRST_RECORD_UNKNOWN) instanceof Number n
                        && n.longValue() > 0;
        return new RateSpan(
                firstUnknown
                        ? OptionalLong.empty()
                        : instant(accumulators.get(Accumulators.JOB_SUBMITTED_MILLIS)),
                instant(accumulators.get(Accumulators.FIRST_RECORD_MILLIS)),
                last);
    }

    /** Seconds from submitting the job to its first record; null when either is unknown. */
    public Double startupSeconds() {
        if (submittedMillis.isEmpty() || firstRecordMillis.isEmpty()) {
            return null;
        }
        return Math.max(0, firstRecordMillis.getAsLong() - submittedMillis.getAsLong()) / 1e3;
    }

    /**
     * Seconds from the first record to the last update, at least one millisecond (the clocks'
     * resolution) when both are known; null otherwise.
     */
    public Double spanSeconds() {
        if (firstRecordMillis.isEmpty() || lastUpdateMillis.isEmpty()) {
            return null;
        }
        return Math.max(1, lastUpdateMillis.getAsLong() - firstRecordMillis.getAsLong()) / 1e3;
    }

    /**
     * The examples trained by the updates inside the span: the {@code batch_size} of the {@link
     * MetricKind#ITERATION} metrics emitted at or after the first record. For a run from its start
     * that is every example it trained, and so it is for a job Flink restarted after a failure (its
     * first record is the first attempt's); a run resumed from a checkpoint by a new job counts its
     * earlier attempts' examples in its totals, but its first record is this job's, so only this
     * job's examples belong over this span.
     */
    public long examplesInSpan(List<TrainingMetric> metrics) {
        if (firstRecordMillis.isEmpty()) {
            return 0;
        }
        long first = firstRecordMillis.getAsLong();
        long examples = 0;
        for (TrainingMetric m : metrics) {
            if (m.getKind() == MetricKind.ITERATION && m.getEmittedAt() >= first) {
                examples += m.getBatchSize();
            }
        }
        return examples;
    }

    /**
     * {@code examples} per second of {@link #spanSeconds}; 0 when the span is unknown (no record
     * read or no update made).
     */
    public double eventsPerSecond(long examples) {
        Double span = spanSeconds();
        return span == null ? 0 : examples / span;
    }

    /**
     * The rate of each epoch, in examples per second, in epoch order: the examples its updates
     * trained (the {@code batch_size} of its {@link MetricKind#ITERATION} metrics) over the time
     * from the end of the epoch before (its last update; for the first epoch, the first record) to
     * its own last update. So the epochs' spans tile the run's span. With the {@code blocks} and
     * {@code window} shuffles each epoch's span includes reading its range from Kafka again (with
     * {@code pass}, epochs 2 and later train from state at the end of input), and with the
     * full-pass loss on, the evaluation read of the epoch before. The first epoch's rate includes
     * the JVM's warm-up (the JIT compiling the pipeline's code); later ones show the pipeline warm.
     * A live run (epoch 0) has one entry, its whole rate.
     *
     * <p>Defined for a run of one model key from its own start: with several keys, their epochs
     * overlap (with {@code --shuffle pass} each key trains its later epochs in turn at the end of
     * input), and a resumed run's metrics include the earlier attempt's, before this attempt's
     * first record. Either gives an empty list rather than misleading rates.
     *
     * @param metrics the run's metrics, in any order; those of other kinds are ignored
     * @return empty when the first record or every update is unknown, when the updates are of
     *     several model keys, or when one was emitted before the first record
     */
    public List<Double> epochEventsPerSecond(List<TrainingMetric> metrics) {
        List<Double> rates = new ArrayList<>();
        if (firstRecordMillis.isEmpty()) {
            return rates;
        }
        long first = firstRecordMillis.getAsLong();
        TreeMap<Integer, long[]> byEpoch = new TreeMap<>(); // epoch -> {examples, last update}
        String key = null;
        for (TrainingMetric m : metrics) {
            if (m.getKind() != MetricKind.ITERATION) {
                continue;
            }
            String model = m.getModel().toString();
            if (key == null) {
                key = model;
            }
            if (!key.equals(model) || m.getEmittedAt() < first) {
                return rates;
            }
            long[] e = byEpoch.computeIfAbsent(m.getEpoch(), k -> new long[] {0, Long.MIN_VALUE});
            e[0] += m.getBatchSize();
            e[1] = Math.max(e[1], m.getEmittedAt());
        }
        long from = first;
        for (long[] e : byEpoch.values()) {
            rates.add(e[0] / (Math.max(1, e[1] - from) / 1e3));
            from = e[1];
        }
        return rates;
    }

    /**
     * A Flink {@code LongMinimum} that no subtask added to keeps its start value, Long.MAX_VALUE:
     * that, like a missing accumulator, means "never happened".
     */
    private static OptionalLong instant(Object v) {
        if (v instanceof Number n && n.longValue() > 0 && n.longValue() != Long.MAX_VALUE) {
            return OptionalLong.of(n.longValue());
        }
        return OptionalLong.empty();
    }
}
