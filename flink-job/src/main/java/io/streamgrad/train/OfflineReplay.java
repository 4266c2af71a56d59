package io.streamgrad.train;

import io.streamgrad.batch.Batching;
import io.streamgrad.batch.TrainingExample;
import io.streamgrad.batch.WindowSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Trains a bounded list of examples outside Flink exactly as the job's operator would, window for
 * window: count windows in arrival order, event-time windows in window order (every event on time),
 * then the end of input with its epochs. What a job did can be recomputed and compared bit for bit,
 * and the theory tests run on the product's own code path.
 */
public final class OfflineReplay {
    private OfflineReplay() {}

    public static ModelTrainer replay(
            String model,
            TrainingConfig config,
            List<TrainingExample> arrivals,
            TrainingListener listener) {
        Batching b = config.batching();
        ModelTrainer trainer = ModelTrainer.create(model, config);
        trainer.startEpoch(1);
        List<TrainingExample> carry = new ArrayList<>();
        if (!b.fullBatch() && b.window() instanceof WindowSpec.Count) {
            List<TrainingExample> open = new ArrayList<>();
            for (TrainingExample e : arrivals) {
                open.add(e);
                if (open.size() >= b.countWindowSize()) {
                    carry.addAll(open);
                    carry = new ArrayList<>(WindowTrainer.close(trainer, carry, listener));
                    open.clear();
                }
            }
            carry.addAll(open);
        } else if (!b.fullBatch() && b.window() instanceof WindowSpec.EventTime w) {
            TreeMap<Long, List<TrainingExample>> windows = new TreeMap<>();
            for (TrainingExample e : arrivals) {
                windows.computeIfAbsent(w.windowOf(e.eventTime()), k -> new ArrayList<>()).add(e);
            }
            for (List<TrainingExample> window : windows.values()) {
                carry.addAll(window);
                carry = new ArrayList<>(WindowTrainer.close(trainer, carry, listener));
            }
        }
        WindowTrainer.finish(trainer, carry, b.keepsPass() ? arrivals : null, listener);
        return trainer;
    }

    /** A listener that keeps nothing. */
    public static TrainingListener ignoring() {
        return new TrainingListener() {
            @Override
            public void onStep(ModelTrainer.Step step) {}

            @Override
            public void onEpochEnd(EpochEnd end) {}

            @Override
            public void onSnapshot(ModelTrainer trainer) {}
        };
    }
}
