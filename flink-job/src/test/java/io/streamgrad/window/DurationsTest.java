package io.streamgrad.window;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DurationsTest {
    @Test
    void aSuggestedDurationIsRoundedUpToAUnitAPersonReads() {
        assertEquals("32h", Durations.formatRoundedUp(113_373_262));
        assertEquals("91s", Durations.formatRoundedUp(90_500));
        assertEquals("10s", Durations.formatRoundedUp(10_000));
        assertEquals("11s", Durations.formatRoundedUp(10_001));
        assertEquals("640ms", Durations.formatRoundedUp(640));
        assertEquals("9999ms", Durations.formatRoundedUp(9_999));
        assertEquals("15d", Durations.formatRoundedUp(14 * 86_400_000L + 1));
        // Never shorter than asked, and at most a tenth longer from 10 ms up.
        for (long ms = 10; ms < 400_000_000L; ms = ms * 3 + 7) {
            long back = Durations.parseMillis("--window", Durations.formatRoundedUp(ms));
            assertTrue(back >= ms && back <= ms * 1.1, ms + " → " + back);
        }
    }

    @Test
    void anExactSpellingIsTheShortest() {
        assertEquals("10s", Durations.format(10_000));
        assertEquals("1500ms", Durations.format(1_500));
        assertEquals("2m", Durations.format(120_000));
        assertEquals(120_000, Durations.parseMillis("--window", Durations.format(120_000)));
    }
}
