package io.streamgrad.model;

import io.streamgrad.schema.Task;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * A dense feed-forward network with its optimizer. Free of Flink: the training operator delegates
 * to it.
 *
 * <p>Parameters live in one flat vector (per layer: W as in×out row-major, then b), gradients in
 * another of the same layout. Hidden layers use ND4J's activation functions; the output layer is
 * linear (logits) and the {@link Loss} is computed from the logits in its numerically stable form,
 * averaged over the batch, plus ND4J's L2 penalty on the weights. A step clips the gradient by
 * norm, applies the ND4J updater's rule, then (adamw) the decoupled weight decay.
 *
 * <p>The arithmetic is done by ND4J on whatever backend is loaded (CPU or CUDA), or, for small
 * models on the CPU backend, by the same maths in plain Java, which avoids ND4J's fixed cost per op
 * ({@link ComputePath}). Either way the same inputs give bit-identical parameters run to run.
 *
 * <p>Not thread-safe; one instance per model per operator.
 */
public final class DenseNetwork {
    private final ModelSpec spec;
    private final OptimizerSpec optimizerSpec;
    private final FeatureScaler scaler;
    private final ComputePath path;
    private final DenseCompute compute;

    private DenseNetwork(
            ModelSpec spec,
            OptimizerSpec optimizerSpec,
            DataType dtype,
            float[] initialParams,
            float[] initialOptimizerState,
            FeatureScaler.State scalerState,
            ComputePath path) {
        this.spec = spec;
        this.scaler =
                scalerState == null
                        ? new FeatureScaler(spec.standardize(), spec.inputSize())
                        : new FeatureScaler(spec.standardize(), scalerState);
        this.optimizerSpec = optimizerSpec;
        long count = spec.parameterCount();
        if (initialParams.length != count) {
            throw new IllegalArgumentException(
                    "model "
                            + spec.shorthand()
                            + " with "
                            + spec.inputSize()
                            + " inputs has "
                            + count
                            + " parameters, got "
                            + initialParams.length);
        }
        long stateSize = optimizerSpec.toUpdater().stateSize(count);
        if (initialOptimizerState != null && initialOptimizerState.length != stateSize) {
            throw new IllegalArgumentException(
                    "optimizer "
                            + optimizerSpec.name()
                            + " needs "
                            + stateSize
                            + " state values, got "
                            + initialOptimizerState.length);
        }
        this.path = path == null ? ComputePath.choose(spec) : path;
        this.compute =
                this.path == ComputePath.JAVA
                        ? new JavaDenseCompute(
                                spec, optimizerSpec, dtype, initialParams, initialOptimizerState)
                        : new Nd4jDenseCompute(
                                spec, optimizerSpec, dtype, initialParams, initialOptimizerState);
    }

    /** A new network with seeded Glorot-uniform weights and zero biases. */
    public static DenseNetwork create(
            ModelSpec spec, OptimizerSpec optimizer, long seed, DataType dtype) {
        return create(spec, optimizer, seed, dtype, null);
    }

    /** As {@link #create}, on the given path (null: {@link ComputePath#choose}). */
    static DenseNetwork create(
            ModelSpec spec, OptimizerSpec optimizer, long seed, DataType dtype, ComputePath path) {
        return new DenseNetwork(
                spec, optimizer, dtype, initialParameters(spec, seed), null, null, path);
    }

    /** Rebuilds a network from exported parameters and optimizer state (null: fresh state). */
    public static DenseNetwork restore(
            ModelSpec spec,
            OptimizerSpec optimizer,
            float[] parameters,
            float[] optimizerState,
            DataType dtype) {
        return new DenseNetwork(spec, optimizer, dtype, parameters, optimizerState, null, null);
    }

    /** As {@link #restore}, on the given path (null: {@link ComputePath#choose}). */
    static DenseNetwork restore(
            ModelSpec spec,
            OptimizerSpec optimizer,
            float[] parameters,
            float[] optimizerState,
            DataType dtype,
            ComputePath path) {
        return new DenseNetwork(spec, optimizer, dtype, parameters, optimizerState, null, path);
    }

    /** As {@link #restore}, with the feature statistics (null: none seen yet). */
    public static DenseNetwork restore(
            ModelSpec spec,
            OptimizerSpec optimizer,
            float[] parameters,
            float[] optimizerState,
            FeatureScaler.State scaler,
            DataType dtype) {
        return new DenseNetwork(spec, optimizer, dtype, parameters, optimizerState, scaler, null);
    }

    /** Which implementation computes this network. */
    public ComputePath computePath() {
        return path;
    }

    /** Whether every parameter is a finite number. */
    public boolean parametersFinite() {
        return compute.parametersFinite();
    }

    /** Overwrites parameters and optimizer state in place (the divergence guard's restore). */
    public void load(float[] parameters, float[] optimizer) {
        compute.load(parameters, optimizer);
    }

    /** The feature statistics (empty and unused when standardization is off). */
    public FeatureScaler scaler() {
        return scaler;
    }

