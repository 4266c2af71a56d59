package io.streamgrad.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamgrad.config.InvalidSettingException;
import io.streamgrad.model.Activation;
import io.streamgrad.model.ModelSpec;
import io.streamgrad.model.OptimizerSpec;
import io.streamgrad.window.WindowSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelConfigsTest {
    private static final TrainingConfig SGD =
            TestData.config(TestData.batching(64, new WindowSpec.Count(4), 1), "sgd", 0.1);
    private static final TrainingConfig ADAM =
            TestData.config(TestData.batching(64, new WindowSpec.Count(4), 1), "adam", 0.01);

    @Test
    void aVariantKeyNamesItsVariantAndTheKeyWhoseEventsItTrains() {
        ModelConfigs c =
                ModelConfigs.variants(
                        List.of(
                                new ModelConfigs.Variant("sgd", "optimizer=sgd", SGD),
                                new ModelConfigs.Variant("adam", "optimizer=adam", ADAM)));
        assertTrue(c.hasVariants());
        assertEquals("user@x.org@adam", ModelConfigs.variantKey("user@x.org", "adam"));
        assertSame(ADAM, c.forKey("user@x.org@adam"));
        assertEquals("user@x.org", c.sourceKey("user@x.org@adam"), "the last @ separates");
        assertEquals("sgd", c.variantOf("k@sgd").name());
        assertTrue(c.isFirst(c.variantOf("k@sgd")));
        assertSame(SGD, c.base());
        assertThrows(IllegalArgumentException.class, () -> c.forKey("k@rmsprop"));
        assertThrows(IllegalArgumentException.class, () -> c.forKey("k"));

        ModelConfigs one = ModelConfigs.of(SGD);
        assertNull(one.variantOf("k@sgd"));
        assertEquals("k@sgd", one.sourceKey("k@sgd"), "without variants a key is its own");
        assertSame(SGD, one.forKey("anything"));
    }

    @Test
    void variantsMustAgreeOnWhatAnEventIsAndHaveDistinctNames() {
        TrainingConfig wider =
                new TrainingConfig(
                        ModelSpec.parse("logistic", 12, 2, Activation.RELU),
                        new OptimizerSpec("sgd", 0.1),
                        TestData.batching(64, new WindowSpec.Count(4), 1),
                        7,
                        1_000,
                        0.05);
        InvalidSettingException e =
                assertThrows(
                        InvalidSettingException.class,
                        () ->
                                ModelConfigs.variants(
                                        List.of(
                                                new ModelConfigs.Variant("a", "", SGD),
                                                new ModelConfigs.Variant("b", "", wider))));
        assertTrue(e.getMessage().contains("agree on the features"), e.getMessage());
        assertThrows(
                InvalidSettingException.class,
                () ->
                        ModelConfigs.variants(
                                List.of(
                                        new ModelConfigs.Variant("a", "", SGD),
                                        new ModelConfigs.Variant("a", "", ADAM))));
        assertThrows(InvalidSettingException.class, () -> new ModelConfigs.Variant("a@b", "", SGD));
        assertThrows(InvalidSettingException.class, () -> ModelConfigs.variants(List.of()));
    }

    private static TrainingConfig with(Batching b, long seed) {
        return new TrainingConfig(logistic(), new OptimizerSpec("sgd", 0.1), b, seed, 1_000, 0.05);
    }

    private static ModelConfigs two(TrainingConfig a, TrainingConfig b) {
        return ModelConfigs.variants(
                List.of(
                        new ModelConfigs.Variant("a", "", a),
                        new ModelConfigs.Variant("b", "", b)));
    }

    private static ModelSpec logistic() {
        return TestData.logistic();
    }

    @Test
    void variantsReadTheRangeAlikeSoThatOneReadServesThemAll() {
        Batching blocks =
                TestData.batching(64, new WindowSpec.Count(4), 2).withShuffle(ShuffleMode.BLOCKS);
        // Another optimizer, batch size or learning rate reads the range alike: one replay.
        ModelConfigs same = two(with(blocks, 7), adam(blocks.withBatchSize(128), 7));
        ReplayPlan plan = same.replayPlan();
        assertEquals(2, plan.epochs());
        assertEquals(ShuffleMode.BLOCKS, plan.order());
        assertEquals(7, plan.seed());

        // Epochs, the full-pass loss, the order, and a blocks order's seed and blocks must agree.
        for (TrainingConfig other :
                List.of(
                        with(blocks.withEpochs(3), 7),
                        with(blocks.withFullPassLoss(false), 7),
                        with(blocks.withShuffle(ShuffleMode.WINDOW), 7),
                        with(blocks, 8),
                        with(blocks.withBlocks(256, 16), 7),
                        with(blocks.withShuffle(ShuffleMode.PASS), 7))) {
            InvalidSettingException e =
                    assertThrows(InvalidSettingException.class, () -> two(with(blocks, 7), other));
            String m = e.getMessage();
            assertTrue(m.startsWith("variant b reads the range as "), m);
            assertTrue(m.contains("but a as epochs 2, full-pass-loss, shuffle blocks ("), m);
            assertTrue(m.contains("shuffle pass to keep the range in state"), m);
        }

        // A window order reads in source order whatever the seed: seeds may differ there.
        Batching window = blocks.withShuffle(ShuffleMode.WINDOW);
        assertEquals(
                ShuffleMode.WINDOW, two(with(window, 7), with(window, 8)).replayPlan().order());

        // Kept in state: read once, no replay, and the epochs may differ.
        Batching pass = blocks.withShuffle(ShuffleMode.PASS);
        assertNull(two(with(pass, 7), with(pass.withEpochs(5), 8)).replayPlan());
    }

    private static TrainingConfig adam(Batching b, long seed) {
        return new TrainingConfig(
                logistic(), new OptimizerSpec("adam", 0.01), b, seed, 1_000, 0.05);
    }
}
