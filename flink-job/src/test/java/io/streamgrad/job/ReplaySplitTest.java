package io.streamgrad.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamgrad.kafka.KafkaClientConfig;
import io.streamgrad.train.Batching;
import io.streamgrad.train.ReplayPlan;
import io.streamgrad.train.ShuffleMode;
import io.streamgrad.window.WindowSpec;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.junit.jupiter.api.Test;

/**
 * A replay split records the grouping its position counts in, so a job restored with another block
 * size refuses a position inside a pass read as blocks instead of skipping and repeating records;
 * splits of version 1 (before the grouping was recorded) still restore.
 */
class ReplaySplitTest {

    private static final Map<Integer, long[]> RANGE = Map.of(0, new long[] {10, 5_000});

    /** Three epochs, no full-pass loss: passes 0, 1 and 2 are epochs. */
    private static ReplayPlan plan(ShuffleMode mode, int blockOffsets, int groupBlocks) {
        return plan(mode, blockOffsets, groupBlocks, false);
    }

    private static ReplayPlan plan(
            ShuffleMode mode, int blockOffsets, int groupBlocks, boolean fullPassLoss) {
        return plan(mode, blockOffsets, groupBlocks, fullPassLoss, 7);
    }

    /** Blocks of 64 offsets, 3 per group. */
    private static ReplayPlan plan(ShuffleMode mode, boolean fullPassLoss, long seed) {
        return plan(mode, 64, 3, fullPassLoss, seed);
    }

    private static ReplayPlan plan(
            ShuffleMode mode, int blockOffsets, int groupBlocks, boolean fullPassLoss, long seed) {
        return ReplayPlan.of(
                Batching.defaults()
                        .withWindow(new WindowSpec.Count(4))
                        .withEpochs(3)
                        .withFullPassLoss(fullPassLoss)
                        .withShuffle(mode)
                        .withBlocks(blockOffsets, groupBlocks),
                seed);
    }

    private static ReplaySplit split(int pass, int group, long emitted, int offsets, int blocks) {
        return new ReplaySplit(
                RANGE,
                pass,
                group,
                emitted,
                Map.of(0, 10L),
                new ReplaySplit.Grouping(offsets, blocks),
                ReplaySplit.Passes.UNKNOWN,
                "");
    }

    /** A split written by a run of {@code written}, at this position. */
    private static ReplaySplit split(
            ReplayPlan written, int pass, int group, long emitted, Map<Integer, Long> next) {
        return new ReplaySplit(
                RANGE,
                pass,
                group,
                emitted,
                next,
                ReplaySplit.Grouping.of(written),
                ReplaySplit.Passes.of(written),
                "");
    }

