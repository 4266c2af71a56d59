package io.streamgrad.advise;

import io.streamgrad.batch.BatchSize;
import io.streamgrad.model.OptimizerSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The batch size that minimises the predicted wall time of a training run, from three measured
 * things: the time of one step T(b) = τ_f + τ_d·b ({@link StepTimeFit}), the gradient noise scale
 * B_noise = tr(Σ)/‖G‖² ({@link GradientNoise}), and the iterations of a pilot run ({@link Pilot}).
 *
 * <h2>The model of iterations</h2>
 *
 * McCandlish et al. 2018 ("An Empirical Model of Large-Batch Training", arXiv:1812.06162, §2.2 and
 * eq. 2.11) find that the steps S a run needs to reach a given loss at batch size B follow S =
 * S_min · (1 + B_noise/B): with B ≪ B_noise every example of a batch nearly counts as a step of its
 * own, with B ≫ B_noise larger batches stop paying. Written as the seed's K(b) = N_iter + C_var/b:
 *
 * <pre>
 *   N_iter = S_min                    (iterations that no batch size avoids)
 *   C_var  = N_iter · B_noise         (iterations the gradient's variance adds, times b)
 *   K(b)   = N_iter · (1 + B_noise/b)
 * </pre>
 *
 * N_iter comes from a pilot at a large batch b_p that needed K_p iterations to reach its target:
 * N_iter = K_p / (1 + B_noise/b_p), the pilot's count with the noise's share taken out.
 *
 * <h2>The optimum</h2>
 *
 * The predicted time K(b)·T(b) = N_iter·(τ_f + τ_d·b + B_noise·τ_f/b + B_noise·τ_d) is convex in b
 * and smallest at b_opt = √(C_var·τ_f / (N_iter·τ_d)) = √(B_noise·τ_f/τ_d): N_iter cancels, so the
 * optimum balances the noise scale against the ratio of fixed to per-example cost. The
 * recommendation is whichever of the two powers of two around b_opt has the smaller predicted time,
 * no larger than the largest batch whose step fits in memory.
 *
 * <h2>The learning rate</h2>
 *
 * The configured rate is taken as tuned for the configured batch size b_0 and scaled to the
 * recommendation b. SGD and its momentum variants: McCandlish et al.'s eq. 2.6, ε_opt(B) = ε_max /
 * (1 + B_noise/B), so ε(b) = ε(b_0) · (1 + B_noise/b_0)/(1 + B_noise/b): the linear scaling rule
 * (Goyal et al. 2017, "Accurate, Large Minibatch SGD", arXiv:1706.02677) while b ≪ B_noise,
 * leveling off beyond. Adaptive optimizers (adam, adamw, rmsprop, and adagrad by extension): the
 * square-root scaling rule (Malladi et al. 2022, "On the SDEs and Scaling Rules for Adaptive
 * Gradient Algorithms", NeurIPS, arXiv:2205.10287), ε(b) = ε(b_0)·√(min(b, B_noise)/min(b_0,
 * B_noise)), likewise not scaled past the noise scale.
 *
 * @param tauFSeconds τ_f, seconds per iteration
 * @param tauDSeconds τ_d, seconds per example
 * @param traceSigma tr(Σ)
 * @param gradNormSq ‖G‖²
 * @param noiseScale B_noise
 * @param nIter N_iter, iterations
 * @param cVar C_var = N_iter·B_noise, iterations × examples
 * @param bOpt b_opt, examples; null when the step-time fit has no interior optimum (τ_f ≤ 0 or τ_d
 *     ≤ 0)
 * @param recommendedBatchSize the recommended power of two
 * @param largestFittingBatch the largest power of two whose step fits in memory
 * @param learningRate the configured learning rate, for batch size {@code referenceBatchSize}
 * @param referenceBatchSize b_0
 * @param suggestedLearningRate the rate scaled to the recommendation
 * @param learningRateRule which rule scaled it (and its source)
 * @param reasoning the reasoning, one sentence per line
 */
