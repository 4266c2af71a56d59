package io.streamgrad.run.flags;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamgrad.config.InvalidSettingException;
import io.streamgrad.train.Batching;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ShuffleBlockFlagTest {
    private static BatchingOptions parse(String... args) {
        BatchingOptions o = new BatchingOptions();
        new CommandLine(o).parseArgs(args);
        return o;
    }

    @Test
    void theBlockSizeIsAutomaticUnlessANumberIsGiven() {
        assertEquals(Batching.AUTO_BLOCK_OFFSETS, parse().toBatching().blockOffsets());
        assertEquals(
                Batching.AUTO_BLOCK_OFFSETS,
                parse("--shuffle-block", "auto").toBatching().blockOffsets());
        assertEquals(1_024, parse("--shuffle-block", "1024").toBatching().blockOffsets());
    }

    @Test
    void aBlockSizeThatIsNeitherAutoNorAPositiveNumberIsRefusedWithTheValue() {
        for (String bad : new String[] {"0", "-5", "many", "1e3", ""}) {
            InvalidSettingException e =
                    assertThrows(
                            InvalidSettingException.class,
                            () -> parse("--shuffle-block", bad).toBatching(),
                            bad);
            assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
            assertTrue(e.getMessage().contains("'auto'"), e.getMessage());
        }
    }

    @Test
    void anUnknownShuffleIsRefusedNamingEveryAcceptedValueAutoIncluded() {
        InvalidSettingException e =
                assertThrows(
                        InvalidSettingException.class,
                        () -> parse("--shuffle", "sometimes").toBatching());
        assertTrue(
                e.getMessage().contains("auto, blocks, window or pass, got 'sometimes'"),
                e.getMessage());
    }
}
