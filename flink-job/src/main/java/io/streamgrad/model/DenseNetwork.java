package io.streamgrad.model;

import io.streamgrad.schema.Task;
import java.util.SplittableRandom;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.learning.regularization.WeightDecay;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * A dense feed-forward network with its optimizer, computed with ND4J on whatever backend is loaded
 * (CPU or CUDA). Free of Flink: the training operator delegates to it.
 *
 * <p>Parameters live in one flat vector (per layer: W as in×out row-major, then b), gradients in
 * another of the same layout, and each layer's W and b are views into them. That is the layout
 * ND4J's updaters expect, so an optimizer step is one call on the whole vector, and exporting the
 * parameters is one copy.
 *
 * <p>Hidden layers use ND4J's activation functions; the output layer is linear (logits) and the
 * {@link Loss} is computed from the logits in its numerically stable form, averaged over the batch,
 * plus ND4J's L2 penalty on the weights. A step clips the gradient by norm, applies the ND4J
 * updater, then (adamw) the decoupled weight decay.
 *
 * <p>Not thread-safe; one instance per model per operator.
 */
public final class DenseNetwork {
    private final ModelSpec spec;
    private final OptimizerSpec optimizerSpec;
    private final DataType dtype;
    private final int[] sizes;
    private final INDArray params;
    private final INDArray grads;
    private final INDArray[] weights;
    private final INDArray[] biases;
    private final INDArray[] weightGrads;
    private final INDArray[] biasGrads;
    private final INDArray optimizerState;
    private final IUpdater updaterConfig;
    private final GradientUpdater<?> updater;
    private final IActivation hidden;
    private final L2Regularization l2;
    private final WeightDecay decoupledDecay;
    private final FeatureScaler scaler;

    private DenseNetwork(
            ModelSpec spec,
            OptimizerSpec optimizerSpec,
            DataType dtype,
            float[] initialParams,
            float[] initialOptimizerState,
            FeatureScaler.State scalerState) {
        this.spec = spec;
        this.scaler =
                scalerState == null
                        ? new FeatureScaler(spec.standardize(), spec.inputSize())
                        : new FeatureScaler(spec.standardize(), scalerState);
        this.optimizerSpec = optimizerSpec;
        this.dtype = dtype;
        this.sizes = spec.layerSizes();
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
        this.params = Nd4j.createFromArray(initialParams).castTo(dtype);
        this.grads = Nd4j.zeros(dtype, count);
        int layers = sizes.length - 1;
        this.weights = new INDArray[layers];
        this.biases = new INDArray[layers];
        this.weightGrads = new INDArray[layers];
        this.biasGrads = new INDArray[layers];
        long offset = 0;
        for (int l = 0; l < layers; l++) {
            int in = sizes[l];
            int out = sizes[l + 1];
            weights[l] = view(params, offset, in, out);
            weightGrads[l] = view(grads, offset, in, out);
            offset += (long) in * out;
            biases[l] = view(params, offset, 1, out);
            biasGrads[l] = view(grads, offset, 1, out);
            offset += out;
        }
        this.hidden = spec.activation().nd4j();
        this.l2 = spec.l2() > 0 ? new L2Regularization(spec.l2()) : null;
        this.decoupledDecay =
                optimizerSpec.usesWeightDecay() && optimizerSpec.weightDecay() > 0
                        ? new WeightDecay(optimizerSpec.weightDecay(), true)
                        : null;
        IUpdater config = optimizerSpec.toUpdater();
        this.updaterConfig = config;
        long stateSize = config.stateSize(count);
        boolean fresh = initialOptimizerState == null;
        if (!fresh && initialOptimizerState.length != stateSize) {
            throw new IllegalArgumentException(
                    "optimizer "
                            + optimizerSpec.name()
                            + " needs "
                            + stateSize
                            + " state values, got "
                            + initialOptimizerState.length);
        }
        this.optimizerState =
                fresh
                        ? Nd4j.zeros(dtype, Math.max(stateSize, 1))
                        : Nd4j.createFromArray(padded(initialOptimizerState)).castTo(dtype);
        // Stateless updaters (SGD) refuse a state view; stateful ones get a view of the flat state.
        this.updater =
                config.instantiate(
                        stateSize == 0
                                ? (INDArray) null
                                : optimizerState.get(NDArrayIndex.interval(0, stateSize)),
                        fresh);
    }

    /** A new network with seeded Glorot-uniform weights and zero biases. */
    public static DenseNetwork create(
            ModelSpec spec, OptimizerSpec optimizer, long seed, DataType dtype) {
        return new DenseNetwork(spec, optimizer, dtype, initialParameters(spec, seed), null, null);
    }

    /** Rebuilds a network from exported parameters and optimizer state (null: fresh state). */
    public static DenseNetwork restore(
            ModelSpec spec,
            OptimizerSpec optimizer,
            float[] parameters,
            float[] optimizerState,
            DataType dtype) {
        return new DenseNetwork(spec, optimizer, dtype, parameters, optimizerState, null);
    }

