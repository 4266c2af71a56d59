package io.streamgrad.run;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.streamgrad.job.Accumulators;
import io.streamgrad.model.BackendInfo;
import io.streamgrad.schema.MetricKind;
import io.streamgrad.schema.ModelSnapshot;
import io.streamgrad.schema.TrainingMetric;
import io.streamgrad.train.Batching;
import io.streamgrad.train.TrainingConfig;
import io.streamgrad.train.WindowTrainer;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What a run did, as the CLI prints it and {@code --summary-json} writes it: the job's own
 * accounting (accumulators), the loss curve from the metrics it emitted, its snapshots, and
 * held-out quality. {@code backend}, {@code device} and {@code device_memory_bytes} (-1: not
 * reported) say where it trained, as {@link BackendInfo} reads them in this JVM, where a local run
 * trains. {@code first_record_at_ms} and {@code last_update_at_ms} (wall clock, ms since the epoch;
 * null when unknown) bound the span {@code events_per_second} is measured over ({@link RateSpan}),
 * so what else was measured outside the job (CPU of its threads, of the broker) can be cut to it;
 * {@code epoch_events_per_second} splits that span at each epoch's last update ({@link
 * RateSpan#epochEventsPerSecond}), so a run of several epochs shows its rate once warm.
 */
public record RunSummary(
        @JsonProperty("run_id") String runId,
        @JsonProperty("model") String model,
        @JsonProperty("events_consumed") long eventsConsumed,
        @JsonProperty("events_trained") long eventsTrained,
        @JsonProperty("examples_trained") long examplesTrained,
        @JsonProperty("untrained") long untrained,
        @JsonProperty("remainder_policy") String remainderPolicy,
        @JsonProperty("dead_lettered") long deadLettered,
        @JsonProperty("late_dead_lettered") long lateDeadLettered,
        @JsonProperty("late_next_window") long lateNextWindow,
        @JsonProperty("idle_flushes") long idleFlushes,
        @JsonProperty("skipped_updates") long skippedUpdates,
        @JsonProperty("divergence_restores") long divergenceRestores,
        @JsonProperty("batch_size") String batchSize,
        @JsonProperty("window") String window,
        @JsonProperty("shuffle") String shuffle,
        @JsonProperty("seed") long seed,
        @JsonProperty("epochs") long epochs,
        @JsonProperty("iterations_per_epoch") long iterationsPerEpoch,
        @JsonProperty("epoch_iterations") List<Long> epochIterations,
        @JsonProperty("iterations") long iterations,
        @JsonProperty("initial_loss") Double initialLoss,
        @JsonProperty("final_loss") Double finalLoss,
        @JsonProperty("final_smoothed_loss") Double finalSmoothedLoss,
        @JsonProperty("epoch_losses") List<Double> epochLosses,
        @JsonProperty("holdout_loss") Double holdoutLoss,
        @JsonProperty("holdout_accuracy") Double holdoutAccuracy,
        @JsonProperty("holdout_events") long holdoutEvents,
        @JsonProperty("holdout_unscored") long holdoutUnscored,
        @JsonProperty("snapshots_emitted") long snapshotsEmitted,
        @JsonProperty("last_snapshot_version") Long lastSnapshotVersion,
        @JsonProperty("model_checksum") String modelChecksum,
        @JsonProperty("wall_seconds") double wallSeconds,
        @JsonProperty("events_per_second") double eventsPerSecond,
        @JsonProperty("epoch_events_per_second") List<Double> epochEventsPerSecond,
        @JsonProperty("rate_span_seconds") Double rateSpanSeconds,
        @JsonProperty("startup_seconds") Double startupSeconds,
        @JsonProperty("first_record_at_ms") Long firstRecordAtMs,
        @JsonProperty("last_update_at_ms") Long lastUpdateAtMs,
        @JsonProperty("mean_step_seconds") Double meanStepSeconds,
        @JsonProperty("mean_iteration_seconds") Double meanIterationSeconds,
        @JsonProperty("backend") String backend,
        @JsonProperty("device") String device,
        @JsonProperty("device_memory_bytes") long deviceMemoryBytes) {

    /** Loss averages over this many iterations at each end of the curve. */
    public static final int LOSS_WINDOW = 10;

    /** How the summary names the remainder policy of {@link WindowTrainer}. */
    static final String REMAINDER_POLICY =
            "carried, then trained in power-of-two pieces at the end";

    public static RunSummary of(
            String runId,
            TrainingConfig training,
            Map<String, Object> accumulators,
            List<TrainingMetric> metrics,
            List<ModelSnapshot> snapshots,
            Double holdoutLoss,
            Double holdoutAccuracy,
            long holdoutEvents,
            double wallSeconds,
            double jobSeconds) {
        return of(
                runId,
                training,
                accumulators,
                metrics,
                snapshots,
                holdoutLoss,
                holdoutAccuracy,
                holdoutEvents,
                0,
                wallSeconds,
                jobSeconds);
    }

    /**
     * As above; {@code holdoutUnscored} held-out events the model could not score (a bad value, a
     * class it does not have) are left out of {@code holdoutEvents} and reported.
     */
    public static RunSummary of(
            String runId,
            TrainingConfig training,
            Map<String, Object> accumulators,
            List<TrainingMetric> metrics,
            List<ModelSnapshot> snapshots,
            Double holdoutLoss,
            Double holdoutAccuracy,
            long holdoutEvents,
            long holdoutUnscored,
            double wallSeconds,
            double jobSeconds) {
        List<TrainingMetric> steps =
                metrics.stream()
                        .filter(m -> m.getKind() == MetricKind.ITERATION)
                        .sorted(Comparator.comparingLong(TrainingMetric::getIteration))
                        .toList();
        List<TrainingMetric> epochEnds =
                metrics.stream()
                        .filter(m -> m.getKind() == MetricKind.EPOCH)
                        .sorted(Comparator.comparingInt(TrainingMetric::getEpoch))
                        .toList();
        ModelSnapshot lastSnapshot =
                snapshots.stream()
                        .max(Comparator.comparingLong(ModelSnapshot::getVersion))
                        .orElse(null);
        Batching b = training.batching();
        long trained = Accumulators.Counter.EVENTS_TRAINED.in(accumulators);
        long examples = Accumulators.Counter.EXAMPLES_TRAINED.in(accumulators);
        long epochs = b.epochs();
        long iterations = Accumulators.Counter.ITERATIONS.in(accumulators);
        RateSpan span = RateSpan.of(accumulators, metrics);
        Map<Integer, Long> perEpoch = new TreeMap<>();
        for (TrainingMetric m : steps) {
            perEpoch.merge(m.getEpoch(), 1L, Long::sum);
        }
        if (!perEpoch.isEmpty() && !perEpoch.containsKey(0)) {
            // A bounded run's epoch that made no update (a range smaller than a batch carries
            // into the next epoch) counts 0, so that entry k is epoch k + 1's.
            int last = Math.max((int) epochs, ((TreeMap<Integer, Long>) perEpoch).lastKey());
            for (int e = 1; e <= last; e++) {
                perEpoch.putIfAbsent(e, 0L);
            }
        }
        return new RunSummary(
                runId,
                training.spec().shorthand(),
                Accumulators.Counter.EVENTS_CONSUMED.in(accumulators),
                trained,
                examples,
                Math.max(0, trained * epochs - examples),
                REMAINDER_POLICY,
                Accumulators.Counter.DEAD_LETTERED.in(accumulators),
                Accumulators.Counter.LATE_DEAD_LETTERED.in(accumulators),
                Accumulators.Counter.LATE_NEXT_WINDOW.in(accumulators),
                Accumulators.Counter.IDLE_FLUSHES.in(accumulators),
                Accumulators.Counter.SKIPPED_UPDATES.in(accumulators),
                Accumulators.Counter.DIVERGENCE_RESTORES.in(accumulators),
                b.describeBatchSize(),
                b.fullBatch() ? "none (full batch)" : b.window().describe(),
                b.describeShuffle(),
                training.seed(),
                epochs,
                b.fullBatch() ? 1 : trained / b.batchSize(),
                List.copyOf(perEpoch.values()),
                iterations,
                meanLoss(steps.subList(0, Math.min(LOSS_WINDOW, steps.size()))),
                meanLoss(steps.subList(Math.max(0, steps.size() - LOSS_WINDOW), steps.size())),
                steps.isEmpty() ? null : steps.get(steps.size() - 1).getSmoothedLoss(),
                epochEnds.stream().map(TrainingMetric::getLoss).toList(),
                holdoutLoss,
                holdoutAccuracy,
                holdoutEvents,
                holdoutUnscored,
                Accumulators.Counter.SNAPSHOTS.in(accumulators),
                lastSnapshot == null ? null : lastSnapshot.getVersion(),
                lastSnapshot == null ? null : lastSnapshot.getParametersChecksum(),
                wallSeconds,
                // This attempt's examples over this attempt's span (a resumed run's totals
                // include its earlier attempts').
                span.eventsPerSecond(span.examplesInSpan(metrics)),
                span.epochEventsPerSecond(metrics),
                span.spanSeconds(),
                span.startupSeconds(),
                span.firstRecordMillis().isPresent() ? span.firstRecordMillis().getAsLong() : null,
                span.lastUpdateMillis().isPresent() ? span.lastUpdateMillis().getAsLong() : null,
                iterations > 0
                        ? Accumulators.Counter.STEP_NANOS.in(accumulators) / 1e9 / iterations
                        : null,
                iterations > 0 && jobSeconds > 0 ? jobSeconds / iterations : null,
                ndBackend(),
                BackendInfo.current().device(),
                BackendInfo.current().memoryBytes());
    }

    public static String ndBackend() {
        Object b = Nd4j.getExecutioner().getEnvironmentInformation().get("backend");
        return b == null ? Nd4j.getBackend().getClass().getSimpleName() : b.toString();
    }

    private static Double meanLoss(List<TrainingMetric> metrics) {
        if (metrics.isEmpty()) {
            return null;
        }
        return metrics.stream().mapToDouble(TrainingMetric::getLoss).average().orElseThrow();
    }
}
