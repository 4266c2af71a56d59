package io.streamgrad.run;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamgrad.config.InvalidSettingException;
import io.streamgrad.train.Batching;
import io.streamgrad.train.ShuffleMode;
import java.util.List;
import org.junit.jupiter.api.Test;

class ShufflePreflightTest {
    private static final long HEAP = 768L << 20;

    /** A range longer than any group of blocks here: the groups' own size is what counts. */
    private static final long BIG = 1L << 50;

    @Test
    void aPassKeptInStateIsRefusedWhenItDoesNotFitInHalfTheHeapNamingTheBlockSizeThatDoes() {
        Batching pass = Batching.defaults().withEpochs(3).withShuffle(ShuffleMode.PASS);
        // 4 M events of 100 features: 1.6 GB of features alone.
        InvalidSettingException e =
                assertThrows(
                        InvalidSettingException.class,
                        () -> Preflight.requireShuffleFits(pass, 100, 4_000_000, HEAP));
        String m = e.getMessage();
        assertTrue(m.contains("4,000,000 events"), m);
        assertTrue(m.contains("shuffle blocks"), m);
        // Half of 768 MiB over three groups (read ahead, queued, emitted) of 16 blocks of
        // 650-byte records (4 bytes per feature and a quarter, plus 150).
        long largest = (HEAP / 2) / (4 * 100 + 100 + 150) / 16 / 3;
        assertTrue(m.contains(String.format("%,d offsets fits", largest)), m);
        assertDoesNotThrow(() -> Preflight.requireShuffleFits(pass, 100, 100_000, HEAP));
        // The same range read again from Kafka fits.
        assertDoesNotThrow(
                () ->
                        Preflight.requireShuffleFits(
                                pass.withShuffle(ShuffleMode.BLOCKS), 100, 4_000_000, HEAP));
    }

    @Test
    void aGroupOfBlocksThatDoesNotFitIsRefusedNamingTheLargestBlock() {
        Batching blocks = Batching.defaults().withBlocks(1_000_000, 16);
        InvalidSettingException e =
                assertThrows(
                        InvalidSettingException.class,
                        () -> Preflight.requireShuffleFits(blocks, 784, BIG, HEAP));
        assertTrue(e.getMessage().contains("lower shuffle-block to at most"), e.getMessage());
        assertTrue(e.getMessage().contains("holds 3 groups"), e.getMessage());
        // The largest block it names fits; one more offset does not.
        long largest = (HEAP / 2) / (4 * 784 + 784 + 150) / 16 / 3;
        assertTrue(e.getMessage().contains(String.format("at most %,d", largest)), e.getMessage());
        assertDoesNotThrow(
                () ->
                        Preflight.requireShuffleFits(
                                Batching.defaults().withBlocks((int) largest, 16), 784, BIG, HEAP));
        assertThrows(
                InvalidSettingException.class,
                () ->
                        Preflight.requireShuffleFits(
                                Batching.defaults().withBlocks((int) largest + 1, 16),
                                784,
                                BIG,
                                HEAP));
        assertDoesNotThrow(
                () -> Preflight.requireShuffleFits(Batching.defaults(), 784, 60_000_000, HEAP));
    }

    @Test
    void theAutomaticBlockFitsA768MebibyteHeapWhateverTheEventsWidth() {
        for (int features : new int[] {1, 10, 100, 103, 104, 784, 10_000, 100_000}) {
            for (long heap : new long[] {HEAP, 512L << 20}) {
                assertDoesNotThrow(
                        () ->
                                Preflight.requireShuffleFits(
                                        Batching.defaults().withEpochs(3),
                                        features,
                                        8_000_000,
                                        heap),
                        features + " features, the launcher's smallest heap and 768 MiB");
            }
        }
        // The automatic size is what is checked: 8,192 offsets of 100 features do not fit a 256 MiB
        // heap (1,024 would).
        assertThrows(
                InvalidSettingException.class,
                () ->
                        Preflight.requireShuffleFits(
                                Batching.defaults(), 100, 8_000_000, 256L << 20));
        assertDoesNotThrow(
                () ->
                        Preflight.requireShuffleFits(
                                Batching.defaults().withBlocks(1_024, 16),
                                100,
                                8_000_000,
                                256L << 20));
        // The fixed 1,024 offsets of before did not fit, for wide events.
        assertThrows(
                InvalidSettingException.class,
                () ->
                        Preflight.requireShuffleFits(
                                Batching.defaults().withBlocks(1_024, 16), 10_000, 80_000, HEAP));
    }

    @Test
    void theHeapARefusalSuggestsHoldsWhatWasRefused() {
        assertEquals("STREAMGRAD_HEAP=1g ./streamgrad ...", Preflight.moreHeap(1));
        assertEquals("STREAMGRAD_HEAP=6g ./streamgrad ...", Preflight.moreHeap(3L << 30));
        assertEquals("STREAMGRAD_HEAP=7g ./streamgrad ...", Preflight.moreHeap((3L << 30) + 1));
        // Blocks of a million 784-feature records: refused at 768 MiB; the heap it names fits.
        Batching huge = Batching.defaults().withBlocks(1_000_000, 16);
        InvalidSettingException e =
                assertThrows(
                        InvalidSettingException.class,
                        () -> Preflight.requireShuffleFits(huge, 784, BIG, HEAP));
        java.util.regex.Matcher m =
                java.util.regex.Pattern.compile("STREAMGRAD_HEAP=(\\d+)g").matcher(e.getMessage());
        assertTrue(m.find(), e.getMessage());
        long suggested = Long.parseLong(m.group(1)) << 30;
        assertDoesNotThrow(() -> Preflight.requireShuffleFits(huge, 784, BIG, suggested));
        assertThrows(
                InvalidSettingException.class,
                () -> Preflight.requireShuffleFits(huge, 784, BIG, suggested - (2L << 30)));
    }

