package io.streamgrad.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamgrad.batch.BatchSize;
import io.streamgrad.config.InvalidSettingException;
import io.streamgrad.producers.SyntheticConfig;
import io.streamgrad.run.flags.BatchingOptions;
import io.streamgrad.run.flags.DemoOptions;
import io.streamgrad.run.flags.ModelOptions;
import io.streamgrad.schema.Task;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class AutoBatchSizeTest {
    private static DemoOptions demo(String... args) {
        DemoOptions o = new DemoOptions();
        new CommandLine(o).parseArgs(args);
        return o;
    }

    @Test
    void aSmallBoundedSetTrainsWithTheFullBatchWithoutAPilot() {
        DemoOptions o = demo("--batch-size", "auto", "--events", "1500");
        AutoBatchSize.Choice c =
                AutoBatchSize.resolve(
                        o.model,
                        o.batching,
                        1_500,
                        () -> {
                            throw new AssertionError("no pilot for a small set");
                        });
        assertEquals("full", c.batchSize());
        assertEquals("full", o.batching.batchSize);
        assertTrue(c.reason().startsWith("batch size auto -> full: 1,500 events"), c.reason());
        assertTrue(o.batching.toBatching().fullBatch());
    }

    @Test
    void theDemoPlanSaysWhatAutoChose() {
        DemoRun.Plan p = DemoRun.plan(demo("--batch-size", "auto", "--events", "2000"));
        assertTrue(p.training().batching().fullBatch());
        assertTrue(p.batchChoice().contains("within --full-batch-limit 2,000"), p.batchChoice());
        assertNull(DemoRun.plan(demo("--events", "2000")).batchChoice(), "not auto: no line");
    }

    @Test
    void aLargerSetGetsThePowerOfTwoAPilotRecommends() {
        DemoOptions o = demo("--batch-size", "auto", "--features", "10", "--optimizer", "sgd");
        SyntheticConfig c =
                new SyntheticConfig("t", "m", Task.BINARY, 10, 2, 0.5, 4_096, 0, 1, 3, 0, false);
        AutoBatchSize.Choice choice =
                AutoBatchSize.resolve(
                        o.model,
                        o.batching,
                        100_000,
                        () -> new io.streamgrad.producers.SyntheticEvents(c).all());
        int b = Integer.parseInt(choice.batchSize());
        assertTrue(BatchSize.isPowerOfTwo(b), choice.reason());
        assertEquals(b, o.batching.toBatching().batchSize());
        assertTrue(choice.reason().startsWith("batch size auto -> " + b + ":"), choice.reason());
        assertTrue(choice.reason().contains("B_noise"), choice.reason());
    }

    @Test
    void otherValuesAreLeftAloneAndAutoIsNeverAJobSetting() {
        BatchingOptions b = new BatchingOptions();
        new CommandLine(b).parseArgs("--batch-size", "128");
        assertNull(AutoBatchSize.resolve(new ModelOptions(), b, 10, () -> null));
        assertEquals("128", b.batchSize);
        new CommandLine(b).parseArgs("--batch-size", "auto");
        InvalidSettingException e = assertThrows(InvalidSettingException.class, b::toBatching);
        assertEquals("batch-size", e.settings().get(0));
    }
}
