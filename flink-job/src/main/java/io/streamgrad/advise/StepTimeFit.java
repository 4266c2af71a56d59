package io.streamgrad.advise;

/**
 * The time of one training step as a straight line in the batch size, T(b) = τ_f + τ_d·b: a fixed
 * cost per iteration τ_f (kernel launches, the optimizer's pass over the parameters, bookkeeping)
 * plus a cost per example τ_d. Fitted by ordinary least squares over measured (b, T) points.
 *
 * @param tauF τ_f, seconds per iteration (the intercept; may come out negative from noisy points)
 * @param tauD τ_d, seconds per example (the slope)
 * @param rmsResidual root mean square of T_measured − T_fit over the points, seconds
 * @param rSquared coefficient of determination 1 − SS_res/SS_tot (1 when the points have no spread
 *     at all and the line passes through them)
 * @param points how many points were fitted
 * @param tauFStdError the standard error of τ_f, seconds: s·√(1/n + b̄²/S_bb) with s² = SS_res/(n −
 *     2), the ordinary least-squares intercept's (Montgomery, Peck and Vining, "Introduction to
 *     Linear Regression Analysis", 5th ed., §2.3.2); NaN with two points or fewer
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
     * Least-squares line through (b_i, t_i).
     *
     * @param batchSizes b_i, at least two distinct values
     * @param seconds t_i, the same length
     * @throws IllegalArgumentException for mismatched lengths, fewer than two distinct batch sizes
     *     or non-finite times
     */
    public static StepTimeFit fit(double[] batchSizes, double[] seconds) {
        int n = batchSizes.length;
        if (seconds.length != n) {
            throw new IllegalArgumentException(n + " batch sizes but " + seconds.length + " times");
        }
        double mb = 0;
        double mt = 0;
        for (int i = 0; i < n; i++) {
            if (!Double.isFinite(seconds[i]) || !Double.isFinite(batchSizes[i])) {
                throw new IllegalArgumentException(
                        "non-finite point (" + batchSizes[i] + ", " + seconds[i] + ")");
            }
            mb += batchSizes[i] / n;
            mt += seconds[i] / n;
        }
        double sbb = 0;
        double sbt = 0;
        double stt = 0;
        for (int i = 0; i < n; i++) {
            double db = batchSizes[i] - mb;
            double dt = seconds[i] - mt;
            sbb += db * db;
            sbt += db * dt;
            stt += dt * dt;
        }
        if (!(sbb > 0)) {
            throw new IllegalArgumentException(
                    "a line T(b) needs at least two distinct batch sizes");
        }
        double slope = sbt / sbb;
        double intercept = mt - slope * mb;
        double ssRes = 0;
        for (int i = 0; i < n; i++) {
            double r = seconds[i] - (intercept + slope * batchSizes[i]);
            ssRes += r * r;
        }
        double r2 = stt > 0 ? 1 - ssRes / stt : 1.0;
        double interceptError =
                n > 2 ? Math.sqrt(ssRes / (n - 2) * (1.0 / n + mb * mb / sbb)) : Double.NaN;
        return new StepTimeFit(intercept, slope, Math.sqrt(ssRes / n), r2, n, interceptError);
    }
}
