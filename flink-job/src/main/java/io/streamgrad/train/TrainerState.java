package io.streamgrad.train;

/**
 * Everything a model's trainer needs to resume, as plain values: it is the Flink keyed state of a
 * model and goes into every checkpoint.
 *
 * @param iteration updates made so far
 * @param window windows closed so far (the next window's index)
 * @param lastSnapshotVersion iteration of the last snapshot emitted, -1 if none
 * @param epoch the pass over bounded input in progress, 1-based; 0 for live streams
 * @param epochIteration updates made in the current epoch
 */
public record TrainerState(
        float[] parameters,
        float[] optimizerState,
        long iteration,
        long examplesSeen,
        long window,
        double lastLoss,
        double smoothedLoss,
        long lastSnapshotVersion,
        int epoch,
        long epochIteration) {}
