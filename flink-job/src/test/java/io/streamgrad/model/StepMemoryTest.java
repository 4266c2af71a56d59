package io.streamgrad.model;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamgrad.config.InvalidSettingException;
import org.junit.jupiter.api.Test;

class StepMemoryTest {
    private static final ModelSpec LOGISTIC = ModelSpec.parse("logistic", 20, 2, Activation.RELU);
    private static final ModelSpec MLP = ModelSpec.parse("mlp:128", 784, 10, Activation.RELU);

    @Test
    void estimateCountsEveryBufferOfAStep() {
        StepMemory m = StepMemory.estimate(LOGISTIC, new OptimizerSpec("adam", 0.01), 64, 4);
        assertEquals(4L * 64 * (20 + 1), m.inputs(), "features and one target per row");
        assertEquals(4L * 64 * 4, m.activations(), "logits and loss temporaries");
        assertEquals(4L * 64 * (1 + 2 * 20), m.backward());
        assertEquals(4L * 2 * 21, m.parameters(), "21 parameters and their gradients");
        assertEquals(4L * 2 * 21, m.optimizerState(), "Adam keeps two moments per parameter");
        assertEquals(
                0,
                StepMemory.estimate(LOGISTIC, new OptimizerSpec("sgd", 0.1), 64, 4)
                        .optimizerState());
    }

    @Test
    void batchTermsGrowLinearlyWithTheBatch() {
        OptimizerSpec adam = new OptimizerSpec("adam", 0.01);
        StepMemory small = StepMemory.estimate(MLP, adam, 128, 4);
        StepMemory large = StepMemory.estimate(MLP, adam, 256, 4);
        assertEquals(2 * small.inputs(), large.inputs());
        assertEquals(2 * small.activations(), large.activations());
        assertEquals(small.parameters(), large.parameters(), "the model does not grow with b");
    }

    @Test
    void aBatchThatDoesNotFitNamesTheLargestThatDoes() {
        OptimizerSpec adam = new OptimizerSpec("adam", 0.01);
        long at256 = StepMemory.estimate(MLP, adam, 256, 4).total();
        long at512 = StepMemory.estimate(MLP, adam, 512, 4).total();
        BackendMemory budget = new BackendMemory("CPU", (at256 + at512) / 2, "a test budget");
        assertDoesNotThrow(() -> StepMemory.requireFits(MLP, adam, 256, "256", budget));
        InvalidSettingException e =
                assertThrows(
                        InvalidSettingException.class,
                        () -> StepMemory.requireFits(MLP, adam, 4096, "4096", budget));
        assertEquals("batch-size", e.settings().get(0), "names the setting at fault");
        String flags = e.render(name -> "--" + name);
        assertTrue(flags.contains("--batch-size 4096 does not fit"), flags);
        assertTrue(flags.contains("the largest power of two that fits is --batch-size 256"), flags);

        BackendMemory tiny = new BackendMemory("CUDA", 1024, "free device memory");
        IllegalArgumentException none =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> StepMemory.requireFits(MLP, adam, 1, "1", tiny));
        assertTrue(none.getMessage().contains("even a batch of 1 does not fit"), none.getMessage());
    }

    @Test
    void theLoadedBackendReportsUsableMemory() {
        BackendMemory m = BackendMemory.current();
        assertEquals("CPU", m.backend());
        assertTrue(m.availableBytes() > 64L << 20, "at least 64 MiB free: " + m);
        assertTrue(
                m.availableBytes() <= Runtime.getRuntime().maxMemory() * 4 + (64L << 30),
                "a plausible figure: " + m);
    }
}
