package io.streamgrad.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamgrad.config.InvalidSettingException;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class EvaluationRangeTest {
    /** Partition 0 holds offsets 10..110, partition 1 0..50; record timestamps = 1000 + offset. */
    private static final EvaluationRange.Offsets KAFKA =
            new EvaluationRange.Offsets() {
                @Override
                public SortedMap<Integer, long[]> bounds() {
                    return new TreeMap<>(Map.of(0, new long[] {10, 110}, 1, new long[] {0, 50}));
                }

                @Override
                public Map<Integer, Long> offsetsAt(long t) {
                    Map<Integer, Long> m = new java.util.HashMap<>();
                    long o = Math.max(0, t - 1000);
                    if (Math.max(o, 10) < 110) {
                        m.put(0, Math.max(o, 10));
                    }
                    if (o < 50) {
                        m.put(1, o);
                    }
                    return m;
                }
            };

    private static EvaluationRange resolve(
            String from, String to, String fromTime, String toTime, Long last) {
        return EvaluationRange.resolve(
                "t", new EvaluationRange.Request(from, to, fromTime, toTime, last), KAFKA);
    }

    @Test
    void defaultIsTheWholeTopic() {
        EvaluationRange r =
                EvaluationRange.resolve("t", EvaluationRange.Request.WHOLE_TOPIC, KAFKA);
        assertArrayEquals(new long[] {10, 110}, r.offsets().get(0));
        assertArrayEquals(new long[] {0, 50}, r.offsets().get(1));
        assertEquals(150, r.records());
    }

    @Test
    void offsetsPerPartitionOrForAll() {
        EvaluationRange all = resolve("20", "40", null, null, null);
        assertArrayEquals(new long[] {20, 40}, all.offsets().get(0));
        assertArrayEquals(new long[] {20, 40}, all.offsets().get(1));
        // Naming partitions scores only those.
        EvaluationRange one = resolve("0:30", "0:60", null, null, null);
        assertEquals(1, one.offsets().size());
        assertArrayEquals(new long[] {30, 60}, one.offsets().get(0));
        // Partitions named in either flag: each from its start to its end, the others' defaults.
        EvaluationRange both = resolve("0:30", "1:20", null, null, null);
        assertEquals(2, both.offsets().size());
        assertArrayEquals(new long[] {30, 110}, both.offsets().get(0));
        assertArrayEquals(new long[] {0, 20}, both.offsets().get(1));
        // A named partition whose range is empty is left out.
        EvaluationRange atEnd = resolve("0:110", "1:20", null, null, null);
        assertEquals(java.util.Set.of(1), atEnd.offsets().keySet());
        // An empty partition range is left out.
        EvaluationRange p0 = resolve(null, "0:50,1:0", null, null, null);
        assertEquals(java.util.Set.of(0), p0.offsets().keySet());
    }

    @Test
    void timesAndLast() {
        EvaluationRange t = resolve(null, null, "1030", "1970-01-01T00:00:01.045Z", null);
        assertArrayEquals(new long[] {30, 45}, t.offsets().get(0));
        assertArrayEquals(new long[] {30, 45}, t.offsets().get(1));
        // No record at or after the end time: the partition's end.
        EvaluationRange late = resolve(null, null, "1100", null, null);
        assertArrayEquals(new long[] {100, 110}, late.offsets().get(0));
        assertEquals(1, late.offsets().size(), "partition 1 has nothing after 1100");
        EvaluationRange last = resolve(null, null, null, null, 5L);
        assertArrayEquals(new long[] {105, 110}, last.offsets().get(0));
        assertArrayEquals(new long[] {45, 50}, last.offsets().get(1));
        EvaluationRange many = resolve(null, null, null, null, 1000L);
        assertArrayEquals(new long[] {10, 110}, many.offsets().get(0));
        assertEquals(
                86_400_000L * 20_787,
                EvaluationRange.parseTime("from-time", "2026-11-30"),
                "a date is its UTC midnight");
    }

    @Test
    void whatNeedsNoKafkaIsRefusedWhenTheRequestIsMadeBeforeAnyConnection() {
        // No Offsets here at all: the request alone refuses these.
        InvalidSettingException time =
                assertThrows(
                        InvalidSettingException.class,
                        () -> new EvaluationRange.Request(null, null, "yesterday", null, null));
        assertTrue(time.getMessage().contains("from-time"), time.getMessage());
        assertTrue(time.getMessage().contains("yesterday"), time.getMessage());
        assertThrows(
                InvalidSettingException.class,
                () -> new EvaluationRange.Request("3", null, null, null, 5L));
        assertThrows(
                InvalidSettingException.class,
                () -> new EvaluationRange.Request(null, null, null, null, 0L));
        assertThrows(
                InvalidSettingException.class,
                () -> new EvaluationRange.Request(null, "9", null, "2026-11-30", null));
    }

    @Test
    void refusalsNameTheTopicsOffsets() {
        InvalidSettingException outside =
                assertThrows(
                        InvalidSettingException.class,
                        () -> resolve("0:5", null, null, null, null));
        assertEquals(
                "from-offset gives offset 5 for partition 0, outside what t holds: partition 0"
                        + " offsets [10, 110), partition 1 offsets [0, 50)",
                outside.getMessage());
        assertTrue(
                assertThrows(
                                InvalidSettingException.class,
                                () -> resolve(null, "1:51", null, null, null))
                        .getMessage()
                        .startsWith("to-offset gives offset 51 for partition 1"));
        assertTrue(
                assertThrows(
                                InvalidSettingException.class,
                                () -> resolve("0:60", "0:50", null, null, null))
                        .getMessage()
                        .contains("starts at 60 after it ends at 50"));
        assertTrue(
                assertThrows(
                                InvalidSettingException.class,
                                () -> resolve("3:0", null, null, null, null))
                        .getMessage()
                        .contains("the topic has 2 partitions: 0, 1"));
        assertTrue(
                assertThrows(
                                InvalidSettingException.class,
                                () -> resolve("x", null, null, null, null))
                        .getMessage()
                        .contains("must be P:OFFSET"));
        assertEquals(
                "from-offset names partition 0 twice, in 0:10,0:20",
                assertThrows(
                                InvalidSettingException.class,
                                () -> resolve("0:10,0:20", null, null, null, null))
                        .getMessage());
        // One partition in each of the two flags is a range, not a repetition.
        assertEquals(10, resolve("0:10", "0:20", null, null, null).offsets().get(0)[0]);
        assertThrows(InvalidSettingException.class, () -> resolve("1", null, null, null, 5L));
        assertThrows(InvalidSettingException.class, () -> resolve("1", null, "5", null, null));
        assertTrue(
                assertThrows(
                                InvalidSettingException.class,
                                () -> resolve(null, "0:10,1:0", null, null, null))
                        .getMessage()
                        .startsWith("the range holds no records"));
    }
}
