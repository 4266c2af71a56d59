package io.streamgrad.train;

import io.streamgrad.batch.TrainingExample;
import io.streamgrad.model.Activation;
import io.streamgrad.model.ModelSpec;
import io.streamgrad.model.OptimizerSpec;
import io.streamgrad.producers.SyntheticConfig;
import io.streamgrad.producers.SyntheticEvents;
import io.streamgrad.schema.LabeledEvent;
import io.streamgrad.schema.Task;
import io.streamgrad.window.LatePolicy;
import io.streamgrad.window.WindowSpec;
import java.util.ArrayList;
import java.util.List;

/** Labeled examples from the synthetic teacher, and configs, for tests of training. */
final class TestData {
    static final int FEATURES = 10;

    private TestData() {}

    static ModelSpec logistic() {
        return ModelSpec.parse("logistic", FEATURES, 2, Activation.RELU);
    }

    /** n binary examples from the teacher with logit noise 0.5, event times 10 ms apart. */
    static List<TrainingExample> binary(int n, long seed) {
        SyntheticConfig c =
                new SyntheticConfig(
                        "t", "m", Task.BINARY, FEATURES, 2, 0.5, n, 0, 1, seed, 0, false);
        List<TrainingExample> out = new ArrayList<>(n);
        for (LabeledEvent e : new SyntheticEvents(c).all()) {
            out.add(EventValidator.validate(e, logistic()));
        }
        return out;
    }

    static Batching batching(int batchSize, WindowSpec window, int epochs) {
        return new Batching(
                batchSize,
                batchSize == 0,
                window,
                5_000,
                0,
                LatePolicy.DEADLETTER,
                epochs,
                Batching.DEFAULT_FULL_BATCH_LIMIT,
                true,
                io.streamgrad.train.ShuffleMode.WINDOW,
                io.streamgrad.train.Batching.AUTO_BLOCK_OFFSETS,
                io.streamgrad.train.Batching.DEFAULT_GROUP_BLOCKS);
    }

    static TrainingConfig config(Batching b, String optimizer, double lr) {
        return new TrainingConfig(logistic(), new OptimizerSpec(optimizer, lr), b, 7, 1_000, 0.05);
    }

    /** Keeps everything training reports. */
    static final class Recorder implements TrainingListener {
        final List<ModelTrainer.Step> steps = new ArrayList<>();
        final List<EpochEnd> epochs = new ArrayList<>();
        int snapshots;

        @Override
        public void onStep(ModelTrainer.Step step) {
            steps.add(step);
        }

        @Override
        public void onEpochEnd(EpochEnd end) {
            epochs.add(end);
        }

        @Override
        public void onSnapshot(ModelTrainer trainer) {
            snapshots++;
        }
    }

    /** A keyed trainer's listener that records each step's and epoch end's loss, nothing else. */
    static KeyedTrainer.Listener lossListener(List<Double> losses) {
        return new KeyedTrainer.Listener() {
            @Override
            public void onStep(ModelTrainer.Step step) {
                losses.add(step.loss());
            }

            @Override
            public void onEpochEnd(EpochEnd end) {
                losses.add(end.loss());
            }

            @Override
            public void onSnapshot(ModelTrainer trainer) {}

            @Override
            public void onAccepted(TrainingExample e) {}

            @Override
            public void onLate(
                    TrainingExample e,
                    long time,
                    long ownWindow,
                    long watermark,
                    boolean deadLettered) {}

            @Override
            public void onIdleFlush() {}

            @Override
            public void onCounts(String modelKey, long iteration, ModelCounts counts) {}
        };
    }
}
