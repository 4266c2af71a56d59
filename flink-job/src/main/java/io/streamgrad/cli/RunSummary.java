package io.streamgrad.cli;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.streamgrad.batch.Batching;
import io.streamgrad.job.Accumulators;
import io.streamgrad.schema.MetricKind;
import io.streamgrad.schema.ModelSnapshot;
import io.streamgrad.schema.TrainingMetric;
import io.streamgrad.train.TrainingConfig;
import io.streamgrad.train.WindowTrainer;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What a run did, as written by {@code --summary-json}: the job's own accounting (accumulators),
 * the loss curve from the metrics it emitted, its snapshots, and held-out quality.
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
        @JsonProperty("snapshots_emitted") long snapshotsEmitted,
        @JsonProperty("last_snapshot_version") Long lastSnapshotVersion,
        @JsonProperty("model_checksum") String modelChecksum,
        @JsonProperty("wall_seconds") double wallSeconds,
        @JsonProperty("events_per_second") double eventsPerSecond,
        @JsonProperty("backend") String backend) {

    /** Loss averages over this many iterations at each end of the curve. */
    static final int LOSS_WINDOW = 10;

    /** How the summary names the remainder policy of {@link WindowTrainer}. */
    static final String REMAINDER_POLICY =
            "carried, then trained in power-of-two pieces at the end";

    static RunSummary of(
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
        long trained = count(accumulators, Accumulators.EVENTS_TRAINED);
        long examples = count(accumulators, Accumulators.EXAMPLES_TRAINED);
        long epochs = b.epochs();
        Map<Integer, Long> perEpoch = new TreeMap<>();
        for (TrainingMetric m : steps) {
            perEpoch.merge(m.getEpoch(), 1L, Long::sum);
        }
        return new RunSummary(
                runId,
                training.model().shorthand(),
                count(accumulators, Accumulators.EVENTS_CONSUMED),
                trained,
                examples,
                Math.max(0, trained * epochs - examples),
                REMAINDER_POLICY,
                count(accumulators, Accumulators.DEAD_LETTERED),
                count(accumulators, Accumulators.LATE_DEAD_LETTERED),
                count(accumulators, Accumulators.LATE_NEXT_WINDOW),
                count(accumulators, Accumulators.IDLE_FLUSHES),
                count(accumulators, Accumulators.SKIPPED_UPDATES),
                count(accumulators, Accumulators.DIVERGENCE_RESTORES),
                b.describeBatchSize(),
                b.fullBatch() ? "none (full batch)" : b.window().describe(),
                training.seed(),
                epochs,
                b.fullBatch() ? 1 : trained / b.batchSize(),
                List.copyOf(perEpoch.values()),
                count(accumulators, Accumulators.ITERATIONS),
                meanLoss(steps.subList(0, Math.min(LOSS_WINDOW, steps.size()))),
                meanLoss(steps.subList(Math.max(0, steps.size() - LOSS_WINDOW), steps.size())),
                steps.isEmpty() ? null : steps.get(steps.size() - 1).getSmoothedLoss(),
                epochEnds.stream().map(TrainingMetric::getLoss).toList(),
                holdoutLoss,
                holdoutAccuracy,
                holdoutEvents,
                count(accumulators, Accumulators.SNAPSHOTS),
                lastSnapshot == null ? null : lastSnapshot.getVersion(),
                lastSnapshot == null ? null : lastSnapshot.getParametersChecksum(),
                wallSeconds,
                jobSeconds > 0 ? examples / jobSeconds : 0,
                ndBackend());
    }

    static String ndBackend() {
        Object b = Nd4j.getExecutioner().getEnvironmentInformation().get("backend");
        return b == null ? Nd4j.getBackend().getClass().getSimpleName() : b.toString();
    }

    private static long count(Map<String, Object> accumulators, String name) {
        Object v = accumulators.get(name);
        return v instanceof Number n ? n.longValue() : 0;
    }

    private static Double meanLoss(List<TrainingMetric> metrics) {
        if (metrics.isEmpty()) {
            return null;
        }
        return metrics.stream().mapToDouble(TrainingMetric::getLoss).average().orElseThrow();
    }

    void writeJson(Path file) {
        try {
            new ObjectMapper()
                    .enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValue(file.toFile(), this);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the summary to " + file, e);
        }
    }

    void print(PrintStream out) {
        out.printf("%nsummary of run %s (model %s, backend %s)%n", runId, model, backend);
        out.printf(
                "  events consumed   %,d (trained %,d, dead-lettered %,d)%n",
                eventsConsumed, eventsTrained, deadLettered);
        if (lateDeadLettered + lateNextWindow > 0) {
            out.printf(
                    "  late events       %,d dead-lettered, %,d moved to the next window%n",
                    lateDeadLettered, lateNextWindow);
        }
        if (skippedUpdates > 0) {
            out.printf(
                    "  divergence guard  %,d updates skipped (non-finite loss or gradient), %,d"
                            + " restores of the last good parameters%n",
                    skippedUpdates, divergenceRestores);
        }
        out.printf(
                "  iterations        %,d at batch size %s, window %s, %d epoch%s (%s per epoch),"
                        + " untrained %d%n",
                iterations,
                batchSize,
                window,
                epochs,
                epochs == 1 ? "" : "s",
                epochIterations,
                untrained);
        out.printf(
                "  loss              %s -> %s (mean of first and last %d iterations, before"
                        + " update)%n",
                fmt(initialLoss), fmt(finalLoss), LOSS_WINDOW);
        if (!epochLosses.isEmpty()) {
            out.printf("  full-pass loss    %s (after each epoch)%n", fmtAll(epochLosses));
        }
        if (holdoutEvents > 0) {
            out.printf(
                    "  holdout           loss %s, accuracy %s on %,d events never trained on%n",
                    fmt(holdoutLoss),
                    holdoutAccuracy == null
                            ? "n/a (regression)"
                            : String.format("%.4f", holdoutAccuracy),
                    holdoutEvents);
        }
        out.printf(
                "  snapshots         %d emitted, last version %s, checksum %s%n",
                snapshotsEmitted,
                lastSnapshotVersion == null ? "none" : lastSnapshotVersion.toString(),
                modelChecksum);
        out.printf(
                "  throughput        %,.0f examples/s trained while the job ran; %.1f s wall in"
                        + " all%n",
                eventsPerSecond, wallSeconds);
    }

    private static String fmtAll(List<Double> values) {
        return values.stream().map(RunSummary::fmt).collect(Collectors.joining(", "));
    }

    private static String fmt(Double d) {
        return d == null ? "n/a" : String.format("%.4f", d);
    }
}
