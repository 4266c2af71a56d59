package io.streamgrad.advise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class StepTimeFitTest {
    @Test
    void recoversTauFAndTauDFromExactPoints() {
        double tauF = 1.2e-3;
        double tauD = 8.6e-6;
        double[] b = {16, 32, 64, 128, 256, 512, 1024, 2048};
        double[] t = new double[b.length];
        for (int i = 0; i < b.length; i++) {
            t[i] = tauF + tauD * b[i];
        }
        StepTimeFit f = StepTimeFit.fit(b, t);
        assertEquals(tauF, f.tauF(), 1e-12);
        assertEquals(tauD, f.tauD(), 1e-15);
        assertEquals(0, f.rmsResidual(), 1e-12);
        assertEquals(1, f.rSquared(), 1e-12);
        assertEquals(tauF + tauD * 100, f.predict(100), 1e-12);
    }

    @Test
    void theLineSolvesTheWeightedNormalEquations() {
        // Points off any line: the fit is the solution of XᵀWX·β = XᵀW·t, W = diag(1/t²), solved
        // here by Cramer's rule, and its intercept's standard error s²·[(XᵀWX)⁻¹]₀₀.
        double[] b = {1, 4, 16, 64, 256, 1024};
        double[] t = {2.1e-5, 2.2e-5, 3.1e-5, 5.5e-5, 1.6e-4, 5.3e-4};
        double sw = 0;
        double swb = 0;
        double swbb = 0;
        double swt = 0;
        double swbt = 0;
        for (int i = 0; i < b.length; i++) {
            double w = 1 / (t[i] * t[i]);
            sw += w;
            swb += w * b[i];
            swbb += w * b[i] * b[i];
            swt += w * t[i];
            swbt += w * b[i] * t[i];
        }
        double det = sw * swbb - swb * swb;
        double intercept = (swt * swbb - swb * swbt) / det;
        double slope = (sw * swbt - swb * swt) / det;
        double weighted = 0;
        double plain = 0;
        for (int i = 0; i < b.length; i++) {
            double r = t[i] - intercept - slope * b[i];
            weighted += r * r / (t[i] * t[i]);
            plain += r * r;
        }
        StepTimeFit f = StepTimeFit.fit(b, t);
        assertEquals(intercept, f.tauF(), 1e-12 * Math.abs(intercept));
        assertEquals(slope, f.tauD(), 1e-12 * slope);
        assertEquals(Math.sqrt(plain / b.length), f.rmsResidual(), 1e-15);
        double se = Math.sqrt(weighted / (b.length - 2) * swbb / det);
        assertEquals(se, f.tauFStdError(), 1e-9 * se);
        double mean = swt / sw;
        double total = 0;
        for (double x : t) {
            total += (x - mean) * (x - mean) / (x * x);
        }
        assertEquals(1 - weighted / total, f.rSquared(), 1e-12);
    }

    @Test
    void underNoiseProportionalToTheStepTimeTauFIsTheSmallBatchesToAMicrosecond() {
        // Step times over 13 powers of two, 1 to 4,096, with 3 % noise each (a timing's noise
        // grows with it): the spread of τ_f over many fits is σ·√[(XᵀWX)⁻¹]₀₀ with W = 1/T²
        // (closed form), the fits' own standard errors average about that, and an unweighted
        // fit, ruled by the largest batches' noise, misses τ_f by ten times as much.
        double tauF = 20e-6;
        double tauD = 0.5e-6;
        double sigma = 0.03;
        double[] b = new double[13];
        double sw = 0;
        double swb = 0;
        double swbb = 0;
        for (int k = 0; k < b.length; k++) {
            b[k] = 1 << k;
            double w = 1 / Math.pow(tauF + tauD * b[k], 2);
            sw += w;
            swb += w * b[k];
            swbb += w * b[k] * b[k];
        }
        double expected = sigma * Math.sqrt(swbb / (sw * swbb - swb * swb));
        java.util.Random rnd = new java.util.Random(7);
        int fits = 4000;
        double sum = 0;
        double sumSq = 0;
        double estimates = 0;
        double unweightedSq = 0;
        for (int k = 0; k < fits; k++) {
            double[] t = new double[b.length];
            for (int i = 0; i < b.length; i++) {
                t[i] = (tauF + tauD * b[i]) * (1 + sigma * rnd.nextGaussian());
            }
            StepTimeFit f = StepTimeFit.fit(b, t);
            sum += f.tauF();
            sumSq += f.tauF() * f.tauF();
            estimates += f.tauFStdError() / fits;
            double miss = ordinaryIntercept(b, t) - tauF;
            unweightedSq += miss * miss / fits;
        }
        double spread = Math.sqrt(sumSq / fits - (sum / fits) * (sum / fits));
        assertEquals(expected, spread, 0.05 * expected);
        // E[s] is a little below σ for 11 degrees of freedom (c4 = 0.977).
        assertEquals(0.977 * expected, estimates, 0.06 * expected);
        // Weights from the noisy times bias τ_f by O(σ²): well under 1 %.
        assertEquals(tauF, sum / fits, 0.01 * tauF);
        double weightedRms = Math.sqrt(sumSq / fits - 2 * tauF * sum / fits + tauF * tauF);
        assertTrue(expected < 1e-6, "τ_f to a microsecond: " + expected);
        assertTrue(
                Math.sqrt(unweightedSq) > 5 * weightedRms,
                "unweighted " + Math.sqrt(unweightedSq) + " s against " + weightedRms + " s");
    }

    /** The ordinary (unweighted) least-squares intercept, for comparison. */
    private static double ordinaryIntercept(double[] b, double[] t) {
        double mb = 0;
        double mt = 0;
        for (int i = 0; i < b.length; i++) {
            mb += b[i] / b.length;
            mt += t[i] / b.length;
        }
        double sbb = 0;
        double sbt = 0;
        for (int i = 0; i < b.length; i++) {
            sbb += (b[i] - mb) * (b[i] - mb);
            sbt += (b[i] - mb) * (t[i] - mt);
        }
        return mt - sbt / sbb * mb;
    }

    @Test
    void aFixedCostCountsOnlyWhenItStandsOutOfItsNoise() {
        assertEquals(true, new StepTimeFit(3e-6, 1e-7, 0, 1, 8, 1e-6).tauFResolved());
        assertEquals(false, new StepTimeFit(1.5e-6, 1e-7, 0, 1, 8, 1e-6).tauFResolved());
        assertEquals(false, new StepTimeFit(-1e-6, 1e-7, 0, 1, 8, 1e-6).tauFResolved());
        assertEquals(true, new StepTimeFit(1e-9, 1e-7, 0, 1, 2, Double.NaN).tauFResolved());
    }

    @Test
    void needsTwoDistinctBatchSizes() {
        assertThrows(
                IllegalArgumentException.class,
                () -> StepTimeFit.fit(new double[] {64, 64}, new double[] {1e-3, 2e-3}));
        assertThrows(
                IllegalArgumentException.class,
                () -> StepTimeFit.fit(new double[] {1, 2}, new double[] {1e-3}));
        // A time of zero (a timer's resolution) cannot be weighted by its size.
        assertThrows(
                IllegalArgumentException.class,
                () -> StepTimeFit.fit(new double[] {1, 2, 4}, new double[] {0, 1e-3, 2e-3}));
    }
}