    @Test
    void aBacktestWhoseVariantsCannotKeepTheRangeIsRefusedNamingTheRangeThatFits() {
        // Read once, kept in state: the full-pass loss is on by default.
        Batching keeps = Batching.defaults().withShuffle(ShuffleMode.PASS);
        Batching keepsNothing = keeps.withFullPassLoss(false);
        InvalidSettingException e =
                assertThrows(
                        InvalidSettingException.class,
                        () ->
                                Preflight.requireBacktestFits(
                                        List.of(keeps, keeps.withEpochs(3), keepsNothing),
                                        100,
                                        1_000_000,
                                        HEAP));
        String m = e.getMessage();
        assertTrue(m.contains("1,000,000 events of 100 features"), m);
        assertTrue(m.contains("each of its 2 variants"), m);
        // Half of 768 MiB over two copies of 600-byte kept examples.
        assertTrue(m.contains(String.format("at most %,d events fits", (HEAP / 2) / 2 / 600)), m);
        assertTrue(m.contains("STREAMGRAD_HEAP"), m);
        assertDoesNotThrow(
                () ->
                        Preflight.requireBacktestFits(
                                List.of(keeps, keeps), 100, (HEAP / 2) / 2 / 600, HEAP));
        assertDoesNotThrow(
                () ->
                        Preflight.requireBacktestFits(
                                List.of(keepsNothing, keepsNothing), 100, 1_000_000_000, HEAP));
        // Read from Kafka again for every epoch and full-pass loss (blocks, the default): nothing
        // is kept, whatever the range.
        Batching rereads = Batching.defaults().withEpochs(3);
        assertTrue(rereads.rereadsKafka() && rereads.keepsPass());
        assertDoesNotThrow(
                () ->
                        Preflight.requireBacktestFits(
                                List.of(rereads, rereads), 100, 1_000_000_000, HEAP));
    }

    @Test
    void theGroupsNeverHoldMoreThanTheRange() {
        // 65,536-offset blocks of 20 features: 3 groups of 16 such blocks would take about 750
        // MiB, but a group never holds more than the range of 200,000 events (3 groups: 143 MiB).
        Batching wide = Batching.defaults().withBlocks(65_536, 16);
        assertDoesNotThrow(() -> Preflight.requireShuffleFits(wide, 20, 200_000, HEAP));
        assertThrows(
                InvalidSettingException.class,
                () -> Preflight.requireShuffleFits(wide, 20, 8_000_000, HEAP));
        // The three groups can be of two passes, each the whole range: 3 × 1,000,000 records of
        // 250 bytes (715 MiB) do not fit half of 768 MiB, though one range (238 MiB) would.
        InvalidSettingException e =
                assertThrows(
                        InvalidSettingException.class,
                        () -> Preflight.requireShuffleFits(wide, 20, 1_000_000, HEAP));
        assertTrue(
                e.getMessage().contains("(at most the range's 1,000,000 records each), about 715"),
                e.getMessage());
    }

    @Test
    void aGroupTooLargeForAnyBlockNamesTheLargestGroupThatFits() {
        // Too many blocks for even one offset each: the way out is a smaller group.
        Batching many = Batching.defaults().withBlocks(8_192, 100_000_000);
        InvalidSettingException e =
                assertThrows(
                        InvalidSettingException.class,
                        () -> Preflight.requireShuffleFits(many, 20, BIG, HEAP));
        long largestGroup = (HEAP / 2) / (4 * 20 + 20 + 150) / 8_192 / 3;
        assertEquals(
                String.format(
                        "shuffle blocks holds 3 groups (one read ahead, one queued, one being"
                                + " trained on) of 100,000,000 blocks of 8,192 records of 20"
                                + " features, about %,d MiB, more than half the 768 MiB heap:"
                                + " lower shuffle-group to at most %,d (with shuffle-block 8,192);"
                                + " or give the JVM more: %s",
                        3L * 100_000_000 * 8_192 * (4 * 20 + 20 + 150) >> 20,
                        largestGroup,
                        Preflight.moreHeap(3L * 100_000_000 * 8_192 * (4 * 20 + 20 + 150))),
                e.getMessage());
    }

    @Test
    void aHeapGivenThroughJavaOptionsIsWhereMoreHeapGoes() {
        assertEquals(
                "STREAMGRAD_JAVA_OPTS",
                Preflight.heapGivenIn(
                        n -> n.equals("STREAMGRAD_JAVA_OPTS") ? "-Dx=1 -Xmx256m" : null));
        assertEquals(
                "JDK_JAVA_OPTIONS",
                Preflight.heapGivenIn(
                        n -> n.equals("JDK_JAVA_OPTIONS") ? "-XX:MaxRAMPercentage=50" : null));
        assertEquals(
                null,
                Preflight.heapGivenIn(
                        n -> n.equals("STREAMGRAD_JAVA_OPTS") ? "-XX:+AlwaysPreTouch" : null));
    }
}
