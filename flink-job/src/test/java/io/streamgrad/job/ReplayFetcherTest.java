package io.streamgrad.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The fetcher's group order, against the comparator it replaced. */
class ReplayFetcherTest {

    @Test
    void groupOrderSortsByKeyThenPartitionThenOffset() {
        Random random = new Random(3);
        for (int n : new int[] {0, 1, 2, 3, 1_000, 16_384, 16_385}) {
            // Random 64-bit keys (the real case), keys equal but for their low bits (the packed
            // sort's runs), and whole keys equal (ties to partition, then offset).
            long[][] cases = {new long[n], new long[n], new long[n]};
            for (int i = 0; i < n; i++) {
                cases[0][i] = random.nextLong();
                cases[1][i] = (random.nextInt(4) - 2L) << 40 | random.nextInt(1 << 20);
                cases[2][i] = random.nextInt(3) - 1L;
            }
            int[] partitions = new int[n];
            long[] offsets = new long[n];
            for (int i = 0; i < n; i++) {
                partitions[i] = random.nextInt(4);
                offsets[i] = random.nextInt(1_000_000);
            }
            for (long[] keys : cases) {
                Integer[] expected = new Integer[n];
                Arrays.setAll(expected, i -> i);
                Arrays.sort(
                        expected,
                        Comparator.<Integer>comparingLong(i -> keys[i])
                                .thenComparingInt(i -> partitions[i])
                                .thenComparingLong(i -> offsets[i]));
                assertArrayEquals(
                        Arrays.stream(expected).mapToInt(Integer::intValue).toArray(),
                        ReplayFetcher.groupOrder(keys, partitions, offsets, n),
                        n + " records");
            }
        }
    }

    @Test
    void aReusedGroupKeepsItsByteArrayOnlyWithAtMostAQuarterSpare() {
        // A reused array may keep up to a quarter spare, as the memory check counts.
        assertTrue(ReplayFetcher.spareFits(1_100_000, 1_000_000));
        assertTrue(ReplayFetcher.spareFits(1_250_000, 1_000_000));
        assertFalse(ReplayFetcher.spareFits(1_250_001, 1_000_000), "grown by halves: replaced");
        assertFalse(ReplayFetcher.spareFits(999_999, 1_000_000), "too small");
        // Small groups keep the 4 KiB floor.
        assertTrue(ReplayFetcher.spareFits(4_096, 10));
    }
}