public record BatchSizeAdvice(
        double tauFSeconds,
        double tauDSeconds,
        double traceSigma,
        double gradNormSq,
        double noiseScale,
        double nIter,
        double cVar,
        Double bOpt,
        int recommendedBatchSize,
        int largestFittingBatch,
        double learningRate,
        int referenceBatchSize,
        double suggestedLearningRate,
        String learningRateRule,
        List<String> reasoning) {

    /** K(b) = N_iter + C_var/b, iterations. */
    public double iterations(double b) {
        return nIter + cVar / b;
    }

    /** K(b)·T(b), seconds (with T from the fit). */
    public double predictedSeconds(double b) {
        return iterations(b) * (tauFSeconds + tauDSeconds * b);
    }

    /** N_iter = K_p / (1 + B_noise/b_p) from a pilot that took K_p iterations at batch b_p. */
    public static double nIterFromPilot(int pilotIterations, int pilotBatch, double noiseScale) {
        return pilotIterations / (1 + noiseScale / pilotBatch);
    }

    /** The power of two nearest x on a log scale (1 for x ≤ 1), at most {@link BatchSize#MAX}. */
    static int nearestPowerOfTwo(double x) {
        if (!(x > 1)) {
            return 1;
        }
        double exponent = Math.rint(Math.log(x) / Math.log(2));
        return (int) Math.min(BatchSize.MAX, Math.pow(2, exponent));
    }

    /**
     * b_opt = √(C_var·τ_f / (N_iter·τ_d)), the minimum of (N_iter + C_var/b)(τ_f + τ_d·b).
     *
     * @throws IllegalArgumentException unless all four are positive and finite
     */
    public static double optimalBatch(double cVar, double nIter, double tauF, double tauD) {
        for (double v : new double[] {cVar, nIter, tauF, tauD}) {
            if (!(v > 0) || Double.isInfinite(v)) {
                throw new IllegalArgumentException(
                        "b_opt needs positive C_var, N_iter, τ_f, τ_d; got "
                                + cVar
                                + ", "
                                + nIter
                                + ", "
                                + tauF
                                + ", "
                                + tauD);
            }
        }
        return Math.sqrt(cVar * tauF / (nIter * tauD));
    }

    /**
     * Combines the measurements into a recommendation.
     *
     * @param time the step-time fit
     * @param noise the noise estimate (positive ‖G‖² and tr(Σ))
     * @param nIter N_iter (positive)
     * @param largestFittingBatch the largest power of two whose step fits in memory (≥ 1)
     * @param largestMeasuredBatch the largest batch size the step-time fit saw (the fit is not
     *     trusted to recommend far beyond it when it has no interior optimum)
     * @param optimizer the configured optimizer and rate
     * @param referenceBatchSize b_0, the batch size the configured rate is meant for
     */
    public static BatchSizeAdvice of(
            StepTimeFit time,
            GradientNoise noise,
            double nIter,
            int largestFittingBatch,
            int largestMeasuredBatch,
            OptimizerSpec optimizer,
            int referenceBatchSize) {
        if (!(nIter > 0) || largestFittingBatch < 1 || referenceBatchSize < 1) {
            throw new IllegalArgumentException(
                    "N_iter, the largest fitting batch and the reference batch must be positive");
        }
        double bNoise = noise.noiseScale();
        double cVar = nIter * bNoise;
        double tauF = time.tauF();
        double tauD = time.tauD();
        int cap = (int) Math.min(largestFittingBatch, BatchSize.MAX);
        List<String> why = new ArrayList<>();
        why.add(
                f(
                        "Gradient noise: tr(Σ) = %.4g, |G|² = %.4g, so B_noise = tr(Σ)/|G|² = %.1f"
                                + " examples (the batch size at which the gradient's noise and"
                                + " signal are about equal).",
                        noise.traceSigma(), noise.gradNormSq(), bNoise));
        why.add(
                f(
                        "Iterations: K(b) = N_iter + C_var/b with N_iter = %.1f and C_var = N_iter"
                                + "·B_noise = %.4g (McCandlish et al. 2018, eq. 2.11).",
                        nIter, cVar));
        why.add(
                f(
                        "Step time: T(b) = %.4g s %s %.4g s·b (least squares weighted by 1/T²,"
                                + " residual %.2g s"
                                + " RMS, R² %.3f).",
                        tauF,
                        tauD < 0 ? "−" : "+",
                        Math.abs(tauD),
                        time.rmsResidual(),
                        time.rSquared()));
        Double bOpt = null;
        int recommended;
        if (time.tauFResolved() && tauD > 0) {
            bOpt = optimalBatch(cVar, nIter, tauF, tauD);
            int below = Math.min(cap, floorPowerOfTwo(bOpt));
            int above = Math.min(cap, below * 2);
            recommended =
                    predicted(nIter, cVar, tauF, tauD, above)
                                    < predicted(nIter, cVar, tauF, tauD, below)
                            ? above
                            : below;
            why.add(
                    f(
                            "K(b)·T(b) is smallest at b_opt = √(C_var·τ_f/(N_iter·τ_d)) ="
                                    + " √(B_noise·τ_f/τ_d) = %.1f; of the powers of two around it,"
                                    + " %d has the smaller predicted time.",
                            bOpt, recommended));
            if (below * 2 > cap
                    && predicted(nIter, cVar, tauF, tauD, below * 2)
                            < predicted(nIter, cVar, tauF, tauD, below)) {
                why.add(f("Memory caps the batch at %d (the largest step that fits).", cap));
            }
        } else if (tauD <= 0) {
            recommended = Math.min(cap, Integer.highestOneBit(Math.max(1, largestMeasuredBatch)));
            why.add(
                    f(
                            "The step time did not grow with b over the measured sizes (τ_d ≤"
                                    + " 0): larger batches cost nothing extra there, so the largest"
                                    + " measured size that fits, %d, is recommended; measure"
                                    + " larger sizes to find where the per-example cost shows.",
                            recommended));
        } else {
            // A fixed cost below what the timing resolves is not a zero one: a job pays one per
            // iteration besides the step (its metric to Kafka, the window's bookkeeping), which
            // this fit does not see. Batch 1 would maximise that, so take the critical batch size
            // instead, where steps and examples trade evenly (McCandlish et al. 2018, sec. 2.2:
            // B_crit ≈ B_noise).
            // Not past the sizes measured: B_noise from a noisy |G|² can be far larger.
            recommended =
                    Math.min(
                            Math.min(cap, Integer.highestOneBit(Math.max(1, largestMeasuredBatch))),
                            nearestPowerOfTwo(bNoise));
            why.add(
                    f(
                            "The fitted fixed cost per step, τ_f = %.3g s%s, is not"
                                    + " positive beyond twice its standard error: it is below what"
                                    + " the timing resolves, not zero, and the job adds a cost per"
                                    + " iteration the step's timing does not see; so the power of"
                                    + " two nearest the critical batch size B_noise = %.1f"
                                    + " (McCandlish et al. 2018), no larger than the sizes"
                                    + " measured and memory allow, %d, is recommended: fewer steps"
                                    + " would cost more examples, more steps would save few.",
                            tauF,
                            Double.isNaN(time.tauFStdError())
                                    ? ""
                                    : f(" ± %.2g s", time.tauFStdError()),
                            bNoise,
                            recommended));
        }
        String rule;
        double scale;
        String name = optimizer.name();
        int b0 = referenceBatchSize;
        if (name.equals("sgd") || name.equals("momentum") || name.equals("nesterov")) {
            scale = (1 + bNoise / b0) / (1 + bNoise / recommended);
            rule =
                    "linear scaling up to B_noise: ε(b) = ε(b0)·(1 + B_noise/b0)/(1 + B_noise/b)"
                            + " (McCandlish et al. 2018, eq. 2.6; Goyal et al. 2017)";
        } else {
            scale = Math.sqrt(Math.min(recommended, bNoise) / Math.min(b0, bNoise));
            rule =
                    "square-root scaling for adaptive optimizers: ε(b) = ε(b0)·√(min(b,"
                            + " B_noise)/min(b0, B_noise)) (Malladi et al. 2022)";
        }
        double suggested = optimizer.learningRate() * scale;
        why.add(
                f(
                        "Learning rate: %s %.4g was set for batch %d; for batch %d use %.4g (%s).",
                        name, optimizer.learningRate(), b0, recommended, suggested, rule));
        return new BatchSizeAdvice(
                tauF,
                tauD,
                noise.traceSigma(),
                noise.gradNormSq(),
                bNoise,
                nIter,
                cVar,
                bOpt,
                recommended,
                largestFittingBatch,
                optimizer.learningRate(),
                b0,
                suggested,
                rule,
                List.copyOf(why));
    }

    private static double predicted(double nIter, double cVar, double tauF, double tauD, int b) {
        return (nIter + cVar / b) * (tauF + tauD * b);
    }

    /** The largest power of two ≤ x, at least 1 (x positive). */
    static int floorPowerOfTwo(double x) {
        if (x < 2) {
            return 1;
        }
        long p = Long.highestOneBit((long) Math.min(x, BatchSize.MAX));
        return (int) p;
    }

    private static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
