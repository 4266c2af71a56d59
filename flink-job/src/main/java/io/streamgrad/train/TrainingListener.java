package io.streamgrad.train;

/**
 * Receives what training produces, in order: a step per update, an epoch end per pass over bounded
 * input, and a snapshot when one is due. The Flink operator turns these into records; offline
 * replays and tests collect them.
 */
public interface TrainingListener {
    void onStep(ModelTrainer.Step step);

    void onEpochEnd(EpochEnd end);

    /** Called after the update that made a snapshot due; the trainer holds the model to save. */
    void onSnapshot(ModelTrainer trainer);
}
