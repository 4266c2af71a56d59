package io.streamgrad.serve;

import io.streamgrad.evaluate.EvaluationAccumulator;
import io.streamgrad.evaluate.Scorer;
import io.streamgrad.model.Activation;
import io.streamgrad.model.FeatureScaler;
import io.streamgrad.model.ModelSpec;
import io.streamgrad.schema.ModelSnapshot;
import io.streamgrad.schema.Task;
import io.streamgrad.train.Snapshots;

/**
 * One snapshot's model ready to predict: immutable after construction, so any number of threads may
 * call {@link #predict} at once. The forward pass is the network's (dense layers, hidden
 * activation, linear output) in plain Java and double precision from the float32 parameters, after
 * the snapshot's standardization applied exactly as in training ({@link FeatureScaler#apply});
 * probabilities come from the logits as {@link Scorer} derives them. Agrees with {@link Scorer},
 * which computes the logits in float32 with ND4J, to about 1e-6.
 */
public final class ServingModel {
    private final String modelKey;
    private final String runId;
    private final long version;
    private final long createdAt;
    private final ModelSpec spec;
    private final FeatureScaler scaler;
    private final int[] sizes;

    /**
     * Per layer l: W (sizes[l] × sizes[l+1], row-major) then b (sizes[l+1]), as in the snapshot.
     */
    private final double[][] weights;

    private final double[][] biases;

    private ServingModel(ModelSnapshot snapshot) {
        this.modelKey = snapshot.getModel();
        this.runId = snapshot.getRunId();
        this.version = snapshot.getVersion();
        this.createdAt = snapshot.getCreatedAt();
        this.spec = Snapshots.spec(snapshot);
        float[] flat;
        try {
            flat = Snapshots.checkedParameters(snapshot);
        } catch (IllegalStateException e) {
            throw new CorruptSnapshotException(e.getMessage());
        }
        if (flat.length != spec.parameterCount()) {
            throw new CorruptSnapshotException(
                    "snapshot "
                            + modelKey
                            + " v"
                            + version
                            + " is corrupt: its architecture "
                            + spec.shorthand()
                            + " with "
                            + spec.inputSize()
                            + " inputs has "
                            + spec.parameterCount()
                            + " parameters, the tensors hold "
                            + flat.length);
        }
        FeatureScaler.State statistics = Snapshots.scalerState(snapshot.getStandardization());
        this.scaler =
                statistics == null
                        ? new FeatureScaler(spec.standardize(), spec.inputSize())
                        : new FeatureScaler(spec.standardize(), statistics);
        this.sizes = spec.layerSizes();
        int layers = sizes.length - 1;
        this.weights = new double[layers][];
        this.biases = new double[layers][];
        int offset = 0;
        for (int l = 0; l < layers; l++) {
            weights[l] = widen(flat, offset, sizes[l] * sizes[l + 1]);
            offset += sizes[l] * sizes[l + 1];
            biases[l] = widen(flat, offset, sizes[l + 1]);
            offset += sizes[l + 1];
        }
    }

    /**
     * @throws CorruptSnapshotException when the parameters fail their checksum or do not fit the
     *     architecture
     */
    public static ServingModel of(ModelSnapshot snapshot) {
        return new ServingModel(snapshot);
    }

    private static double[] widen(float[] values, int offset, int length) {
        double[] out = new double[length];
        for (int i = 0; i < length; i++) {
            out[i] = values[offset + i];
        }
        return out;
    }

    public String modelKey() {
        return modelKey;
    }

    /** The run that wrote the snapshot. */
    public String runId() {
        return runId;
    }

    public long version() {
        return version;
    }

    public long createdAt() {
        return createdAt;
    }

    public ModelSpec spec() {
        return spec;
    }

    /** The standardization applied before the first layer (for {@link OnnxExport}). */
    FeatureScaler scaler() {
        return scaler;
    }

    /** Layer l's weights, [sizes[l] × sizes[l+1]] row-major, widened exactly from float32. */
    double[] weights(int l) {
        return weights[l];
    }

    /** Layer l's biases, sizes[l+1] of them. */
    double[] biases(int l) {
        return biases[l];
    }

    /** Whether this model is newer than {@code other} by {@code recency}'s runs. */
    boolean newerThan(ServingModel other, SnapshotRecency recency) {
        return other == null
                || recency.newer(
                        runId, version, createdAt, other.runId, other.version, other.createdAt);
    }

    /**
     * Predicts one example.
     *
     * @param features the raw (unstandardized) features, {@code spec().inputSize()} of them
     * @throws IllegalArgumentException naming the model, its input size and the count given when
     *     the count is wrong
     */
    public Prediction predict(float[] features) {
        if (features.length != spec.inputSize()) {
            throw new IllegalArgumentException(
                    "model "
                            + modelKey
                            + " v"
                            + version
                            + " takes "
                            + spec.inputSize()
                            + " features, got "
                            + features.length);
        }
        double[] z = logits(features);
        if (spec.task() == Task.REGRESSION) {
            return new Prediction(modelKey, version, z[0], new double[0]);
        }
        double[] p = new double[spec.classes()];
        Scorer.probabilities(spec.task(), z, p);
        return new Prediction(modelKey, version, EvaluationAccumulator.argMax(p), p);
    }

    /** The output layer's logits for one example (raw features in). */
    double[] logits(float[] features) {
        float[] x = scaler.apply(features, 1);
        double[] a = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            a[i] = x[i];
        }
        int layers = sizes.length - 1;
        for (int l = 0; l < layers; l++) {
            int in = sizes[l];
            int out = sizes[l + 1];
            double[] w = weights[l];
            double[] z = biases[l].clone();
            for (int i = 0; i < in; i++) {
                double ai = a[i];
                for (int j = 0; j < out; j++) {
                    z[j] += ai * w[i * out + j];
                }
            }
            if (l < layers - 1) {
                activate(spec.activation(), z);
            }
            a = z;
        }
        return a;
    }

    private static void activate(Activation activation, double[] z) {
        for (int j = 0; j < z.length; j++) {
            double v = z[j];
            z[j] =
                    switch (activation) {
                        case IDENTITY -> v;
                        case RELU -> Math.max(v, 0);
                        case LEAKY_RELU -> v >= 0 ? v : Activation.LEAKY_SLOPE * v;
                        case TANH -> Math.tanh(v);
                        case SIGMOID -> 1 / (1 + Math.exp(-v));
                    };
        }
    }
}
