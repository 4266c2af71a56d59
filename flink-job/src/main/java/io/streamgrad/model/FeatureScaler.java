package io.streamgrad.model;

import java.util.Arrays;

/**
 * Online standardization, part of the model: per feature a running mean and variance (Welford's
 * algorithm, merged batch by batch), and x ↦ (x − mean) / sd applied before the first layer when
 * training, evaluating and predicting. The statistics update with every training batch until the
 * model has seen {@link Standardization#freezeAfter()} examples, then stay as they are; they are
 * checkpointed and stored in snapshots with the parameters.
 *
 * <p>A feature with no spread yet (fewer than two examples, or all equal) is only centred.
 */
public final class FeatureScaler {
    /** The statistics, as plain values for state and snapshots. */
    public record State(long count, double[] mean, double[] m2) {}

    private final Standardization mode;
    private long count;
    private final double[] mean;
    private final double[] m2;

    public FeatureScaler(Standardization mode, int features) {
        this(mode, new State(0, new double[features], new double[features]));
    }

    public FeatureScaler(Standardization mode, State s) {
        this.mode = mode;
        this.count = s.count();
        this.mean = s.mean().clone();
        this.m2 = s.m2().clone();
    }

    public boolean enabled() {
        return mode.enabled();
    }

    /** Folds a training batch (n rows, row-major) into the statistics, unless frozen. */
    public void observe(float[] x, int n) {
        if (!mode.enabled() || count >= mode.freezeAfter() || n == 0) {
            return;
        }
        int d = mean.length;
        double[] batchMean = new double[d];
        double[] batchM2 = new double[d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                batchMean[j] += x[i * d + j];
            }
        }
        for (int j = 0; j < d; j++) {
            batchMean[j] /= n;
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                double e = x[i * d + j] - batchMean[j];
                batchM2[j] += e * e;
            }
        }
        // Chan et al.'s pairwise merge of (count, mean, M2) with the batch's.
        long total = count + n;
        for (int j = 0; j < d; j++) {
            double delta = batchMean[j] - mean[j];
            mean[j] += delta * n / total;
            m2[j] += batchM2[j] + delta * delta * count * n / total;
        }
        count = total;
    }

    /** A standardized copy of n rows (the input itself when standardization is off). */
    public float[] apply(float[] x, int n) {
        if (!mode.enabled()) {
            return x;
        }
        int d = mean.length;
        double[] scale = scale();
        float[] out = new float[x.length];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                out[i * d + j] = (float) ((x[i * d + j] - mean[j]) * scale[j]);
            }
        }
        return out;
    }

    /**
     * Per feature the factor 1/sd applied after centring (1 for a feature with no spread yet:
     * sample variance ≤ 1e-12), so that x ↦ (x − mean) · scale.
     */
    public double[] scale() {
        double[] scale = new double[mean.length];
        for (int j = 0; j < scale.length; j++) {
            double variance = count > 1 ? m2[j] / (count - 1) : 0;
            scale[j] = variance > 1e-12 ? 1 / Math.sqrt(variance) : 1;
        }
        return scale;
    }

    public State state() {
        return new State(count, mean.clone(), m2.clone());
    }

    /** Sample variances (0 before two examples), for snapshots and people. */
    public double[] variance() {
        double[] v = new double[m2.length];
        for (int j = 0; j < v.length; j++) {
            v[j] = count > 1 ? m2[j] / (count - 1) : 0;
        }
        return v;
    }

    public double[] mean() {
        return mean.clone();
    }

    public long count() {
        return count;
    }

    @Override
    public String toString() {
        return mode + " after " + count + " examples, mean " + Arrays.toString(mean);
    }
}