    /** A split as version 1 of the serializer wrote it: no grouping. */
    private static byte[] version1(int pass, int group, long emitted) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(1);
            out.writeInt(0);
            out.writeLong(10);
            out.writeLong(5_000);
            out.writeLong(10);
            out.writeInt(pass);
            out.writeInt(group);
            out.writeLong(emitted);
        }
        return bytes.toByteArray();
    }

    @Test
    void theSerializerKeepsTheGroupingAndReadsVersion1AsUnknown() throws IOException {
        ReplaySplit.Serializer serializer = new ReplaySplit.Serializer();
        ReplaySplit s = split(1, 4, 77, 256, 8);
        ReplaySplit back = serializer.deserialize(serializer.getVersion(), serializer.serialize(s));
        assertEquals(new ReplaySplit.Grouping(256, 8), back.grouping());
        assertEquals(1, back.pass());
        assertEquals(4, back.group());
        assertEquals(77, back.emitted());
        assertArrayEquals(RANGE.get(0), back.range().get(0));

        ReplaySplit old = serializer.deserialize(1, version1(1, 4, 77));
        assertEquals(ReplaySplit.Grouping.UNKNOWN, old.grouping());
        assertEquals(4, old.group());
        assertEquals(77, old.emitted());
        assertThrows(IOException.class, () -> serializer.deserialize(6, serializer.serialize(s)));

        ReplayPlan written = plan(ShuffleMode.BLOCKS, true, 99);
        ReplaySplit withPasses =
                new ReplaySplit(
                        RANGE,
                        2,
                        1,
                        3,
                        Map.of(0, 10L),
                        ReplaySplit.Grouping.of(written),
                        ReplaySplit.Passes.of(written),
                        "3yWtf5ZVQ2SYJsx0FmM5Fg");
        ReplaySplit passesBack =
                serializer.deserialize(serializer.getVersion(), serializer.serialize(withPasses));
        assertEquals(new ReplaySplit.Passes(ShuffleMode.BLOCKS, true, 99), passesBack.passes());
        assertEquals(new ReplaySplit.Grouping(64, 3), passesBack.grouping());
        assertEquals("3yWtf5ZVQ2SYJsx0FmM5Fg", passesBack.topicId());
        // Earlier versions read from the same bytes, cut or rewritten where they differ. Version 5
        // added the topic id, the last bytes (2 + 22): version 4 is what comes before it.
        byte[] v5 = serializer.serialize(withPasses);
        byte[] v4 = Arrays.copyOf(v5, v5.length - (2 + 22));
        ReplaySplit v4back = serializer.deserialize(4, v4);
        assertEquals("", v4back.topicId());
        assertEquals(new ReplaySplit.Passes(ShuffleMode.BLOCKS, true, 99), v4back.passes());
        // Version 2 wrote the grouping but not the passes, the last bytes of version 4: the
        // order's name (2 + 6 bytes), the flag, the seed.
        ReplaySplit v2 = serializer.deserialize(2, Arrays.copyOf(v4, v4.length - (8 + 1 + 8)));
        assertEquals(ReplaySplit.Passes.UNKNOWN, v2.passes());
        assertEquals(new ReplaySplit.Grouping(64, 3), v2.grouping());
        assertEquals(1, v2.group());
        assertEquals("", v2.topicId());
        // Version 3 wrote the shuffle mode as its ordinal byte.
        byte[] v3ordinal = Arrays.copyOf(v4, v4.length - (8 + 1 + 8) + 1 + 1 + 8);
        int at = v4.length - (8 + 1 + 8);
        v3ordinal[at] = (byte) ShuffleMode.BLOCKS.ordinal();
        v3ordinal[at + 1] = 1;
        System.arraycopy(v4, v4.length - 8, v3ordinal, at + 2, 8);
        assertEquals(
                new ReplaySplit.Passes(ShuffleMode.BLOCKS, true, 99),
                serializer.deserialize(3, v3ordinal).passes());
    }

    @Test
    void theEnumeratorsPendingSplitsOfVersion1StillRestore() throws IOException {
        ReplaySource source =
                new ReplaySource(
                        KafkaClientConfig.plain("localhost:1"),
                        "t",
                        "g",
                        plan(ShuffleMode.BLOCKS, 128, 3),
                        true,
                        true,
                        null);
        SimpleVersionedSerializer<List<ReplaySplit>> pending =
                source.getEnumeratorCheckpointSerializer();
        byte[] split = version1(0, 0, 0);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(1);
            out.writeInt(split.length);
            out.write(split);
        }
        List<ReplaySplit> restored = pending.deserialize(1, bytes.toByteArray());
        assertEquals(1, restored.size());
        assertEquals(ReplaySplit.Grouping.UNKNOWN, restored.get(0).grouping());

        List<ReplaySplit> now = List.of(split(0, 0, 0, 128, 3));
        List<ReplaySplit> again = pending.deserialize(pending.getVersion(), pending.serialize(now));
        assertEquals(new ReplaySplit.Grouping(128, 3), again.get(0).grouping());
    }

    @Test
    void aPositionInsideABlocksPassIsRefusedUnderAnotherGrouping() {
        ReplayPlan plan = plan(ShuffleMode.BLOCKS, 64, 3);
        IllegalStateException e =
                assertThrows(
                        IllegalStateException.class,
                        () -> split(1, 2, 5, 128, 3).requireResumableBy(plan));
        assertTrue(e.getMessage().contains("pass 1 at group 2"), e.getMessage());
        assertTrue(e.getMessage().contains("blocks of 128 offsets, 3 blocks"), e.getMessage());
        assertTrue(e.getMessage().contains("blocks of 64 offsets, 3 per group"), e.getMessage());
        assertTrue(
                e.getMessage().contains("--shuffle-block 128 --shuffle-group 3"), e.getMessage());
        // Another group count moves the position too.
        assertThrows(
                IllegalStateException.class, () -> split(0, 0, 1, 64, 4).requireResumableBy(plan));
    }

    @Test
    void aVersion1PositionIsRefusedUnderAnythingButTheDefaultsOfItsTime() {
        ReplaySplit old =
                new ReplaySplit(
                        RANGE,
                        1,
                        2,
                        5,
                        new TreeMap<>(),
                        ReplaySplit.Grouping.UNKNOWN,
                        ReplaySplit.Passes.UNKNOWN,
                        "");
        IllegalStateException e =
                assertThrows(
                        IllegalStateException.class,
                        () -> old.requireResumableBy(plan(ShuffleMode.BLOCKS, 8_192, 16)));
        assertTrue(
                e.getMessage().contains("--shuffle-block 1024 --shuffle-group 16"), e.getMessage());
        assertTrue(e.getMessage().contains("written before checkpoints recorded"), e.getMessage());
        // Automatic blocks of wide events, and a group given, were what they are now.
        assertDoesNotThrow(() -> old.requireResumableBy(plan(ShuffleMode.BLOCKS, 64, 16)));
        assertDoesNotThrow(() -> old.requireResumableBy(plan(ShuffleMode.BLOCKS, 1_024, 4)));
        // At its pass's start, nothing of the pass is named yet.
        assertDoesNotThrow(
                () ->
                        new ReplaySplit(
                                        RANGE,
                                        1,
                                        0,
                                        0,
                                        new TreeMap<>(),
                                        ReplaySplit.Grouping.UNKNOWN,
                                        ReplaySplit.Passes.UNKNOWN,
                                        "")
                                .requireResumableBy(plan(ShuffleMode.BLOCKS, 8_192, 16)));
    }

    @Test
    void positionsThatNameTheSameRecordsUnderAnyGroupingResume() {
        ReplayPlan plan = plan(ShuffleMode.BLOCKS, 64, 3);
        // Its own grouping.
        assertDoesNotThrow(() -> split(1, 2, 5, 64, 3).requireResumableBy(plan));
        // The start of a pass: no group read yet.
        assertDoesNotThrow(() -> split(2, 0, 0, 128, 3).requireResumableBy(plan));
        // Past the last pass: nothing left to read.
        assertDoesNotThrow(() -> split(3, 0, 0, 128, 3).requireResumableBy(plan));
        // A version-1 split resumes under the defaults of its time, 1,024 offsets in groups of 16.
        ReplaySplit old =
                new ReplaySplit(
                        RANGE,
                        1,
                        2,
                        5,
                        new TreeMap<>(),
                        ReplaySplit.Grouping.UNKNOWN,
                        ReplaySplit.Passes.UNKNOWN,
                        "");
        assertDoesNotThrow(() -> old.requireResumableBy(plan(ShuffleMode.BLOCKS, 1_024, 16)));
        // A pass read in merge order counts offsets, not groups.
        ReplayPlan merged = plan(ShuffleMode.WINDOW, 64, 3);
        assertDoesNotThrow(() -> split(1, 2, 5, 128, 3).requireResumableBy(merged));
        // So does a full-pass loss's pass (odd passes with full-pass loss), read in merge order.
        ReplayPlan withLoss = plan(ShuffleMode.BLOCKS, 64, 3, true);
        assertDoesNotThrow(() -> split(1, 2, 5, 128, 3).requireResumableBy(withLoss));
        assertThrows(
                IllegalStateException.class,
                () -> split(2, 2, 5, 128, 3).requireResumableBy(withLoss));
    }

    @Test
    void aPositionIsRefusedUnderASeedShuffleOrPassNumberingThatNamesOtherRecords() {
        ReplayPlan written = plan(ShuffleMode.BLOCKS, false, 7);
        ReplaySplit insideBlocks = split(written, 1, 2, 5, Map.of(0, 10L));

        String seed = refusal(insideBlocks, plan(ShuffleMode.BLOCKS, false, 8));
        assertTrue(seed.contains("with seed 7"), seed);
        assertTrue(seed.contains("Resume it with --seed 7,"), seed);

        String order = refusal(insideBlocks, plan(ShuffleMode.WINDOW, false, 7));
        assertTrue(order.contains("in blocks order"), order);
        assertTrue(order.contains("--shuffle blocks"), order);

        // Pass 1 was epoch 2's training pass; with full-pass loss it is epoch 1's loss pass.
        String numbering = refusal(insideBlocks, plan(ShuffleMode.BLOCKS, true, 7));
        assertTrue(numbering.contains("Resume it with --no-full-pass-loss,"), numbering);
        // Even past the job's last pass: pass 4 of 6 was epoch 3's training, not a finished run.
        String past =
                refusal(
                        split(plan(ShuffleMode.BLOCKS, true, 7), 4, 1, 2, Map.of(0, 10L)),
                        plan(ShuffleMode.BLOCKS, false, 7));
        assertTrue(past.contains("Resume it with --full-pass-loss,"), past);
        // With the blocks changed too, one refusal names them as well.
        String blocksToo =
                refusal(
                        split(plan(ShuffleMode.BLOCKS, true, 7), 4, 1, 2, Map.of(0, 10L)),
                        plan(ShuffleMode.BLOCKS, 128, 3, false, 7));
        assertTrue(
                blocksToo.contains(
                        "Resume it with --full-pass-loss --shuffle-block 64 --shuffle-group 3,"),
                blocksToo);
        // Every flag that differs, in one message.
        String both =
                refusal(
                        split(plan(ShuffleMode.WINDOW, false, 7), 1, 0, 0, Map.of(0, 300L)),
                        plan(ShuffleMode.BLOCKS, true, 8));
        assertTrue(both.contains("Resume it with --no-full-pass-loss --shuffle window,"), both);
        // Another order and another seed inside a blocks pass: both named at once.
        String orderAndSeed = refusal(insideBlocks, plan(ShuffleMode.WINDOW, false, 8));
        assertTrue(
                orderAndSeed.contains("Resume it with --shuffle blocks --seed 7,"), orderAndSeed);
        // A merge pass read to its end is still that pass: restored, it would be read again.
        assertTrue(
                refusal(
                                split(
                                        plan(ShuffleMode.WINDOW, false, 7),
                                        1,
                                        0,
                                        0,
                                        Map.of(0, 5_000L)),
                                plan(ShuffleMode.BLOCKS, false, 7))
                        .contains("--shuffle window"));

        // Inside a pass read in merge order, another order names other records too.
        ReplaySplit insideMerge =
                split(plan(ShuffleMode.WINDOW, false, 7), 1, 0, 0, Map.of(0, 300L));
        assertTrue(
                refusal(insideMerge, plan(ShuffleMode.BLOCKS, false, 7))
                        .contains("--shuffle window"));
    }

    /** The message {@code split} is refused with under {@code plan}. */
    private static String refusal(ReplaySplit split, ReplayPlan plan) {
        return assertThrows(IllegalStateException.class, () -> split.requireResumableBy(plan))
                .getMessage();
    }

    @Test
    void positionsTheChangedSettingsDoNotMoveResume() {
        ReplayPlan written = plan(ShuffleMode.BLOCKS, false, 7);
        // Its own settings.
        assertDoesNotThrow(
                () -> split(written, 1, 2, 5, Map.of(0, 10L)).requireResumableBy(written));
        // At a pass's start another order or seed reads the whole pass its own way.
        ReplaySplit atStart = split(written, 1, 0, 0, Map.of(0, 10L));
        assertDoesNotThrow(() -> atStart.requireResumableBy(plan(ShuffleMode.WINDOW, false, 7)));
        assertDoesNotThrow(() -> atStart.requireResumableBy(plan(ShuffleMode.BLOCKS, false, 8)));
        // Merge order does not depend on the seed.
        ReplayPlan merged = plan(ShuffleMode.WINDOW, false, 7);
        assertDoesNotThrow(
                () ->
                        split(merged, 1, 0, 0, Map.of(0, 300L))
                                .requireResumableBy(plan(ShuffleMode.WINDOW, false, 8)));
        // A loss pass is read in merge order whatever the training passes' order.
        assertDoesNotThrow(
                () ->
                        split(plan(ShuffleMode.BLOCKS, true, 7), 1, 0, 0, Map.of(0, 300L))
                                .requireResumableBy(plan(ShuffleMode.WINDOW, true, 7)));
        // Full-pass loss switched off after all the job's epochs were trained (pass 6 of 6).
        assertDoesNotThrow(
                () ->
                        split(plan(ShuffleMode.BLOCKS, true, 7), 6, 0, 0, Map.of(0, 10L))
                                .requireResumableBy(plan(ShuffleMode.BLOCKS, false, 7)));
        // Inside pass 0, which is epoch 1's training pass either way.
        assertDoesNotThrow(
                () ->
                        split(written, 0, 2, 5, Map.of(0, 10L))
                                .requireResumableBy(plan(ShuffleMode.BLOCKS, true, 7)));
        // A split of version 2 (passes not recorded) is taken to have used the job's.
        assertDoesNotThrow(
                () -> split(1, 2, 5, 64, 3).requireResumableBy(plan(ShuffleMode.BLOCKS, true, 8)));
    }
}
