package io.streamgrad.drift;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DriftMonitorTest {
    private static final List<String> SPECS = List.of("page-hinkley:lambda=5", "adwin:delta=0.01");

    /** Batch losses: mean 0.3 for 3,000 iterations, then 0.7 (s.d. 0.05). */
    private static double loss(SplittableRandom rng, int i) {
        double g =
                Math.sqrt(-2 * Math.log(1 - rng.nextDouble()))
                        * Math.cos(2 * Math.PI * rng.nextDouble());
        return (i < 3_000 ? 0.3 : 0.7) + 0.05 * g;
    }

    @Test
    void bothDetectorsFireSoonAfterTheLossJumpsAndNotBefore() {
        DriftMonitor m = DriftMonitor.fromSpecs("--drift-detector", SPECS);
        SplittableRandom rng = new SplittableRandom(1);
        List<DriftMonitor.Alarm> alarms = new ArrayList<>();
        for (int i = 0; i < 4_000; i++) {
            alarms.addAll(m.observe(i + 1, loss(rng, i)));
        }
        // Page-Hinkley fires once and restarts; ADWIN fires on each check that still cuts, as it
        // drops the old regime bucket by bucket: all within 200 iterations of the change.
        assertEquals(
                1, alarms.stream().filter(a -> a.detector().startsWith("page-hinkley")).count());
        for (String name : List.of("page-hinkley", "adwin")) {
            DriftMonitor.Alarm first =
                    alarms.stream().filter(a -> a.detector().startsWith(name)).findFirst().get();
            assertTrue(first.iteration() > 3_000 && first.iteration() <= 3_064, first.toString());
        }
        for (DriftMonitor.Alarm a : alarms) {
            assertTrue(a.iteration() > 3_000 && a.iteration() <= 3_200, a.toString());
            assertTrue(a.detail().contains("prequential loss"), a.detail());
        }
        assertTrue(m.observe(4_001, Double.NaN).isEmpty());
    }

    @Test
    void aRestoredMonitorContinuesExactlyLikeAnUninterruptedOne() {
        SplittableRandom a = new SplittableRandom(2);
        SplittableRandom b = new SplittableRandom(2);
        DriftMonitor whole = DriftMonitor.fromSpecs("-d", SPECS);
        DriftMonitor pieces = DriftMonitor.fromSpecs("-d", SPECS);
        List<DriftMonitor.Alarm> x = new ArrayList<>();
        List<DriftMonitor.Alarm> y = new ArrayList<>();
        for (int i = 0; i < 4_000; i++) {
            x.addAll(whole.observe(i, loss(a, i)));
            y.addAll(pieces.observe(i, loss(b, i)));
            if (i % 100 == 0) {
                // As between two window closes: state out, a fresh monitor, state in.
                byte[] state = pieces.state();
                pieces = DriftMonitor.fromSpecs("-d", SPECS);
                pieces.restore(state);
            }
        }
        assertEquals(x, y);
        assertTrue(!x.isEmpty());
        byte[] state = whole.state();
        IllegalStateException e =
                assertThrows(
                        IllegalStateException.class,
                        () -> DriftMonitor.fromSpecs("-d", List.of("adwin")).restore(state));
        assertTrue(e.getMessage().contains("2 detectors"), e.getMessage());
    }
}
