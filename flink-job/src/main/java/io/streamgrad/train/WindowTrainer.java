package io.streamgrad.train;

import io.streamgrad.batch.Batch;
import io.streamgrad.batch.MiniBatcher;
import io.streamgrad.batch.TrainingExample;
import io.streamgrad.model.DenseNetwork;
import java.util.ArrayList;
import java.util.List;

/**
 * What happens when a window closes and when bounded input ends, free of Flink: cut into shuffled
 * power-of-two batches, train each, report steps, epoch ends and due snapshots. The Flink operator
 * and offline replays both call this, so they train identically.
 *
 * <p>Remainder policy: what does not fill a batch is carried to the next window, and from the last
 * window of an epoch into the next epoch; at the very end of bounded input it is trained in
 * decreasing power-of-two pieces (100 left at batch 64 → 64, 32, 4). So every event of a bounded
 * run is trained exactly once per epoch and nothing is left untrained.
 */
public final class WindowTrainer {
    private WindowTrainer() {}

    /**
     * Trains a closed window: the examples carried from before plus the window's own.
     *
     * @return the examples carried to the next window (fewer than one batch)
     */
    public static List<TrainingExample> close(
            ModelTrainer trainer, List<TrainingExample> examples, TrainingListener listener) {
        if (examples.isEmpty()) {
            return List.of();
        }
        TrainingConfig c = trainer.config();
        MiniBatcher.Cut cut =
                MiniBatcher.cut(
                        trainer.shuffleKey(),
                        trainer.epoch(),
                        trainer.nextShuffleIndex(),
                        examples,
                        c.batchSize(),
                        c.seed());
        train(trainer, cut.batches(), listener);
        return cut.carried();
    }

    /**
     * A live stream went quiet: trains everything that has arrived (the carried remainder and the
     * open windows) in decreasing power-of-two pieces, and requests a snapshot, so the published
     * model has seen every event so far. Training resumes with the next arrivals.
     */
    public static void flush(
            ModelTrainer trainer, List<TrainingExample> examples, TrainingListener listener) {
        if (examples.isEmpty()) {
            return;
        }
        trainRemainder(trainer, examples, listener);
        if (trainer.hasUnsnapshottedUpdates()) {
            listener.onSnapshot(trainer);
            trainer.markSnapshot();
        }
    }

    /**
     * The end of a replayed range's last epoch: trains the remainder carried from its windows in
     * decreasing power-of-two pieces, so every event of the epoch is trained.
     */
    public static void trainRemainder(
            ModelTrainer trainer, List<TrainingExample> remainder, TrainingListener listener) {
        if (remainder.isEmpty()) {
            return;
        }
        TrainingConfig c = trainer.config();
        train(
                trainer,
                MiniBatcher.cutFinal(
                        trainer.shuffleKey(),
                        trainer.epoch(),
                        trainer.nextShuffleIndex(),
                        remainder,
                        c.batchSize(),
                        c.seed()),
                listener);
    }

    /**
     * The end of bounded input: finishes the first epoch, runs the others over {@code pass}, and
     * requests a final snapshot.
     *
     * @param remainder examples of the first epoch not yet trained (the open windows and the carry)
     * @param pass every example of the pass, or null when the run does not keep it (one epoch
     *     without full-pass loss)
     */
    public static void finish(
            ModelTrainer trainer,
            List<TrainingExample> remainder,
            List<TrainingExample> pass,
            TrainingListener listener) {
        TrainingConfig c = trainer.config();
        Batching b = c.batching();
        if (b.fullBatch()) {
            for (int e = 1; e <= b.epochs(); e++) {
                trainer.startEpoch(e);
                if (!pass.isEmpty()) {
                    train(
                            trainer,
                            List.of(
                                    MiniBatcher.whole(
                                            trainer.shuffleKey(),
                                            trainer.nextShuffleIndex(),
                                            pass)),
                            listener);
                }
                endEpoch(trainer, pass, listener);
            }
        } else {
            List<TrainingExample> carry = remainder;
            for (int e = trainer.epoch(); e <= b.epochs(); e++) {
                if (e > trainer.epoch()) {
                    trainer.startEpoch(e);
                    List<TrainingExample> pool = new ArrayList<>(carry.size() + pass.size());
                    pool.addAll(carry);
                    pool.addAll(pass);
                    carry = pool;
                }
                if (e == b.epochs()) {
                    if (!carry.isEmpty()) {
                        train(
                                trainer,
                                MiniBatcher.cutFinal(
                                        trainer.shuffleKey(),
                                        e,
                                        trainer.nextShuffleIndex(),
                                        carry,
                                        c.batchSize(),
                                        c.seed()),
                                listener);
                    }
                } else {
                    carry = close(trainer, carry, listener);
                }
                if (pass != null) {
                    endEpoch(trainer, pass, listener);
                }
            }
        }
        if (trainer.hasUnsnapshottedUpdates()) {
            listener.onSnapshot(trainer);
            trainer.markSnapshot();
        }
    }

    private static void train(ModelTrainer trainer, List<Batch> batches, TrainingListener l) {
        for (Batch batch : batches) {
            l.onStep(trainer.train(batch));
            if (trainer.snapshotDue()) {
                l.onSnapshot(trainer);
                trainer.markSnapshot();
            }
        }
    }

    private static void endEpoch(
            ModelTrainer trainer, List<TrainingExample> pass, TrainingListener listener) {
        DenseNetwork.Evaluation full = trainer.fullPass(pass);
        listener.onEpochEnd(
                new EpochEnd(
                        trainer.modelKey(),
                        trainer.epoch(),
                        trainer.iteration(),
                        trainer.epochIteration(),
                        full.loss(),
                        full.accuracy(),
                        full.examples(),
                        trainer.smoothedLoss(),
                        trainer.examplesSeen()));
    }
}
