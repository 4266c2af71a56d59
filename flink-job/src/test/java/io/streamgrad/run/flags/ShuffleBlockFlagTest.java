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

    @Test
    void blockFlagsWhereNoBlocksAreReadAreRefusedNotIgnored() {
        assertEquals(
                "shuffle-block 1024 is for shuffle blocks, but this run reads its pass once and"
                        + " keeps it (shuffle pass): leave shuffle-block out, or give shuffle"
                        + " blocks",
                assertThrows(
                                InvalidSettingException.class,
                                () ->
                                        parse("--shuffle", "pass", "--shuffle-block", "1024")
                                                .toBatching())
                        .getMessage());
        assertTrue(
                assertThrows(
                                InvalidSettingException.class,
                                () ->
                                        parse("--window", "event-time:5s", "--shuffle-group", "4")
                                                .toBatching())
                        .getMessage()
                        .contains("(shuffle auto is window with event-time windows)"));
        assertTrue(
                assertThrows(
                                InvalidSettingException.class,
                                () ->
                                        parse(
                                                        "--shuffle",
                                                        "window",
                                                        "--shuffle-block",
                                                        "64",
                                                        "--shuffle-group",
                                                        "2")
                                                .toBatching())
                        .getMessage()
                        .startsWith(
                                "shuffle-block 64, shuffle-group 2 are for shuffle blocks, but"));
        assertTrue(
                assertThrows(
                                InvalidSettingException.class,
                                () ->
                                        parse("--batch-size", "full", "--shuffle-block", "64")
                                                .toBatching())
                        .getMessage()
                        .contains("a full batch (batch-size full) reads its range once"));
        // With blocks, or at their defaults, they are what they say.
        assertEquals(
                4, parse("--shuffle", "blocks", "--shuffle-group", "4").toBatching().groupBlocks());
        parse("--shuffle", "window", "--shuffle-block", "auto", "--shuffle-group", "16")
                .toBatching();
    }

    @Test
    void shuffleFlagsOnALiveRunAreRefused() {
        BatchingOptions live = parse("--shuffle", "window");
        InvalidSettingException e =
                assertThrows(InvalidSettingException.class, live::requireNoShuffleFlagsLive);
        assertEquals(
                "shuffle window orders the epochs of a bounded run; a live run trains events as"
                        + " they arrive, each window shuffled: give bounded, or leave shuffle out",
                e.getMessage());
        parse().requireNoShuffleFlagsLive();
    }

    @Test
    void fullPassFlagsOnALiveRunAreRefused() {
        InvalidSettingException e =
                assertThrows(
                        InvalidSettingException.class,
                        parse("--no-full-pass-loss", "--full-batch-limit", "100")
                                ::requireNoPassFlagsLive);
        assertEquals(
                "no-full-pass-loss, full-batch-limit 100 are for the passes of a bounded run (a"
                        + " full-pass loss, a full batch); a live run makes no pass: give bounded,"
                        + " or leave them out",
                e.getMessage());
        assertThrows(
                InvalidSettingException.class,
                parse("--no-full-pass-loss")::requireNoPassFlagsLive);
        // At their defaults, as a live run's own flags leave them.
        parse("--full-pass-loss", "--full-batch-limit", "" + Batching.DEFAULT_FULL_BATCH_LIMIT)
                .requireNoPassFlagsLive();
    }
}
