package io.streamgrad.advise;

/**
 * The time of one training step as a straight line in the batch size, T(b) = τ_f + τ_d·b: a fixed
 * cost per iteration τ_f (kernel launches, the optimizer's pass over the parameters, bookkeeping)
 * plus a cost per example τ_d. Fitted by weighted least squares over measured (b, T) points, with
 * weights 1/T² (Montgomery, Peck and Vining, "Introduction to Linear Regression Analysis", 5th ed.,
 * §5.5.2): step times over powers of two span orders of magnitude and their noise grows with them,
 * so an unweighted fit let the largest batches' noise (tens of µs at a few ms) decide τ_f, which
 * the smallest batches measure to a µs, and τ_f came out negative. Weighted, each point counts by
 * its relative error, as the advice's time ratios do.
 *
 * @param tauF τ_f, seconds per iteration (the intercept; may come out negative from noisy points)
 * @param tauD τ_d, seconds per example (the slope)
 * @param rmsResidual root mean square of T_measured − T_fit over the points, seconds (unweighted)
 * @param rSquared the weighted coefficient of determination 1 − Σw·r²/Σw·(T − T̄_w)², with T̄_w the
 *     weighted mean (1 when the points have no spread at all and the line passes through them)
 * @param points how many points were fitted
 * @param tauFStdError the standard error of τ_f, seconds: s·√(1/Σw + b̄_w²/S_bb) with s² = Σw·r²/(n
 *     − 2), b̄_w the weighted mean batch size and S_bb = Σw·(b − b̄_w)², the weighted least-squares
 *     intercept's (ibid., §5.5.2, with the weights' scale estimated by s²); NaN with two points or
 *     fewer
 */
public record StepTimeFit(
        double tauF,
        double tauD,
        double rmsResidual,
        double rSquared,
        int points,
        double tauFStdError) {

    /** A fit whose τ_f is known exactly (standard error 0): for tests and given costs. */
    public StepTimeFit(double tauF, double tauD, double rmsResidual, double rSquared, int points) {
        this(tauF, tauD, rmsResidual, rSquared, points, 0);
    }

    /**
     * Whether τ_f is positive beyond its noise: more than twice its standard error (about 95 %
     * one-sided confidence for the fits here), or, without an error to judge by, positive.
     */
    public boolean tauFResolved() {
        return Double.isNaN(tauFStdError) ? tauF > 0 : tauF > 2 * tauFStdError;
    }

    /** The fitted time of one step at batch size b, seconds. */
    public double predict(double b) {
        return tauF + tauD * b;
    }

    /**
     * The weighted least-squares line through (b_i, t_i), weights 1/t_i².
     *
     * @param batchSizes b_i, at least two distinct values
     * @param seconds t_i, the same length, each positive
     * @throws IllegalArgumentException for mismatched lengths, fewer than two distinct batch sizes,
     *     or a time that is not a positive finite number
     */
    public static StepTimeFit fit(double[] batchSizes, double[] seconds) {
        int n = batchSizes.length;
        if (seconds.length != n) {
            throw new IllegalArgumentException(n + " batch sizes but " + seconds.length + " times");
        }
        double[] w = new double[n];
        double sw = 0;
        for (int i = 0; i < n; i++) {
            if (!(seconds[i] > 0)
                    || !Double.isFinite(seconds[i])
                    || !Double.isFinite(batchSizes[i])) {
                throw new IllegalArgumentException(
                        "a step time must be a positive finite number: point ("
                                + batchSizes[i]
                                + ", "
                                + seconds[i]
                                + ")");
            }
            w[i] = 1 / (seconds[i] * seconds[i]);
            sw += w[i];
        }
        double mb = 0;
        double mt = 0;
        for (int i = 0; i < n; i++) {
            mb += w[i] * batchSizes[i] / sw;
            mt += w[i] * seconds[i] / sw;
        }
        double sbb = 0;
        double sbt = 0;
        double stt = 0;
        for (int i = 0; i < n; i++) {
            double db = batchSizes[i] - mb;
            double dt = seconds[i] - mt;
            sbb += w[i] * db * db;
            sbt += w[i] * db * dt;
            stt += w[i] * dt * dt;
        }
        if (!(sbb > 0)) {
            throw new IllegalArgumentException(
                    "a line T(b) needs at least two distinct batch sizes");
        }
        double slope = sbt / sbb;
        double intercept = mt - slope * mb;
        double ssRes = 0;
        double weightedRes = 0;
        for (int i = 0; i < n; i++) {
            double r = seconds[i] - (intercept + slope * batchSizes[i]);
            ssRes += r * r;
            weightedRes += w[i] * r * r;
        }
        double r2 = stt > 0 ? 1 - weightedRes / stt : 1.0;
        double interceptError =
                n > 2 ? Math.sqrt(weightedRes / (n - 2) * (1.0 / sw + mb * mb / sbb)) : Double.NaN;
        return new StepTimeFit(intercept, slope, Math.sqrt(ssRes / n), r2, n, interceptError);
    }
}
