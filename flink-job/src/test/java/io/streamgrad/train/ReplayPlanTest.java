package io.streamgrad.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamgrad.batch.TrainingExample;
import io.streamgrad.config.InvalidSettingException;
import io.streamgrad.window.WindowSpec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ReplayPlanTest {
    private static ReplayPlan plan(ShuffleMode mode, WindowSpec window, int epochs, long seed) {
        Batching b =
                TestData.batching(64, window, epochs)
                        .withWindow(window)
                        .withShuffle(mode)
                        .withBlocks(100, 3);
        return ReplayPlan.of(b, seed);
    }

    @Test
    void passesAlternateTrainingAndEvaluationAndShiftByAWholeNumberOfWindows() {
        ReplayPlan p = plan(ShuffleMode.WINDOW, new WindowSpec.EventTime(7_000), 3, 1);
        assertEquals(6, p.passes());
        assertEquals(
                List.of(1, 1, 2, 2, 3, 3),
                List.of(0, 1, 2, 3, 4, 5).stream().map(p::epochOf).toList());
        assertEquals(
                List.of(false, true, false, true),
                List.of(0, 1, 2, 3).stream().map(p::evaluates).toList());
        assertEquals(0, p.unitMs() % 7_000, "a pass's windows are the first pass's shifted");
        assertTrue(p.unitMs() >= 1L << 42);
        long t = 1_798_000_000_000L; // 2026-12-23
        for (int pass = 0; pass < p.passes(); pass++) {
            assertEquals(pass, p.passOf(t + p.shift(pass)));
            assertEquals(pass, p.passOf(p.shift(pass)));
        }
        assertEquals(0, p.passOf(-1), "a record without a timestamp belongs to its pass's start");
    }

    @Test
    void withoutFullPassLossEveryPassTrains() {
        Batching b = TestData.batching(64, new WindowSpec.Count(4), 2);
        b =
                new Batching(
                        b.batchSize(),
                        false,
                        b.window(),
                        0,
                        0,
                        b.latePolicy(),
                        2,
                        10,
                        false,
                        ShuffleMode.BLOCKS,
                        10,
                        2);
        ReplayPlan p = ReplayPlan.of(b, 3);
        assertEquals(2, p.passes());
        assertFalse(p.evaluates(1));
        assertEquals(2, p.epochOf(1));
    }

    @Test
    void blocksCoverTheRangeOnceAlignedToMultiplesOfTheBlockSizeInAnOrderPerEpochAndSeed() {
        ReplayPlan p = plan(ShuffleMode.BLOCKS, new WindowSpec.Count(4), 3, 5);
        Map<Integer, long[]> range = new TreeMap<>();
        range.put(0, new long[] {50, 1_000});
        range.put(3, new long[] {0, 250});
        range.put(4, new long[] {7, 7});
        List<ReplayPlan.Block> epoch1 = flatten(p.groups(0, range));
        Set<String> offsets = new HashSet<>();
        for (ReplayPlan.Block b : epoch1) {
            assertTrue(b.to() - b.from() <= 100 && b.to() > b.from(), b.toString());
            assertEquals(b.from() / 100, (b.to() - 1) / 100, "inside one aligned block: " + b);
            for (long o = b.from(); o < b.to(); o++) {
                assertTrue(offsets.add(b.partition() + ":" + o), "read twice: " + o);
            }
        }
        assertEquals(950 + 250, offsets.size(), "every offset once");
        assertEquals(13, epoch1.size());
        assertTrue(p.groups(0, range).stream().allMatch(g -> g.size() <= 3));
        assertNotEquals(epoch1, flatten(p.groups(2, range)), "each epoch its own order");
        assertEquals(
                epoch1,
                flatten(plan(ShuffleMode.BLOCKS, new WindowSpec.Count(4), 3, 5).groups(0, range)));
        assertNotEquals(
                epoch1,
                flatten(plan(ShuffleMode.BLOCKS, new WindowSpec.Count(4), 3, 6).groups(0, range)));
    }

    @Test
    void anExampleMissingFromTheRangeLeavesTheOthersInTheSameOrder() {
        ReplayPlan p = plan(ShuffleMode.BLOCKS, new WindowSpec.Count(4), 1, 9);
        List<TrainingExample> all = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            all.add(new TrainingExample("m", "e" + i, 1_000 + i, new float[] {i}, 0, i % 2, i));
        }
        List<TrainingExample> order = p.order(0, all);
        assertEquals(new HashSet<>(all), new HashSet<>(order), "a permutation");
        assertNotEquals(all, order);
        List<TrainingExample> fewer = new ArrayList<>(all);
        TrainingExample dropped = fewer.remove(455);
        List<TrainingExample> expected = new ArrayList<>(order);
        expected.remove(dropped);
        assertEquals(expected, p.order(0, fewer));
    }

    @Test
    void windowOrderMergesPartitionsByEventTimeEachInOffsetOrder() {
        ReplayPlan p = plan(ShuffleMode.WINDOW, new WindowSpec.Count(4), 1, 9);
        List<TrainingExample> all = new ArrayList<>();
        // Partition 1's events interleave in time with partition 0's; partition 0 has one out of
        // order at offset 2, which still comes after offset 1.
        long[] times0 = {10, 30, 20, 50};
        long[] times1 = {15, 25, 60};
        for (int i = 0; i < times0.length; i++) {
            all.add(new TrainingExample("m", "a" + i, times0[i], new float[0], 0, 0, i));
        }
        for (int i = 0; i < times1.length; i++) {
            all.add(new TrainingExample("m", "b" + i, times1[i], new float[0], 0, 1, i));
        }
        List<String> ids = p.order(0, all).stream().map(TrainingExample::eventId).toList();
        assertEquals(List.of("a0", "b0", "b1", "a1", "a2", "a3", "b2"), ids);
    }

    @Test
    void blocksRefuseEventTimeWindowsNamingTheWayOut() {
        InvalidSettingException e =
                assertThrows(
                        InvalidSettingException.class,
                        () ->
                                TestData.batching(64, new WindowSpec.Count(4), 1)
                                        .withWindow(new WindowSpec.EventTime(1_000))
                                        .withShuffle(ShuffleMode.BLOCKS));
        assertTrue(e.getMessage().contains("event-time"), e.getMessage());
        assertEquals(List.of("shuffle", "shuffle", "window"), e.settings());
    }

    private static List<ReplayPlan.Block> flatten(List<List<ReplayPlan.Block>> groups) {
        List<ReplayPlan.Block> all = new ArrayList<>();
        groups.forEach(all::addAll);
        return all;
    }
}