    static float[] initialParameters(ModelSpec spec, long seed) {
        int[] s = spec.layerSizes();
        float[] p = new float[(int) spec.parameterCount()];
        SplittableRandom rng = new SplittableRandom(seed);
        int offset = 0;
        for (int l = 0; l + 1 < s.length; l++) {
            double limit = Math.sqrt(6.0 / (s[l] + s[l + 1]));
            int n = s[l] * s[l + 1];
            for (int i = 0; i < n; i++) {
                p[offset + i] = (float) ((rng.nextDouble() * 2 - 1) * limit);
            }
            offset += n + s[l + 1];
        }
        return p;
    }

    public ModelSpec spec() {
        return spec;
    }

    public OptimizerSpec optimizerSpec() {
        return optimizerSpec;
    }

    /** The parameters as float32, in the flat layout described above. */
    public float[] parameters() {
        return compute.parameters();
    }

    /** The optimizer's state as float32 (empty for plain SGD), in ND4J's updater layout. */
    public float[] optimizerState() {
        return compute.optimizerState();
    }

    /**
     * One gradient step on a batch: measures loss and accuracy with the current parameters, then
     * updates them.
     *
     * @param x the batch, n rows of inputSize features, row-major
     * @param labels n targets (regression) or class indices
     * @param iteration updates made so far (Adam's bias correction depends on it)
     * @return loss and accuracy measured before the update
     */
    public Evaluation step(float[] x, double[] labels, int n, long iteration) {
        checkBatch(x, labels, n);
        scaler.observe(x, n);
        Evaluation before = compute.lossAndGradient(scaler.apply(x, n), labels, n, true);
        double norm = compute.gradientNorm();
        if (!Double.isFinite(before.loss()) || !Double.isFinite(norm)) {
            // A non-finite loss or gradient would poison every parameter: skip the update.
            return before.skipped();
        }
        compute.update(norm, (int) Math.min(iteration, Integer.MAX_VALUE));
        return before;
    }

    /** Loss and accuracy on a batch, parameters untouched. */
    public Evaluation evaluate(float[] x, double[] labels, int n) {
        checkBatch(x, labels, n);
        return compute.lossAndGradient(scaler.apply(x, n), labels, n, false);
    }

    /**
     * Predictions for n rows: the regression value, the probability of class 1 (binary), or the
     * class probabilities (multi-class, n × classes row-major).
     */
    public float[] predict(float[] x, int n) {
        checkFeatures(x, n);
        return compute.predict(scaler.apply(x, n), n);
    }

    /**
     * The output layer's logits for n rows (n × outputs, row-major, float32 as computed), inputs
     * standardized exactly as in training; parameters and feature statistics untouched. What
     * evaluation derives probabilities and per-example losses from, in double precision.
     */
    public float[] logits(float[] x, int n) {
        checkFeatures(x, n);
        return compute.logits(scaler.apply(x, n), n);
    }

    /**
     * The mean gradient of the loss over a batch at the current parameters, in the flat parameter
     * layout; parameters untouched. What {@link #step} hands to the optimizer.
     */
    public double[] gradientOf(float[] x, double[] labels, int n) {
        computeGradient(x, labels, n);
        return gradient();
    }

    /** Gradient of the last {@link #step} or gradient computation, flat layout (for checks). */
    double[] gradient() {
        return compute.gradient();
    }

    /** Computes loss and gradient without updating (for gradient checks). */
    Evaluation computeGradient(float[] x, double[] labels, int n) {
        checkBatch(x, labels, n);
        return compute.lossAndGradient(scaler.apply(x, n), labels, n, true);
    }

    void setParameter(int index, double value) {
        compute.setParameter(index, value);
    }

    double getParameter(int index) {
        return compute.getParameter(index);
    }

    private void checkFeatures(float[] x, int n) {
        if (x.length != (long) n * spec.inputSize()) {
            throw new IllegalArgumentException(
                    "batch of "
                            + n
                            + " rows needs "
                            + (long) n * spec.inputSize()
                            + " features, got "
                            + x.length);
        }
    }

    private void checkBatch(float[] x, double[] labels, int n) {
        checkFeatures(x, n);
        if (labels.length != n) {
            throw new IllegalArgumentException(
                    "batch of " + n + " rows, got " + labels.length + " labels");
        }
        if (spec.task() == Task.MULTICLASS) {
            int k = spec.outputSize();
            for (int i = 0; i < n; i++) {
                double c = labels[i];
                if (!(c >= 0 && c < k) || c != Math.rint(c)) {
                    throw new IllegalArgumentException(
                            "row "
                                    + i
                                    + ": label "
                                    + c
                                    + " is not a class index in [0, "
                                    + k
                                    + ")");
                }
            }
        }
    }

    /**
     * Mean loss and (for classifiers) accuracy over n examples; for a {@link #step}, whether the
     * update was applied (false: the loss or gradient was not finite).
     */
    public record Evaluation(double loss, Double accuracy, int examples, boolean applied) {
        public Evaluation(double loss, Double accuracy, int examples) {
            this(loss, accuracy, examples, true);
        }

        Evaluation skipped() {
            return new Evaluation(loss, accuracy, examples, false);
        }
    }
}
