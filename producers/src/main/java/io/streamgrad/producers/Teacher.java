package io.streamgrad.producers;

import io.streamgrad.schema.Task;
import java.util.SplittableRandom;

/**
 * The fixed random model that synthetic labels come from. Its weight rows have norm {@link
 * #WEIGHT_NORM} and features are standard normal, so each clean logit is N(bias, 9): the noise
 * level alone sets how learnable the labels are.
 *
 * <ul>
 *   <li>regression: y = w·x + b + noise·ε
 *   <li>binary: y = 1[w·x + b + noise·ε > 0] (noise on the logit; Bayes accuracy is known in closed
 *       form, see {@link #bayesAccuracyBinary})
 *   <li>multiclass: y = argmax_k (W_k·x + b_k + noise·ε_k)
 * </ul>
 */
public final class Teacher {
    public static final double WEIGHT_NORM = 3.0;

    private final Task task;
    private final int features;
    private final int outputs;
    private final double[][] weights;
    private final double[] bias;

    public Teacher(Task task, int features, int classes, long seed) {
        if (features < 1) {
            throw new IllegalArgumentException("features must be at least 1, got " + features);
        }
        if (task == Task.MULTICLASS && classes < 2) {
            throw new IllegalArgumentException(
                    "multiclass needs at least 2 classes, got " + classes);
        }
        this.task = task;
        this.features = features;
        this.outputs = task == Task.MULTICLASS ? classes : 1;
        SplittableRandom rng = new SplittableRandom(seed ^ 0x7EAC4E5L);
        this.weights = new double[outputs][features];
        this.bias = new double[outputs];
        for (int k = 0; k < outputs; k++) {
            double norm = 0;
            for (int j = 0; j < features; j++) {
                weights[k][j] = gaussian(rng);
                norm += weights[k][j] * weights[k][j];
            }
            double scale = WEIGHT_NORM / Math.sqrt(norm);
            for (int j = 0; j < features; j++) {
                weights[k][j] *= scale;
            }
            // A small bias keeps binary classes roughly balanced but not exactly.
            bias[k] = 0.25 * gaussian(rng);
        }
    }

    public Task task() {
        return task;
    }

    public int features() {
        return features;
    }

    /** The noise-free logits (or regression value) of features {@code x}. */
    public double[] cleanLogits(float[] x) {
        double[] logits = new double[outputs];
        for (int k = 0; k < outputs; k++) {
            double z = bias[k];
            for (int j = 0; j < features; j++) {
                z += weights[k][j] * x[j];
            }
            logits[k] = z;
        }
        return logits;
    }

    /** Draws features into {@code x} and returns the (noisy) label, from {@code rng} only. */
    public double sample(SplittableRandom rng, double noise, float[] x) {
        for (int j = 0; j < features; j++) {
            x[j] = (float) gaussian(rng);
        }
        double[] logits = cleanLogits(x);
        for (int k = 0; k < outputs; k++) {
            logits[k] += noise * gaussian(rng);
        }
        switch (task) {
            case REGRESSION:
                return logits[0];
            case BINARY:
                return logits[0] > 0 ? 1 : 0;
            default:
                int best = 0;
                for (int k = 1; k < outputs; k++) {
                    if (logits[k] > logits[best]) {
                        best = k;
                    }
                }
                return best;
        }
    }

    /**
     * The best accuracy any classifier can reach on binary teacher data (ignoring the small bias):
     * the clean logit z ~ N(0, 9) and the noisy one z + σε agree in sign with probability 1 −
     * arccos(ρ)/π, ρ = 3 / sqrt(9 + σ²).
     */
    public static double bayesAccuracyBinary(double noise) {
        double rho = WEIGHT_NORM / Math.sqrt(WEIGHT_NORM * WEIGHT_NORM + noise * noise);
        return 1 - Math.acos(rho) / Math.PI;
    }

    static double gaussian(SplittableRandom rng) {
        // Box–Muller on SplittableRandom: java.util.Random's nextGaussian is not splittable.
        double u1 = rng.nextDouble();
        double u2 = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
    }
}