    /** As {@link #restore}, with the feature statistics (null: none seen yet). */
    public static DenseNetwork restore(
            ModelSpec spec,
            OptimizerSpec optimizer,
            float[] parameters,
            float[] optimizerState,
            FeatureScaler.State scaler,
            DataType dtype) {
        return new DenseNetwork(spec, optimizer, dtype, parameters, optimizerState, scaler);
    }

    /** Whether every parameter is a finite number. */
    public boolean parametersFinite() {
        return Double.isFinite(params.norm2Number().doubleValue());
    }

    /** Overwrites parameters and optimizer state in place (the divergence guard's restore). */
    public void load(float[] parameters, float[] optimizer) {
        params.assign(Nd4j.createFromArray(parameters).castTo(dtype));
        long n = optimizer.length;
        if (n > 0) {
            optimizerState
                    .get(NDArrayIndex.interval(0, n))
                    .assign(Nd4j.createFromArray(optimizer).castTo(dtype));
        }
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
        return params.castTo(DataType.FLOAT).toFloatVector();
    }

    /** The optimizer's state as float32 (empty for plain SGD). */
    public float[] optimizerState() {
        long n = optimizerSpec.toUpdater().stateSize(spec.parameterCount());
        if (n == 0) {
            return new float[0];
        }
        return optimizerState
                .get(NDArrayIndex.interval(0, n))
                .castTo(DataType.FLOAT)
                .toFloatVector();
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
        scaler.observe(x, n);
        Evaluation before = lossAndGradient(inputs(x, n), targets(labels, n), true);
        double norm = grads.norm2Number().doubleValue();
        if (!Double.isFinite(before.loss()) || !Double.isFinite(norm)) {
            // A non-finite loss or gradient would poison every parameter: skip the update.
            return before.skipped();
        }
        int i = (int) Math.min(iteration, Integer.MAX_VALUE);
        clipGradient(norm);
        updater.applyUpdater(grads, i, 0);
        if (decoupledDecay != null) {
            double lr = updaterConfig.getLearningRate(i, 0);
            for (int l = 0; l < weights.length; l++) {
                decoupledDecay.apply(weights[l], weightGrads[l], lr, i, 0);
            }
        }
        params.subi(grads);
        return before;
    }

    /** Rescales the gradient to the configured norm when it is longer. */
    private void clipGradient(double norm) {
        double limit = optimizerSpec.clipNorm();
        if (limit > 0 && norm > limit) {
            grads.muli(limit / norm);
        }
    }

    /** Loss and accuracy on a batch, parameters untouched. */
    public Evaluation evaluate(float[] x, double[] labels, int n) {
        return lossAndGradient(inputs(x, n), targets(labels, n), false);
    }

    /**
     * Predictions for n rows: the regression value, the probability of class 1 (binary), or the
     * class probabilities (multi-class, n × classes row-major).
     */
    public float[] predict(float[] x, int n) {
        INDArray logits = forward(inputs(x, n), null, null);
        INDArray out =
                switch (spec.task()) {
                    case REGRESSION -> logits;
                    case BINARY -> Transforms.sigmoid(logits, true);
                    case MULTICLASS -> Transforms.exp(logSoftmax(logits), false);
                };
        return out.castTo(DataType.FLOAT).reshape(out.length()).toFloatVector();
    }

    /**
     * The output layer's logits for n rows (n × outputs, row-major, float32 as computed), inputs
     * standardized exactly as in training; parameters and feature statistics untouched. What
     * evaluation derives probabilities and per-example losses from, in double precision.
     */
    public float[] logits(float[] x, int n) {
        INDArray logits = forward(inputs(x, n), null, null);
        return logits.castTo(DataType.FLOAT).reshape(logits.length()).toFloatVector();
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
        return grads.castTo(DataType.DOUBLE).toDoubleVector();
    }

    /** Computes loss and gradient without updating (for gradient checks). */
    Evaluation computeGradient(float[] x, double[] labels, int n) {
        return lossAndGradient(inputs(x, n), targets(labels, n), true);
    }

    void setParameter(int index, double value) {
        params.putScalar(index, value);
    }

    double getParameter(int index) {
        return params.getDouble(index);
    }

