package io.streamgrad.batch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MiniBatcherTest {

    /** Example i has features (i, -i) and label i: a row and its label can be checked together. */
    private static List<TrainingExample> examples(int n) {
        List<TrainingExample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new TrainingExample("m", "e" + i, 1000 + i, new float[] {i, -i}, i, 0, i));
        }
        return out;
    }

    private static Set<Integer> labelsOf(List<Batch> batches) {
        Set<Integer> seen = new HashSet<>();
        for (Batch b : batches) {
            for (int r = 0; r < b.size(); r++) {
                int label = (int) b.labels()[r];
                assertEquals(label, b.x()[2 * r], "features moved with their label");
                assertEquals(-label, b.x()[2 * r + 1]);
                assertTrue(seen.add(label), "example " + label + " appears once");
            }
        }
        return seen;
    }

    @Test
    void cutsFullPowerOfTwoBatchesAndCarriesTheRest() {
        MiniBatcher.Cut cut = MiniBatcher.cut("m", 1, 0, examples(300), 64, 7);
        assertEquals(4, cut.batches().size());
        cut.batches().forEach(b -> assertEquals(64, b.size()));
        assertEquals(300 - 256, cut.carried().size());
        Set<Integer> trained = labelsOf(cut.batches());
        for (TrainingExample e : cut.carried()) {
            assertTrue(trained.add((int) e.label()), "carried examples were not trained");
        }
        assertEquals(300, trained.size(), "every example is trained or carried");
    }

    @Test
    void finalCutTrainsTheRemainderInDecreasingPowersOfTwo() {
        List<Batch> batches = MiniBatcher.cutFinal("m", 1, 3, examples(100 + 128), 128, 7);
        assertEquals(List.of(128, 64, 32, 4), batches.stream().map(Batch::size).toList());
        assertEquals(228, labelsOf(batches).size());
        assertTrue(MiniBatcher.cutFinal("m", 1, 0, List.of(), 64, 1).isEmpty());
    }

    @Test
    void batchesDependOnDataAndSeedNotOnArrivalOrder() {
        List<TrainingExample> inOrder = examples(256);
        List<TrainingExample> scrambled = new ArrayList<>(inOrder);
        Collections.shuffle(scrambled, new Random(1));
        MiniBatcher.Cut a = MiniBatcher.cut("m", 1, 5, inOrder, 32, 11);
        MiniBatcher.Cut b = MiniBatcher.cut("m", 1, 5, scrambled, 32, 11);
        for (int i = 0; i < a.batches().size(); i++) {
            assertArrayEquals(a.batches().get(i).labels(), b.batches().get(i).labels());
        }
        MiniBatcher.Cut otherWindow = MiniBatcher.cut("m", 1, 6, inOrder, 32, 11);
        MiniBatcher.Cut otherSeed = MiniBatcher.cut("m", 1, 5, inOrder, 32, 12);
        assertNotEquals(
                java.util.Arrays.toString(a.batches().get(0).labels()),
                java.util.Arrays.toString(otherWindow.batches().get(0).labels()));
        assertNotEquals(
                java.util.Arrays.toString(a.batches().get(0).labels()),
                java.util.Arrays.toString(otherSeed.batches().get(0).labels()));
    }

    @Test
    void eachEpochReshufflesTheSameExamplesDifferently() {
        List<TrainingExample> data = examples(512);
        MiniBatcher.Cut epoch2 = MiniBatcher.cut("m", 2, 0, data, 64, 11);
        MiniBatcher.Cut epoch3 = MiniBatcher.cut("m", 3, 0, data, 64, 11);
        assertEquals(labelsOf(epoch2.batches()), labelsOf(epoch3.batches()), "the same 512");
        int sameFirst = 0;
        Set<Integer> first2 = labelsOf(List.of(epoch2.batches().get(0)));
        for (int label : labelsOf(List.of(epoch3.batches().get(0)))) {
            sameFirst += first2.contains(label) ? 1 : 0;
        }
        // Two independent draws of 64 of 512 share 8 on average (s.d. ~2.6); the same order would
        // share all 64.
        assertTrue(sameFirst < 24, "first batches share " + sameFirst + " of 64");
        assertArrayEquals(
                epoch2.batches().get(0).labels(),
                MiniBatcher.cut("m", 2, 0, data, 64, 11).batches().get(0).labels(),
                "and the same epoch shuffles the same way again");
    }

    @Test
    void fullBatchIsEverythingInCanonicalOrder() {
        List<TrainingExample> data = new ArrayList<>(examples(100));
        Collections.shuffle(data, new Random(2));
        Batch whole = MiniBatcher.whole("m", 0, data);
        assertEquals(100, whole.size());
        for (int i = 0; i < 100; i++) {
            assertEquals(i, whole.labels()[i]);
            assertEquals(-i, whole.x()[2 * i + 1]);
        }
    }

    @Test
    void shuffleMixesAnOrderedWindow() {
        // Labels 0..255 in order: a shuffled batch of 64 should span the range, not be a run.
        Batch first = MiniBatcher.cut("m", 1, 0, examples(256), 64, 3).batches().get(0);
        double mean = java.util.Arrays.stream(first.labels()).average().orElseThrow();
        // Mean of 64 draws without replacement from 0..255: 127.5 ± ~8 (1 s.d.); a run would be
        // 31.5.
        assertEquals(127.5, mean, 35);
        assertEquals(
                1000,
                MiniBatcher.cut("m", 1, 0, examples(64), 64, 3).batches().get(0).minEventTime());
    }

    @Test
    void canonicalOrderEqualsAStableSortByTimeThenId() {
        Random random = new Random(5);
        // Ties on time (3 distinct times), ties on time and id (duplicates keep arrival order),
        // negative times, and spans too wide for the primitive keys (the comparator's path).
        long[][] times = {
            {1000, 1001, 1002}, {-5, 0, 7}, {Long.MIN_VALUE, 0, Long.MAX_VALUE}, {0, 1L << 60, 3}
        };
        for (long[] pool : times) {
            for (int n : new int[] {0, 1, 2, 3, 100, 2048, 2049}) {
                List<TrainingExample> window = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    long t = pool[random.nextInt(pool.length)];
                    // The offset tells duplicates apart: equal (time, id) must keep their order.
                    window.add(
                            new TrainingExample(
                                    "m", "e" + random.nextInt(20), t, new float[] {i}, i, 0, i));
                }
                List<TrainingExample> expected = new ArrayList<>(window);
                expected.sort(MiniBatcher.CANONICAL);
                assertEquals(expected, MiniBatcher.canonical(window), n + " examples");
            }
        }
    }

    @Test
    void batchSizesThatAreNotPowersOfTwoAreRefusedWithTheNearest() {
        assertEquals(64, BatchSize.require(64));
        assertEquals(1, BatchSize.require(1));
        assertEquals(65_536, BatchSize.require(65_536));
        assertTrue(message(100).contains("64 and 128"), message(100));
        assertTrue(message(3).contains("2 and 4"), message(3));
        assertTrue(message(0).contains("power of two"), message(0));
        assertTrue(message(1 << 20).contains("65536"), message(1 << 20));
    }

    private static String message(long size) {
        return assertThrows(IllegalArgumentException.class, () -> BatchSize.require(size))
                .getMessage();
    }
}
