package io.streamgrad.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamgrad.batch.Batch;
import io.streamgrad.batch.TrainingExample;
import io.streamgrad.model.Activation;
import io.streamgrad.model.ModelSpec;
import io.streamgrad.model.OptimizerSpec;
import io.streamgrad.window.WindowSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

class DivergenceGuardTest {
    @Test
    void anAbsurdLearningRateEndsWithFiniteParametersAndCountedSkips() {
        TrainingConfig config =
                new TrainingConfig(
                        // Hidden layers: the gradient grows with the weights, so huge steps
                        // overflow float32 on either compute path (a logistic regression's
                        // gradient is bounded, and in double its weights stay finite).
                        ModelSpec.parse("mlp:8", TestData.FEATURES, 2, Activation.RELU),
                        new OptimizerSpec("sgd", 1e30),
                        TestData.batching(64, new WindowSpec.Count(4), 1),
                        7,
                        1_000,
                        0.05,
                        3);
        ModelTrainer trainer = ModelTrainer.create("m", config);
        List<TrainingExample> data = TestData.binary(64 * 200, 4);
        int skipped = 0;
        int restored = 0;
        int applied = 0;
        for (int i = 0; i < 200; i++) {
            ModelTrainer.Step s =
                    trainer.train(Batch.of("m", i, data.subList(i * 64, i * 64 + 64)));
            if (s.applied()) {
                applied++;
            } else {
                skipped++;
                assertTrue(
                        s.alert() != null && s.alert().startsWith("non-finite") || s.restored(),
                        s.alert());
            }
            if (s.restored()) {
                restored++;
            }
            assertTrue(trainer.network().parametersFinite(), "finite after step " + (i + 1));
        }
        assertTrue(skipped > 0, "an update of 1e30 times the gradient must blow up");
        assertTrue(restored > 0, "and the guard must have gone back");
        assertEquals(200, applied + skipped);
        assertEquals(200, trainer.iteration());
        assertEquals(applied * 64L, trainer.examplesSeen(), "skipped batches are not trained");
        // The trainer survives a restore from its own checkpointed state, guard state included.
        ModelTrainer again = ModelTrainer.restore("m", config, trainer.state());
        assertTrue(again.network().parametersFinite());
    }

    @Test
    void aSaneLearningRateNeverTriggersTheGuard() {
        TrainingConfig config =
                TestData.config(TestData.batching(64, new WindowSpec.Count(4), 1), "sgd", 0.1);
        ModelTrainer trainer = ModelTrainer.create("m", config);
        List<TrainingExample> data = TestData.binary(64 * 50, 5);
        for (int i = 0; i < 50; i++) {
            ModelTrainer.Step s =
                    trainer.train(Batch.of("m", i, data.subList(i * 64, i * 64 + 64)));
            assertTrue(s.applied() && s.alert() == null);
        }
    }
}
