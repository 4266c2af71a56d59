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
}
