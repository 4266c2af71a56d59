package io.streamgrad.advise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
    void residualIsTheRmsOfTheDeviationsFromTheLine() {
        // ±e alternating around a line, symmetric in b, leaves the line unchanged: residual e.
        double e = 1e-4;
        double[] b = {1, 2, 3, 4};
        double[] t = new double[4];
        double[] sign = {1, -1, -1, 1};
        for (int i = 0; i < 4; i++) {
            t[i] = 1e-3 + 1e-4 * b[i] + sign[i] * e;
        }
        StepTimeFit f = StepTimeFit.fit(b, t);
        assertEquals(1e-4, f.tauD(), 1e-12);
        assertEquals(1e-3, f.tauF(), 1e-12);
        assertEquals(e, f.rmsResidual(), 1e-12);
        // SS_tot = Σ(1e-4·(b − 2.5) ± e)² = 5e-8 + 4e-8 − cross terms; R² = 1 − 4e-8/SS_tot.
        double ssTot = 0;
        for (int i = 0; i < 4; i++) {
            double d = t[i] - (1e-3 + 1e-4 * 2.5);
            ssTot += d * d;
        }
        assertEquals(1 - 4 * e * e / ssTot, f.rSquared(), 1e-9);
        // s² = SS_res/(n − 2) = 2e², b̄ = 2.5, S_bb = 5: SE(τ_f) = e·√(2·(1/4 + 6.25/5)) = e·√3.
        assertEquals(e * Math.sqrt(3), f.tauFStdError(), 1e-15);
    }

    @Test
    void theInterceptsStandardErrorIsItsSpreadOverRepeatedNoisyFits() {
        // Gaussian noise σ on the advisor's batch sizes: the spread of τ_f over many fits is
        // σ·√(1/n + b̄²/S_bb) (closed form), and the fits' own estimates average about that.
        double[] b = {16, 32, 64, 128, 256, 512, 1024, 2048};
        double sigma = 2e-6;
        double mean = 0;
        double sbb = 0;
        for (double x : b) {
            mean += x / b.length;
        }
        for (double x : b) {
            sbb += (x - mean) * (x - mean);
        }
        double expected = sigma * Math.sqrt(1.0 / b.length + mean * mean / sbb);
        java.util.Random rnd = new java.util.Random(7);
        int fits = 4000;
        double sum = 0;
        double sumSq = 0;
        double estimates = 0;
        for (int k = 0; k < fits; k++) {
            double[] t = new double[b.length];
            for (int i = 0; i < b.length; i++) {
                t[i] = 1e-6 + 1e-7 * b[i] + sigma * rnd.nextGaussian();
            }
            StepTimeFit f = StepTimeFit.fit(b, t);
            sum += f.tauF();
            sumSq += f.tauF() * f.tauF();
            estimates += f.tauFStdError() / fits;
        }
        double spread = Math.sqrt(sumSq / fits - (sum / fits) * (sum / fits));
        assertEquals(expected, spread, 0.05 * expected);
        // E[s] is a little below σ for 6 degrees of freedom (c4 = 0.959).
        assertEquals(0.959 * expected, estimates, 0.05 * expected);
        assertEquals(1e-6, sum / fits, 3 * expected / Math.sqrt(fits));
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
    }
}
