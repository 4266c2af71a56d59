package io.streamgrad.cli;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.streamgrad.job.Accumulators;
import io.streamgrad.schema.ModelSnapshot;
import io.streamgrad.schema.TrainingMetric;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
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
        @JsonProperty("dead_lettered") long deadLettered,
        @JsonProperty("batch_size") int batchSize,
        @JsonProperty("iterations") long iterations,
        @JsonProperty("initial_loss") Double initialLoss,
        @JsonProperty("final_loss") Double finalLoss,
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

    static RunSummary of(
            String runId,
            String model,
            Map<String, Object> accumulators,
            int batchSize,
            List<TrainingMetric> metrics,
            List<ModelSnapshot> snapshots,
            Double holdoutLoss,
            Double holdoutAccuracy,
            long holdoutEvents,
            double wallSeconds,
            double jobSeconds) {
        List<TrainingMetric> ordered =
                metrics.stream()
                        .sorted(Comparator.comparingLong(TrainingMetric::getIteration))
                        .toList();
        ModelSnapshot lastSnapshot =
                snapshots.stream()
                        .max(Comparator.comparingLong(ModelSnapshot::getVersion))
                        .orElse(null);
        long trained = count(accumulators, Accumulators.EVENTS_TRAINED);
        return new RunSummary(
                runId,
                model,
                count(accumulators, Accumulators.EVENTS_CONSUMED),
                trained,
                count(accumulators, Accumulators.DEAD_LETTERED),
                batchSize,
                count(accumulators, Accumulators.ITERATIONS),
                meanLoss(ordered.subList(0, Math.min(LOSS_WINDOW, ordered.size()))),
                meanLoss(
                        ordered.subList(Math.max(0, ordered.size() - LOSS_WINDOW), ordered.size())),
                holdoutLoss,
                holdoutAccuracy,
                holdoutEvents,
                count(accumulators, Accumulators.SNAPSHOTS),
                lastSnapshot == null ? null : lastSnapshot.getVersion(),
                lastSnapshot == null ? null : lastSnapshot.getParametersChecksum(),
                wallSeconds,
                jobSeconds > 0 ? trained / jobSeconds : 0,
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
        out.printf("  iterations        %,d at batch size %d%n", iterations, batchSize);
        out.printf(
                "  loss              %s -> %s (mean of first and last %d iterations, before"
                        + " update)%n",
                fmt(initialLoss), fmt(finalLoss), LOSS_WINDOW);
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
                "  throughput        %,.0f events/s trained while the job ran; %.1f s wall in"
                        + " all%n",
                eventsPerSecond, wallSeconds);
    }

    private static String fmt(Double d) {
        return d == null ? "n/a" : String.format("%.4f", d);
    }
}
