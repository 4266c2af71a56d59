package io.streamgrad.run;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamgrad.config.InvalidSettingException;
import io.streamgrad.run.flags.DemoOptions;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class DemoPlanTest {
    @Test
    void aHoldoutFractionOutsideZeroToOneIsRefusedWhateverTheDataSet() {
        for (String bad : new String[] {"1.5", "0", "1", "-0.2", "NaN"}) {
            DemoOptions o = new DemoOptions();
            new CommandLine(o).parseArgs("--holdout-fraction", bad, "--events", "2000");
            InvalidSettingException e =
                    assertThrows(InvalidSettingException.class, () -> DemoRun.plan(o), bad);
            assertTrue(e.getMessage().contains("holdout-fraction"), e.getMessage());
        }
        DemoOptions ok = new DemoOptions();
        new CommandLine(ok).parseArgs("--holdout-fraction", "0.25", "--events", "2000");
        assertDoesNotThrow(() -> DemoRun.plan(ok));
    }
}