    private Evaluation lossAndGradient(INDArray x, INDArray y, boolean withGradient) {
        int layers = sizes.length - 1;
        INDArray[] preActivations = new INDArray[layers];
        INDArray[] activations = new INDArray[layers];
        INDArray logits = forward(x, preActivations, activations);
        long n = x.rows();
        double loss;
        INDArray dz;
        switch (spec.loss()) {
            case MSE -> {
                INDArray diff = logits.sub(y);
                loss = diff.mul(diff).sumNumber().doubleValue() / n;
                dz = diff.muli(2.0 / n);
            }
            case HUBER -> {
                // r²/2 within δ of the target, δ(|r| − δ/2) beyond; gradient clip(r, −δ, δ).
                double d = Loss.HUBER_DELTA;
                INDArray r = logits.sub(y);
                INDArray abs = Transforms.abs(r, true);
                INDArray inside = abs.lte(d).castTo(dtype);
                INDArray quadratic = r.mul(r).muli(0.5);
                INDArray linear = abs.sub(d / 2).muli(d);
                loss =
                        quadratic
                                        .muli(inside)
                                        .addi(linear.muli(inside.rsub(1.0)))
                                        .sumNumber()
                                        .doubleValue()
                                / n;
                dz = Transforms.max(Transforms.min(r, d, false), -d, false).muli(1.0 / n);
            }
            case BINARY_CROSS_ENTROPY -> {
                // Cross-entropy from the logit z: softplus(z) - y·z, softplus(z) = max(z,0) +
                // log(1 + exp(-|z|)), exact for any z without overflow.
                INDArray softplus =
                        Transforms.relu(logits, true)
                                .addi(
                                        Transforms.log(
                                                Transforms.exp(
                                                                Transforms.abs(logits, true).negi(),
                                                                false)
                                                        .addi(1.0),
                                                false));
                loss = softplus.subi(logits.mul(y)).sumNumber().doubleValue() / n;
                dz = Transforms.sigmoid(logits, true).subi(y).muli(1.0 / n);
            }
            default -> {
                INDArray logProbabilities = logSoftmax(logits);
                loss = -logProbabilities.mul(y).sumNumber().doubleValue() / n;
                dz = Transforms.exp(logProbabilities, true).subi(y).muli(1.0 / n);
            }
        }
        Double accuracy =
                switch (spec.task()) {
                    case REGRESSION -> null;
                    case BINARY ->
                            logits.gt(0.0)
                                            .castTo(dtype)
                                            .eq(y)
                                            .castTo(DataType.DOUBLE)
                                            .sumNumber()
                                            .doubleValue()
                                    / n;
                    case MULTICLASS ->
                            Nd4j.argMax(logits, 1)
                                            .eq(Nd4j.argMax(y, 1))
                                            .castTo(DataType.DOUBLE)
                                            .sumNumber()
                                            .doubleValue()
                                    / n;
                };
        if (l2 != null) {
            for (INDArray w : weights) {
                loss += l2.score(w, 0, 0);
            }
        }
        if (withGradient) {
            for (int l = layers - 1; l >= 0; l--) {
                INDArray input = l == 0 ? x : activations[l - 1];
                // Xᵀ·dz straight into the gradient's view, no temporary (as DL4J's layers do).
                Nd4j.gemm(input, dz, weightGrads[l], true, false, 1.0, 0.0);
                biasGrads[l].assign(dz.sum(true, 0));
                if (l2 != null) {
                    l2.apply(weights[l], weightGrads[l], 0, 0, 0);
                }
                if (l > 0) {
                    INDArray upstream = dz.mmul(weights[l].transpose());
                    dz = hidden.backprop(preActivations[l - 1].dup(), upstream).getFirst();
                }
            }
        }
        return new Evaluation(loss, accuracy, (int) n);
    }

    /**
     * Forward pass to the output logits; hidden pre-activations and activations go to the arrays
     * when given.
     */
    private INDArray forward(INDArray x, INDArray[] preActivations, INDArray[] activations) {
        INDArray a = x;
        int layers = sizes.length - 1;
        for (int l = 0; l < layers; l++) {
            INDArray z = a.mmul(weights[l]).addiRowVector(biases[l]);
            if (l == layers - 1) {
                return z;
            }
            if (preActivations != null) {
                preActivations[l] = z;
            }
            a = hidden.getActivation(z.dup(), true);
            if (activations != null) {
                activations[l] = a;
            }
        }
        throw new IllegalStateException("a network has at least one layer");
    }

    private static INDArray logSoftmax(INDArray logits) {
        INDArray shifted = logits.subColumnVector(logits.max(true, 1));
        INDArray logSumExp = Transforms.log(Transforms.exp(shifted, true).sum(true, 1), false);
        return shifted.subiColumnVector(logSumExp);
    }

    private INDArray inputs(float[] x, int n) {
        if (x.length != (long) n * spec.inputSize()) {
            throw new IllegalArgumentException(
                    "batch of "
                            + n
                            + " rows needs "
                            + (long) n * spec.inputSize()
                            + " features, got "
                            + x.length);
        }
        return Nd4j.create(scaler.apply(x, n), new long[] {n, spec.inputSize()}, 'c').castTo(dtype);
    }

    private INDArray targets(double[] labels, int n) {
        if (labels.length != n) {
            throw new IllegalArgumentException(
                    "batch of " + n + " rows, got " + labels.length + " labels");
        }
        if (spec.task() != Task.MULTICLASS) {
            return Nd4j.create(labels, new long[] {n, 1}, 'c').castTo(dtype);
        }
        int k = spec.outputSize();
        double[] oneHot = new double[n * k];
        for (int i = 0; i < n; i++) {
            oneHot[i * k + (int) labels[i]] = 1.0;
        }
        return Nd4j.create(oneHot, new long[] {n, k}, 'c').castTo(dtype);
    }

    private static INDArray view(INDArray flat, long offset, int rows, int cols) {
        return flat.get(NDArrayIndex.interval(offset, offset + (long) rows * cols))
                .reshape('c', rows, cols);
    }

    private static float[] padded(float[] state) {
        return state.length == 0 ? new float[1] : state;
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
