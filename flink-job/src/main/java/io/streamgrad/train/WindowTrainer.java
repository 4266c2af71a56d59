package io.streamgrad.train;

import io.streamgrad.batch.Batch;
import io.streamgrad.batch.MiniBatcher;
import io.streamgrad.batch.TrainingExample;
import java.util.List;
import java.util.function.Consumer;

/**
 * What happens when a window closes, free of Flink: cut the window into shuffled power-of-two
 * batches, train each, and report steps and due snapshots. The Flink operator and offline replays
 * both call this, so they train identically.
 */
public final class WindowTrainer {
    private WindowTrainer() {}

    /**
     * Trains a closed window.
     *
     * @param last the end of bounded input: the remainder is trained in power-of-two pieces and a
     *     final snapshot is requested
     * @param onStep called after each update with what it measured
     * @param onSnapshot called when a snapshot is due, after the update that made it due
     * @return the examples carried to the next window (none when {@code last})
     */
    public static List<TrainingExample> close(
            ModelTrainer trainer,
            List<TrainingExample> window,
            boolean last,
            Consumer<ModelTrainer.Step> onStep,
            Consumer<ModelTrainer> onSnapshot) {
        TrainingConfig config = trainer.config();
        List<Batch> batches;
        List<TrainingExample> carried;
        if (window.isEmpty()) {
            batches = List.of();
            carried = List.of();
        } else if (last) {
            batches =
                    MiniBatcher.cutFinal(
                            trainer.model(),
                            trainer.nextWindow(),
                            window,
                            config.batchSize(),
                            config.seed());
            carried = List.of();
        } else {
            MiniBatcher.Cut cut =
                    MiniBatcher.cut(
                            trainer.model(),
                            trainer.nextWindow(),
                            window,
                            config.batchSize(),
                            config.seed());
            batches = cut.batches();
            carried = cut.carried();
        }
        for (Batch batch : batches) {
            onStep.accept(trainer.train(batch));
            if (trainer.snapshotDue()) {
                onSnapshot.accept(trainer);
                trainer.markSnapshot();
            }
        }
        if (last && trainer.hasUnsnapshottedUpdates()) {
            onSnapshot.accept(trainer);
            trainer.markSnapshot();
        }
        return carried;
    }
}
