package io.streamgrad.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The rate of event time a topic's sample carries, which sizes event-time windows. */
class TopicSampleRateTest {
    /**
     * {@code n} events 10 ms apart from {@code start}, shuffled (a partition's order need not be
     * time's).
     */
    private static long[] evenly(int n, long start) {
        long[] t = new long[n];
        for (int i = 0; i < n; i++) {
            t[i] = start + 10L * i;
        }
        Random r = new Random(3);
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            long x = t[i];
            t[i] = t[j];
            t[j] = x;
        }
        return t;
    }

    @Test
    void evenlySpacedEventsGiveTheirRateExactlySummedOverPartitions() {
        assertEquals(100.0, TopicSample.eventsPerSecond(List.of(evenly(1_024, 0))), 1e-9);
        assertEquals(
                200.0,
                TopicSample.eventsPerSecond(List.of(evenly(1_024, 0), evenly(512, 5_000))),
                1e-9);
        // Too few to trim: the whole span.
        assertEquals(100.0, TopicSample.eventsPerSecond(List.of(evenly(5, 0))), 1e-9);
    }

    @Test
    void aFewEventsStampedFarFromTheOthersDoNotStretchTheSpan() {
        long[] t = evenly(1_024, 1_700_000_000_000L);
        // Three re-sent with timestamps a month old, two from a clock a day ahead.
        t[10] = t[11] = t[12] = 1_697_000_000_000L;
        t[20] = t[21] = 1_700_086_400_000L;
        double rate = TopicSample.eventsPerSecond(List.of(t));
        // The whole span would say 1,024 events over a month: 0.0004 per second.
        assertTrue(Math.abs(rate - 100.0) < 2.0, "rate " + rate);
    }

    @Test
    void noPartitionWithTwoTimesHasNoRate() {
        assertTrue(Double.isNaN(TopicSample.eventsPerSecond(List.of(new long[] {5, 5, 5}))));
        assertTrue(Double.isNaN(TopicSample.eventsPerSecond(List.of(new long[] {7}))));
        assertTrue(Double.isNaN(TopicSample.eventsPerSecond(List.of())));
    }
}
