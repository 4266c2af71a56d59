package io.streamgrad.train;

import io.streamgrad.schema.EventCounts;
import io.streamgrad.schema.MetricKind;
import io.streamgrad.schema.TrainingMetric;
import java.util.ArrayList;
import java.util.List;

/** Builds the {@link TrainingMetric} records of a run from what training measured. */
public final class TrainingMetrics {
    private TrainingMetrics() {}

    /**
     * The metric of one update (kind ITERATION, or ALERT when the divergence guard acted).
     *
     * @param emittedAt processing time (ms) when the metric was emitted
     */
    public static TrainingMetric ofStep(String runId, ModelTrainer.Step s, long emittedAt) {
        return TrainingMetric.newBuilder()
                .setRunId(runId)
                .setModel(s.modelKey())
                .setIteration(s.iteration())
                .setKind(s.alert() == null ? MetricKind.ITERATION : MetricKind.ALERT)
                .setDetail(s.alert() == null ? "" : s.alert())
                .setEpoch(s.epoch())
                .setEpochIteration(s.epoch() == 0 ? s.iteration() : s.epochIteration())
                .setWindow(s.shuffleIndex())
                .setBatchSize(s.batchSize())
                .setLoss(s.loss())
                .setSmoothedLoss(s.smoothedLoss())
                .setAccuracy(s.accuracy())
                .setExamplesSeen(s.examplesSeen())
                .setBatchEventTimeMin(s.minEventTime())
                .setBatchEventTimeMax(s.maxEventTime())
                .setEmittedAt(emittedAt)
                .setStepSeconds(s.stepNanos() / 1e9)
                .build();
    }

    /**
     * The metrics of one update: {@link #ofStep}, then one DRIFT metric per drift detector that
     * fired on its loss (the iteration's fields, {@code detail} saying which detector and when).
     *
     * @param emittedAt processing time (ms) when the metrics were emitted
     */
    public static List<TrainingMetric> ofStepAndDrift(
            String runId, ModelTrainer.Step s, long emittedAt) {
        TrainingMetric step = ofStep(runId, s, emittedAt);
        if (s.driftAlarms().isEmpty()) {
            return List.of(step);
        }
        List<TrainingMetric> out = new ArrayList<>(1 + s.driftAlarms().size());
        out.add(step);
        for (String detail : s.driftAlarms()) {
            out.add(
                    TrainingMetric.newBuilder(step)
                            .setKind(MetricKind.DRIFT)
                            .setDetail(detail)
                            .build());
        }
        return out;
    }

    /**
     * A model's event accounting (kind COUNTS): {@code counts} set, {@code batch_size} and {@code
     * examples_seen} 0, losses NaN, {@code iteration} the model's update count.
     */
    public static TrainingMetric ofCounts(
            String runId, String modelKey, long iteration, ModelCounts c, long emittedAt) {
        return TrainingMetric.newBuilder()
                .setRunId(runId)
                .setModel(modelKey)
                .setIteration(iteration)
                .setKind(MetricKind.COUNTS)
                .setWindow(-1)
                .setBatchSize(0)
                .setLoss(Double.NaN)
                .setSmoothedLoss(Double.NaN)
                .setExamplesSeen(0)
                .setBatchEventTimeMin(0)
                .setBatchEventTimeMax(0)
                .setEmittedAt(emittedAt)
                .setCounts(
                        new EventCounts(c.consumed(), c.trained(), c.deadLettered(), c.pending()))
                .build();
    }

    /**
     * The metric of the end of an epoch (kind EPOCH): the full-pass loss; {@code batch_size} holds
     * the examples evaluated and {@code window} is -1.
     */
    public static TrainingMetric ofEpochEnd(String runId, EpochEnd e, long emittedAt) {
        return TrainingMetric.newBuilder()
                .setRunId(runId)
                .setModel(e.modelKey())
                .setIteration(e.iteration())
                .setKind(MetricKind.EPOCH)
                .setEpoch(e.epoch())
                .setEpochIteration(e.epochIterations())
                .setWindow(-1)
                .setBatchSize(e.examples())
                .setLoss(e.loss())
                .setSmoothedLoss(e.smoothedLoss())
                .setAccuracy(e.accuracy())
                .setExamplesSeen(e.examplesSeen())
                .setBatchEventTimeMin(0)
                .setBatchEventTimeMax(0)
                .setEmittedAt(emittedAt)
                .build();
    }
}
