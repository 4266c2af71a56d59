package io.streamgrad.window;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamgrad.batch.BatchSize;
import org.junit.jupiter.api.Test;

class BatchingFlagsTest {

    @Test
    void batchSizesArePowersOfTwoOrFull() {
        assertEquals(1, BatchSize.parse("1"));
        assertEquals(65_536, BatchSize.parse("65536"));
        assertEquals(0, BatchSize.parse("full"));
        for (String bad : new String[] {"0", "3", "100", "1048576", "-64", "sixty-four", ""}) {
            assertThrows(IllegalArgumentException.class, () -> BatchSize.parse(bad), bad);
        }
        assertTrue(
                assertThrows(IllegalArgumentException.class, () -> BatchSize.parse("100"))
                        .getMessage()
                        .contains("the nearest are 64 and 128"));
    }

    @Test
    void durationsNeedAUnitAndMustNotBeNegative() {
        assertEquals(500, Durations.parseMillis("--x", "500ms"));
        assertEquals(10_000, Durations.parseMillis("--x", "10s"));
        assertEquals(120_000, Durations.parseMillis("--x", "2m"));
        assertEquals(3_600_000, Durations.parseMillis("--x", "1h"));
        assertEquals(0, Durations.parseMillis("--x", "0"));
        assertThrows(IllegalArgumentException.class, () -> Durations.parseMillis("--x", "10"));
        assertThrows(IllegalArgumentException.class, () -> Durations.parseMillis("--x", "-1s"));
        assertThrows(IllegalArgumentException.class, () -> Durations.parseMillis("--x", "soon"));
        assertEquals("10s", Durations.format(10_000));
        assertEquals("1500ms", Durations.format(1_500));
        assertEquals("2m", Durations.format(120_000));
    }

    @Test
    void windowSpecsParseAndDescribeThemselves() {
        assertEquals(new WindowSpec.Count(4), WindowSpec.parse("count:4"));
        WindowSpec.EventTime w = (WindowSpec.EventTime) WindowSpec.parse("event-time:10s");
        assertEquals(10_000, w.sizeMs());
        assertEquals("event-time:10s", w.describe());
        assertEquals(0, w.windowOf(9_999));
        assertEquals(1, w.windowOf(10_000));
        assertEquals(-1, w.windowOf(-1), "windows are aligned to the epoch, also before it");
        assertEquals(19_999, w.lastMillisOf(1));
        assertThrows(IllegalArgumentException.class, () -> WindowSpec.parse("count:0"));
        assertThrows(IllegalArgumentException.class, () -> WindowSpec.parse("count:x"));
        assertThrows(IllegalArgumentException.class, () -> WindowSpec.parse("event-time:0"));
        assertThrows(IllegalArgumentException.class, () -> WindowSpec.parse("tumbling"));
    }

    @Test
    void lateEventsAreDeadLetteredOrMovedToTheFirstOpenWindow() {
        WindowSpec.EventTime w = new WindowSpec.EventTime(1_000);
        // On time: its window [2000, 3000) has not been reached by the watermark.
        var onTime = EventTimeAssigner.assign(w, 2_500, 2_000, 1, LatePolicy.DEADLETTER);
        assertEquals(2, onTime.window());
        assertFalse(onTime.late());
        // Late by the watermark: window 1 ends at 1999 <= watermark 2500.
        var late = EventTimeAssigner.assign(w, 1_500, 2_500, 1, LatePolicy.DEADLETTER);
        assertTrue(late.late() && late.deadLetter());
        var moved = EventTimeAssigner.assign(w, 1_500, 2_500, 1, LatePolicy.NEXT_WINDOW);
        assertTrue(moved.late());
        assertFalse(moved.deadLetter());
        assertEquals(2, moved.window(), "the first window the watermark has not closed");
        // Late because an idle timeout closed windows through 5 before the watermark got there.
        var idleClosed = EventTimeAssigner.assign(w, 4_200, 2_500, 5, LatePolicy.NEXT_WINDOW);
        assertTrue(idleClosed.late());
        assertEquals(6, idleClosed.window());
        // Before any watermark and any close, nothing is late.
        assertFalse(
                EventTimeAssigner.assign(
                                w, -50_000, Long.MIN_VALUE, Long.MIN_VALUE, LatePolicy.DEADLETTER)
                        .late());
    }
}
