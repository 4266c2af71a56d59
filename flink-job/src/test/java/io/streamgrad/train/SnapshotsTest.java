package io.streamgrad.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.streamgrad.batch.Batch;
import io.streamgrad.batch.TrainingExample;
import io.streamgrad.model.DenseNetwork;
import io.streamgrad.model.LrSchedule;
import io.streamgrad.model.OptimizerSpec;
import io.streamgrad.model.Standardization;
import io.streamgrad.schema.AvroSerde;
import io.streamgrad.schema.ModelSnapshot;
import io.streamgrad.window.WindowSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SnapshotsTest {
    /**
     * A snapshot carries everything prediction and further training need: the feature statistics
     * (applied when predicting), the loss, and the optimizer with its settings and state.
     */
    @Test
    void aStandardizedModelPredictsAndTrainsOnIdenticallyAfterASnapshot() {
        TrainingConfig config =
                new TrainingConfig(
                        TestData.logistic()
                                .withStandardization(Standardization.ON)
                                .withClassNames(List.of("no", "yes")),
                        new OptimizerSpec(
                                "momentum",
                                0.05,
                                0.8,
                                0.01,
                                2.0,
                                LrSchedule.parse("step:5:0.5", 3)),
                        TestData.batching(32, new WindowSpec.Count(1), 1),
                        3,
                        1_000,
                        0.05);
        ModelTrainer trainer = ModelTrainer.create("m", config);
        List<TrainingExample> data = TestData.binary(32 * 12, 9);
        for (int i = 0; i < 10; i++) {
            trainer.train(Batch.of("m", i, data.subList(i * 32, i * 32 + 32)));
        }
        AvroSerde<ModelSnapshot> serde = AvroSerde.of(ModelSnapshot.class);
        ModelSnapshot snapshot =
                serde.deserialize(serde.serialize(Snapshots.of(trainer, "run", 1L, Map.of())));
        assertNotNull(snapshot.getStandardization());
        assertEquals(320, snapshot.getStandardization().getCount());
        DenseNetwork rebuilt = Snapshots.rebuild(snapshot);
        assertEquals(config.spec(), rebuilt.spec(), "class names, loss, l2, statistics mode");
        assertEquals(config.optimizer(), rebuilt.optimizerSpec());

        Batch held = Batch.of("m", 10, data.subList(320, 352));
        assertArrayEquals(
                trainer.network().predict(held.x(), held.size()),
                rebuilt.predict(held.x(), held.size()),
                "the same statistics applied when predicting");
        // One more update on each: same optimizer state, same statistics, same result.
        trainer.network().step(held.x(), held.labels(), held.size(), 10);
        rebuilt.step(held.x(), held.labels(), held.size(), 10);
        assertArrayEquals(trainer.network().parameters(), rebuilt.parameters());
    }
}
