package io.streamgrad.advise;

import io.streamgrad.batch.Batch;
import io.streamgrad.config.InvalidSettingException;
import io.streamgrad.model.DenseNetwork;

/**
 * The gradient noise at a model's current parameters, by the unbiased two-batch estimator of
 * McCandlish, Kaplan, Amodei et al. 2018, "An Empirical Model of Large-Batch Training"
 * (arXiv:1812.06162), appendix A.1.
 *
 * <p>A mini-batch gradient g_b of b i.i.d. examples has mean G (the true gradient) and covariance
 * Σ/b, Σ the covariance of one example's gradient, so E‖g_b‖² = ‖G‖² + tr(Σ)/b. Two batch sizes b_s
 * &lt; b_b give two equations in ‖G‖² and tr(Σ), solved by
 *
 * <pre>
 *   |G|²   = (b_b·|g_b_b|² − b_s·|g_b_s|²) / (b_b − b_s)
 *   tr(Σ)  = (|g_b_s|² − |g_b_b|²) / (1/b_s − 1/b_b)
 * </pre>
 *
 * each unbiased; one pair of batches gives a very noisy estimate, so each is averaged over many
 * independent pairs, and the noise scale is the ratio of the averages, B_noise = tr(Σ)/|G|² (as the
 * paper does: the ratio of two averages is far less biased than the average of ratios). B_noise is
 * the batch size at which the gradient's noise and its signal are about equal (the paper's "simple
 * noise scale", eq. 2.8).
 *
 * @param bSmall b_s, the small batch size
 * @param bBig b_b, the big batch size
 * @param pairs how many independent pairs of batches were averaged
 * @param gradNormSq the estimate of ‖G‖² (squared L2 norm over all parameters)
 * @param gradNormSqStdError its standard error, from the spread of the per-pair estimates
 * @param traceSigma the estimate of tr(Σ), the summed per-parameter variance of one example's
 *     gradient
 * @param traceSigmaStdError its standard error
 */
public record GradientNoise(
        int bSmall,
        int bBig,
        int pairs,
        double gradNormSq,
        double gradNormSqStdError,
        double traceSigma,
        double traceSigmaStdError) {

    /** B_noise = tr(Σ)/‖G‖², examples; positive by construction of {@link #estimate}. */
    public double noiseScale() {
        return traceSigma / gradNormSq;
    }

    /**
     * Averages the two estimators over {@code pairs} independent pairs of batches drawn by {@code
     * sampler}, at the network's current parameters (it is not updated).
     *
     * @throws IllegalArgumentException unless 1 ≤ bSmall &lt; bBig and pairs ≥ 2
     * @throws UndefinedNoiseScaleException when every mini-batch gradient is zero, or the estimate
     *     of ‖G‖² or tr(Σ) is not positive (the noise scale would be undefined or negative)
     */
    public static GradientNoise estimate(
            DenseNetwork network, BatchSampler sampler, int bSmall, int bBig, int pairs) {
        if (bSmall < 1 || bBig <= bSmall) {
            throw new IllegalArgumentException(
                    "the two batch sizes need 1 <= small < big, got " + bSmall + " and " + bBig);
        }
        if (pairs < 2) {
            throw new InvalidSettingException(
                    "{noise-pairs} must be at least 2 (a standard error needs two), got " + pairs);
        }
        double[] g2 = new double[pairs];
        double[] trace = new double[pairs];
        double largest = 0;
        for (int i = 0; i < pairs; i++) {
            double small = squaredNorm(network, sampler.draw(bSmall));
            double big = squaredNorm(network, sampler.draw(bBig));
            largest = Math.max(largest, Math.max(small, big));
            g2[i] = (bBig * big - bSmall * small) / (bBig - bSmall);
            trace[i] = (small - big) / (1.0 / bSmall - 1.0 / bBig);
        }
        if (!(largest > 0)) {
            throw new UndefinedNoiseScaleException(
                    "every mini-batch gradient is zero at the model's parameters: the loss is flat"
                            + " on this sample (the model fits it exactly, or its outputs do not"
                            + " depend on the parameters), so there is no gradient noise to"
                            + " measure");
        }
        GradientNoise n =
                new GradientNoise(
                        bSmall, bBig, pairs, mean(g2), stdError(g2), mean(trace), stdError(trace));
        if (!(n.gradNormSq() > 0) || !(n.traceSigma() > 0)) {
            throw new UndefinedNoiseScaleException(
                    String.format(
                            java.util.Locale.ROOT,
                            "the noise scale is undefined here: |G|² = %.3g ± %.2g and tr(Σ) ="
                                    + " %.3g ± %.2g over %d pairs of batches of %d and %d; a"
                                    + " gradient this close to zero (a model at a minimum of"
                                    + " this data) or this few pairs cannot resolve it: average"
                                    + " more pairs (the standard error falls as 1/√pairs)",
                            n.gradNormSq(),
                            n.gradNormSqStdError(),
                            n.traceSigma(),
                            n.traceSigmaStdError(),
                            pairs,
                            bSmall,
                            bBig));
        }
        return n;
    }

    private static double squaredNorm(DenseNetwork network, Batch b) {
        double[] g = network.gradientOf(b.x(), b.labels(), b.size());
        double s = 0;
        for (double v : g) {
            s += v * v;
        }
        return s;
    }

    static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    static double stdError(double[] v) {
        double m = mean(v);
        double s = 0;
        for (double x : v) {
            s += (x - m) * (x - m);
        }
        return Math.sqrt(s / (v.length - 1) / v.length);
    }
}
