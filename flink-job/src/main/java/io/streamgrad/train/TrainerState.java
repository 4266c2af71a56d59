package io.streamgrad.train;

import io.streamgrad.model.FeatureScaler;

/**
 * Everything a model's trainer needs to resume, as plain values: it is the Flink keyed state of a
 * model and goes into every checkpoint.
 *
 * @param iteration updates made so far
 * @param shuffleIndex shuffles made so far (the next shuffle's index; see {@link
 *     ModelTrainer#nextShuffleIndex})
 * @param lastSnapshotVersion iteration of the last snapshot emitted, -1 if none
 * @param epoch the pass over bounded input in progress, 1-based; 0 for live streams
 * @param epochIteration updates made in the current epoch
 * @param scaler the feature statistics, null when none were kept
 * @param skippedInARow updates skipped in a row by the divergence guard
 * @param lastGoodParameters parameters to go back to when the guard gives up, null: the current
 * @param lastGoodOptimizerState the optimizer state that went with them
 * @param driftState the drift detectors' state ({@link io.streamgrad.drift.DriftMonitor#state}),
 *     null when the run has none: checkpointed with the model, so a resumed run keeps watching the
 *     same loss history
 * @param lineage the offsets trained and the warm-start parent ({@link ModelLineage}); null in
 *     state written before lineage was kept, adopted as {@link ModelLineage#ADOPTED}
 */
public record TrainerState(
        float[] parameters,
        float[] optimizerState,
        long iteration,
        long examplesSeen,
        long shuffleIndex,
        double lastLoss,
        double smoothedLoss,
        long lastSnapshotVersion,
        int epoch,
        long epochIteration,
        FeatureScaler.State scaler,
        int skippedInARow,
        float[] lastGoodParameters,
        float[] lastGoodOptimizerState,
        byte[] driftState,
        ModelLineage lineage) {}
