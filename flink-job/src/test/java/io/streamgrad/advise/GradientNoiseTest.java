package io.streamgrad.advise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamgrad.batch.Batch;
import io.streamgrad.model.Activation;
import io.streamgrad.model.DenseNetwork;
import io.streamgrad.model.ModelSpec;
import io.streamgrad.model.OptimizerSpec;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The two-batch estimator on a problem whose gradient mean and covariance are known in closed form:
 * linear regression with squared error, Gaussian inputs and Gaussian label noise.
 *
 * <p>The model f(x) = w·x + c with D inputs; data x ~ N(0, I_D), y = w*·x + ε, ε ~ N(0, s²). The
 * network's MSE loss per example is r² with r = f(x) − y = δ·x + c − ε, δ = w − w*, so one
 * example's gradient is g = (2r·x, 2r). With u = δ·x ~ N(0, ‖δ‖²):
 *
 * <ul>
 *   <li>G = E g = (2E[(δ·x)x] + 2cE[x] − 2E[εx], 2E[r]) = (2δ, 2c), so ‖G‖² = 4(‖δ‖² + c²).
 *   <li>E‖g‖² = 4E[r²(‖x‖² + 1)]. Isserlis' theorem gives E[x_a x_b x_j²] = δ_ab + 2δ_aj δ_bj, so
 *       E[u²‖x‖²] = Σ_j (‖δ‖² + 2δ_j²) = (D + 2)‖δ‖²; the odd moments vanish and ε is independent,
 *       so E[r²‖x‖²] = (D + 2)‖δ‖² + D(c² + s²), and E[r²] = ‖δ‖² + c² + s².
 *   <li>tr(Σ) = E‖g‖² − ‖G‖² = 4[(D + 2)‖δ‖² + D·c² + (D + 1)s²].
 * </ul>
 *
 * Batches are fresh draws from this distribution (not resampled from a finite set), so the
 * estimator's target is exactly these values.
 */
class GradientNoiseTest {
    static final int D = 8;

    /** w* = (1, −1, 1, ...), δ_j = 0.25·(j+1)/D, c = 0.3, s = 0.8. */
    static final double C = 0.3;

    static final double S = 0.8;

    static double[] teacher() {
        double[] w = new double[D];
        for (int j = 0; j < D; j++) {
            w[j] = j % 2 == 0 ? 1 : -1;
        }
        return w;
    }

    static double[] delta() {
        double[] d = new double[D];
        for (int j = 0; j < D; j++) {
            d[j] = 0.25 * (j + 1) / D;
        }
        return d;
    }

    static DenseNetwork network(double[] w, double c) {
        ModelSpec spec = ModelSpec.parse("linear", D, 0, Activation.RELU);
        float[] p = new float[D + 1];
        for (int j = 0; j < D; j++) {
            p[j] = (float) w[j];
        }
        p[D] = (float) c;
        return DenseNetwork.restore(spec, new OptimizerSpec("sgd", 0.1), p, null, DataType.FLOAT);
    }

    static BatchSampler gaussianRegression(double[] wStar, double noise, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        return n -> {
            float[] x = new float[n * D];
            double[] y = new double[n];
            for (int i = 0; i < n; i++) {
                double t = 0;
                for (int j = 0; j < D; j++) {
                    double v = gaussian(rng);
                    x[i * D + j] = (float) v;
                    t += wStar[j] * (float) v;
                }
                y[i] = t + noise * gaussian(rng);
            }
            return new Batch("m", 0, n, D, x, y, 0, 0);
        };
    }

    static double gaussian(SplittableRandom rng) {
        // Box–Muller.
        return Math.sqrt(-2 * Math.log(1 - rng.nextDouble()))
                * Math.cos(2 * Math.PI * rng.nextDouble());
    }

    static double squaredNorm(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x * x;
        }
        return s;
    }

    @Test
    void recoversTraceSigmaAndGradientNormOfGaussianLinearRegression() {
        double[] wStar = teacher();
        double[] d = delta();
        double[] w = new double[D];
        for (int j = 0; j < D; j++) {
            w[j] = wStar[j] + d[j];
        }
        double dd = squaredNorm(d);
        double expectedG2 = 4 * (dd + C * C);
        double expectedTrace = 4 * ((D + 2) * dd + D * C * C + (D + 1) * S * S);

        GradientNoise n =
                GradientNoise.estimate(
                        network(w, C), gaussianRegression(wStar, S, 5), 4, 64, 4_000);

        // The per-pair estimates are i.i.d. and unbiased, so their mean is approximately normal
        // around the truth with the standard error measured from their spread (CLT over 4,000
        // pairs); 4 standard errors bound a false failure at ~6e-5 (the run is seeded, so the
        // outcome is fixed anyway). The relative bounds make sure the standard error is small
        // enough for the check to mean something.
        assertEquals(expectedG2, n.gradNormSq(), 4 * n.gradNormSqStdError(), "|G|² " + n);
        assertEquals(expectedTrace, n.traceSigma(), 4 * n.traceSigmaStdError(), "tr(Σ) " + n);
        assertTrue(n.gradNormSqStdError() < 0.1 * expectedG2, "|G|² resolved: " + n);
        assertTrue(n.traceSigmaStdError() < 0.05 * expectedTrace, "tr(Σ) resolved: " + n);
        assertEquals(
                expectedTrace / expectedG2,
                n.noiseScale(),
                0.15 * expectedTrace / expectedG2,
                "B_noise");
    }

    @Test
    void atTheTeacherOnlyTheLabelNoiseIsLeft() {
        // δ = 0, c = 0: G = 0 in expectation is not estimable, but tr(Σ) = 4(D+1)s² is; with a
        // small offset c = 0.5 the gradient is (0, 1) and ‖G‖² = 1.
        double[] wStar = teacher();
        GradientNoise n =
                GradientNoise.estimate(
                        network(wStar, 0.5), gaussianRegression(wStar, S, 6), 8, 128, 3_000);
        double expectedTrace = 4 * (D * 0.25 + (D + 1) * S * S);
        assertEquals(expectedTrace, n.traceSigma(), 4 * n.traceSigmaStdError(), "tr(Σ) " + n);
        assertEquals(1.0, n.gradNormSq(), 4 * n.gradNormSqStdError(), "|G|² " + n);
    }

    @Test
    void aZeroGradientIsACleanErrorNotADivisionByZero() {
        // Parameters all zero, labels all zero: every residual and so every gradient is 0.
        DenseNetwork net = network(new double[D], 0);
        BatchSampler zeros = b -> new Batch("m", 0, b, D, new float[b * D], new double[b], 0, 0);
        UndefinedNoiseScaleException e =
                assertThrows(
                        UndefinedNoiseScaleException.class,
                        () -> GradientNoise.estimate(net, zeros, 4, 16, 10));
        assertTrue(e.getMessage().contains("gradient is zero"), e.getMessage());
    }

    @Test
    void refusesBatchSizesInTheWrongOrder() {
        DenseNetwork net = network(teacher(), 0);
        BatchSampler s = gaussianRegression(teacher(), S, 1);
        assertThrows(
                IllegalArgumentException.class, () -> GradientNoise.estimate(net, s, 8, 8, 10));
        assertThrows(
                IllegalArgumentException.class, () -> GradientNoise.estimate(net, s, 8, 16, 1));
    }
}
