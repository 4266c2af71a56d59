package io.streamgrad.drift;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;

/**
 * Detection delay on a known abrupt change and false alarms on a stationary stream of 1,000,000
 * values, for both detectors. Streams are seeded, so the numbers below are reproducible.
 */
class DriftDetectorsTest {
    private static final int STATIONARY = 1_000_000;

    /** Bernoulli(p) values: a classifier's 0/1 error indicator. */
    private static DoubleSupplier bernoulli(SplittableRandom rng, double p) {
        return () -> rng.nextDouble() < p ? 1 : 0;
    }

    /**
     * Index (0-based, from the change) of the first detection after {@code change}, -1 if none
     * within {@code limit}; fails on an alarm before the change.
     */
    private static long delay(
            DriftDetector d, int change, DoubleSupplier before, DoubleSupplier after, int limit) {
        for (int i = 0; i < change; i++) {
            assertTrue(!d.update(before.getAsDouble()), "false alarm at " + i);
        }
        for (int i = 0; i < limit; i++) {
            if (d.update(after.getAsDouble())) {
                return i;
            }
        }
        return -1;
    }

    private static long falseAlarms(DriftDetector d, DoubleSupplier stationary) {
        for (int i = 0; i < STATIONARY; i++) {
            d.update(stationary.getAsDouble());
        }
        assertEquals(STATIONARY, d.count());
        return d.detections();
    }

    @Test
    void pageHinkleyDetectsAnErrorRateJumpFrom20To50PercentWithin500Values() {
        // m grows by about 0.5 - 0.2 - delta = 0.29 per value after the change: λ = 100 is
        // crossed after about 345 values.
        for (long seed = 1; seed <= 5; seed++) {
            SplittableRandom rng = new SplittableRandom(seed);
            long d =
                    delay(
                            new PageHinkley(0.01, 100, 30),
                            20_000,
                            bernoulli(rng, 0.2),
                            bernoulli(rng, 0.5),
                            10_000);
            assertTrue(d >= 0 && d < 500, "seed " + seed + ": delay " + d);
        }
    }

    @Test
    void pageHinkleyRaisesNoFalseAlarmOnAMillionStationaryValues() {
        // Stated rate: below 1e-5 per value (at most 10 in 1,000,000). Without change the
        // statistic is a random walk reflected at 0 with drift -delta and variance p(1-p) = 0.16
        // per step, whose excursions above λ have probability about exp(-2 δ λ / 0.16): e^-12.5
        // for δ = 0.01, λ = 100. The often quoted δ = 0.005, λ = 50 (e^-3.1) raised 22 false
        // alarms on this very stream.
        long alarms =
                falseAlarms(
                        new PageHinkley(0.01, 100, 30), bernoulli(new SplittableRandom(7), 0.2));
        assertTrue(alarms <= 10, "false alarms: " + alarms);
        assertTrue(
                falseAlarms(new PageHinkley(0.005, 50, 30), bernoulli(new SplittableRandom(7), 0.2))
                        > 10,
                "the weaker setting does raise false alarms here");
    }

    @Test
    void adwinDetectsAnErrorRateJumpFrom20To50PercentWithin500Values() {
        for (long seed = 1; seed <= 5; seed++) {
            SplittableRandom rng = new SplittableRandom(seed);
            Adwin adwin = Adwin.withDelta(0.002);
            long d = delay(adwin, 20_000, bernoulli(rng, 0.2), bernoulli(rng, 0.5), 10_000);
            assertTrue(d >= 0 && d < 500, "seed " + seed + ": delay " + d);
            // Later cuts drop the rest of the old regime: the window's mean becomes the new one.
            DoubleSupplier after = bernoulli(rng, 0.5);
            for (int i = 0; i < 3_000; i++) {
                adwin.update(after.getAsDouble());
            }
            assertEquals(0.5, adwin.mean(), 0.05, "width " + adwin.width());
            // ... keeping at most one bucket's worth of old values (its 20,000 are gone).
            assertTrue(adwin.width() < 3_000 + d + 1_024, "width " + adwin.width());
        }
    }

    @Test
    void adwinRaisesFewFalseAlarmsOnAMillionStationaryValues() {
        // Stated rate: below 1e-5 per value (at most 10 in 1,000,000).
        Adwin adwin = Adwin.withDelta(0.002);
        long alarms = falseAlarms(adwin, bernoulli(new SplittableRandom(7), 0.2));
        assertTrue(alarms <= 10, "false alarms: " + alarms);
        // With no change the window grows to hold the whole stream and estimates its mean.
        assertTrue(adwin.width() > 100_000, "width " + adwin.width());
        assertEquals(0.2, adwin.mean(), 0.005);
    }

    @Test
    void adwinTracksTheMeanOfAGaussianLossAfterADrop() {
        SplittableRandom rng = new SplittableRandom(3);
        Adwin adwin = Adwin.withDelta(0.002);
        for (int i = 0; i < 50_000; i++) {
            adwin.update(Math.min(1, Math.max(0, 0.6 + 0.1 * gaussian(rng))));
        }
        for (int i = 0; i < 5_000; i++) {
            adwin.update(Math.min(1, Math.max(0, 0.3 + 0.1 * gaussian(rng))));
        }
        // The window followed the drop, but a falling loss is learning, not an alarm.
        assertEquals(0.3, adwin.mean(), 0.01);
        assertEquals(0, adwin.detections(), "a drop of the loss raises no alarm");
    }

    @Test
    void specsParseWithDefaultsAndBadOnesNameTheFlag() {
        DriftDetector ph = DriftDetectors.parse("--drift-detector", "page-hinkley:lambda=20").get();
        assertEquals("page-hinkley(delta=0.01,lambda=20.0,min-instances=30)", ph.describe());
        assertEquals(
                "adwin(delta=0.002,buckets=5,clock=32,min-window=5)",
                DriftDetectors.parse("-d", "adwin").get().describe());
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> DriftDetectors.parse("--drift-detector", "adwin:delta=2"));
        assertTrue(
                e.getMessage()
                        .startsWith(
                                "--drift-detector 'adwin:delta=2': adwin delta must be in (0, 1)"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DriftDetectors.parse("-d", "cusum"));
        assertThrows(
                IllegalArgumentException.class, () -> DriftDetectors.parse("-d", "adwin:lambda=3"));
        assertThrows(
                IllegalArgumentException.class,
                () -> new PageHinkley(0.005, 50, 30).update(Double.NaN));
    }

    private static double gaussian(SplittableRandom rng) {
        return Math.sqrt(-2 * Math.log(1 - rng.nextDouble()))
                * Math.cos(2 * Math.PI * rng.nextDouble());
    }
}
