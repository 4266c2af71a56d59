package io.streamgrad.advise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamgrad.model.OptimizerSpec;
import org.junit.jupiter.api.Test;

/** The seed's calculus with known τ_f, τ_d, C_var and N_iter: formula, minimum, rounding, rates. */
class BatchSizeAdviceTest {
    static final double TAU_F = 2e-3;
    static final double TAU_D = 1e-5;

    /** tr(Σ) = 500, ‖G‖² = 1: B_noise = 500. */
    static GradientNoise noise(double bNoise) {
        return new GradientNoise(16, 1024, 100, 1.0, 0.01, bNoise, 1);
    }

    static StepTimeFit time(double tauF, double tauD) {
        return new StepTimeFit(tauF, tauD, 0, 1, 8);
    }

    @Test
    void bOptIsTheFormulaAndTheMinimumOfThePredictedTime() {
        double nIter = 100;
        double bNoise = 500;
        double cVar = nIter * bNoise;
        // √(C_var·τ_f/(N_iter·τ_d)) = √(5e4 · 2e-3 / (100 · 1e-5)) = √1e5 ≈ 316.23
        assertEquals(Math.sqrt(1e5), BatchSizeAdvice.optimalBatch(cVar, nIter, TAU_F, TAU_D), 1e-9);

        BatchSizeAdvice a =
                BatchSizeAdvice.of(
                        time(TAU_F, TAU_D),
                        noise(bNoise),
                        nIter,
                        65_536,
                        2_048,
                        new OptimizerSpec("sgd", 0.1),
                        64);
        assertEquals(cVar, a.cVar(), 1e-9);
        assertEquals(Math.sqrt(1e5), a.bOpt(), 1e-9);
        double at = a.predictedSeconds(a.bOpt());
        assertTrue(at < a.predictedSeconds(a.bOpt() * 1.01), "minimum from above");
        assertTrue(at < a.predictedSeconds(a.bOpt() / 1.01), "minimum from below");
        // K(b) = N_iter + C_var/b
        assertEquals(100 + 5e4 / 256, a.iterations(256), 1e-9);
        // The recommendation is the best power of two of all.
        int best = 1;
        for (int b = 1; b <= 65_536; b <<= 1) {
            if (a.predictedSeconds(b) < a.predictedSeconds(best)) {
                best = b;
            }
        }
        assertEquals(best, a.recommendedBatchSize());
        assertTrue(best == 256 || best == 512, "around 316: " + best);
    }

    @Test
    void memoryCapsTheRecommendation() {
        BatchSizeAdvice a =
                BatchSizeAdvice.of(
                        time(TAU_F, TAU_D),
                        noise(500),
                        100,
                        128,
                        2_048,
                        new OptimizerSpec("adam", 0.01),
                        64);
        assertEquals(128, a.recommendedBatchSize());
        assertTrue(
                String.join(" ", a.reasoning()).contains("Memory caps"), a.reasoning().toString());
    }

    @Test
    void nIterTakesTheNoiseShareOutOfThePilotCount() {
        // K(b_p) = N_iter (1 + B_noise/b_p): 150 iterations at b_p = 1024 with B_noise = 512.
        assertEquals(100, BatchSizeAdvice.nIterFromPilot(150, 1024, 512), 1e-12);
    }

    @Test
    void learningRateScalesLinearlyForSgdAndBySquareRootForAdam() {
        // B_noise = 1e6 ≫ every batch: McCandlish's rule is then linear, 64 -> rec.
        BatchSizeAdvice sgd =
                BatchSizeAdvice.of(
                        time(TAU_F, TAU_D),
                        noise(1e6),
                        100,
                        65_536,
                        65_536,
                        new OptimizerSpec("sgd", 0.1),
                        64);
        int b = sgd.recommendedBatchSize();
        double exact = 0.1 * (1 + 1e6 / 64) / (1 + 1e6 / b);
        assertEquals(exact, sgd.suggestedLearningRate(), 1e-12);
        // Linear to within (b − 64)/B_noise relative: ε(b)/ε(64) = (b/64)·(64 + B)/(b + B).
        double linear = 0.1 * b / 64;
        assertEquals(linear, sgd.suggestedLearningRate(), linear * (b - 64) / 1e6);
        assertTrue(sgd.suggestedLearningRate() > 0.9 * linear, "nearly linear");

        BatchSizeAdvice adam =
                BatchSizeAdvice.of(
                        time(TAU_F, TAU_D),
                        noise(500),
                        100,
                        65_536,
                        2_048,
                        new OptimizerSpec("adam", 0.01),
                        64);
        int r = adam.recommendedBatchSize();
        assertEquals(
                0.01 * Math.sqrt(Math.min(r, 500) / 64.0), adam.suggestedLearningRate(), 1e-12);
        assertTrue(adam.learningRateRule().contains("square-root"), adam.learningRateRule());
    }

    /** SGD at 0.1 for batch 64, N_iter 100: the advice for a step time, B_noise and two caps. */
    private static BatchSizeAdvice sgd(
            StepTimeFit time, double bNoise, int largestFitting, int largestMeasured) {
        return BatchSizeAdvice.of(
                time,
                noise(bNoise),
                100,
                largestFitting,
                largestMeasured,
                new OptimizerSpec("sgd", 0.1),
                64);
    }

    @Test
    void noInteriorOptimumIsSaidAndStillGivesAPowerOfTwo() {
        BatchSizeAdvice flat = sgd(time(1e-3, -1e-9), 500, 65_536, 1_024);
        assertNull(flat.bOpt());
        assertEquals(1_024, flat.recommendedBatchSize());
        BatchSizeAdvice noFixedCost = sgd(time(-1e-4, 1e-5), 500, 65_536, 1_024);
        assertNull(noFixedCost.bOpt());
        // Not batch 1: a fixed cost too small to resolve leaves the critical batch size, B_noise
        // = 500, whose nearest power of two (log scale) is 512; memory still caps it.
        assertEquals(512, noFixedCost.recommendedBatchSize());
        assertTrue(
                String.join(" ", noFixedCost.reasoning()).contains("critical batch size"),
                noFixedCost.reasoning().toString());
        BatchSizeAdvice capped = sgd(time(-1e-4, 1e-5), 500, 128, 1_024);
        assertEquals(128, capped.recommendedBatchSize());
        // A positive τ_f within twice its standard error is not resolved either.
        BatchSizeAdvice noisy =
                sgd(new StepTimeFit(1e-6, 1e-7, 2e-6, 0.99, 8, 0.8e-6), 500, 65_536, 1_024);
        assertNull(noisy.bOpt());
        assertEquals(512, noisy.recommendedBatchSize());
        // Nor past the largest size measured, however large B_noise came out.
        BatchSizeAdvice huge = sgd(time(-1e-4, 1e-5), 50_000, 65_536, 2_048);
        assertEquals(2_048, huge.recommendedBatchSize());
        assertEquals(1, BatchSizeAdvice.nearestPowerOfTwo(0.3));
        assertEquals(32, BatchSizeAdvice.nearestPowerOfTwo(45)); // log2 45 = 5.49
        assertEquals(64, BatchSizeAdvice.nearestPowerOfTwo(46)); // log2 46 = 5.52
        assertThrows(
                IllegalArgumentException.class,
                () -> BatchSizeAdvice.optimalBatch(1, 1, 0, 1e-5),
                "τ_f = 0 has no optimum");
    }
}
