package io.streamgrad.model;

import io.streamgrad.schema.Task;
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
 * {@link DenseCompute} with ND4J ops on whatever backend is loaded (CPU or CUDA): the path of every
 * model on a GPU, and of models too large for {@link JavaDenseCompute} on a CPU.
 *
 * <p>Parameters live in one flat vector, gradients in another of the same layout, and each layer's
 * W and b are views into them. That is the layout ND4J's updaters expect, so an optimizer step is
 * one call on the whole vector, and exporting the parameters is one copy. Hidden layers use ND4J's
 * activation functions; the loss is computed from the logits in its numerically stable form, plus
 * ND4J's L2 penalty on the weights.
 */
final class Nd4jDenseCompute implements DenseCompute {
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
    private final long stateSize;
    private final IUpdater updaterConfig;
    private final GradientUpdater<?> updater;
    private final IActivation hidden;
    private final L2Regularization l2;
    private final WeightDecay decoupledDecay;

    /**
     * @param initialParams checked to have the model's parameter count
     * @param initialOptimizerState null for fresh state, else checked to have the updater's size
     */
    Nd4jDenseCompute(
            ModelSpec spec,
            OptimizerSpec optimizerSpec,
            DataType dtype,
            float[] initialParams,
            float[] initialOptimizerState) {
        this.spec = spec;
        this.optimizerSpec = optimizerSpec;
        this.dtype = dtype;
        this.sizes = spec.layerSizes();
        long count = spec.parameterCount();
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
        this.stateSize = config.stateSize(count);
        boolean fresh = initialOptimizerState == null;
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

    @Override
    public boolean parametersFinite() {
        return Double.isFinite(params.norm2Number().doubleValue());
    }

    @Override
    public void load(float[] parameters, float[] optimizer) {
        params.assign(Nd4j.createFromArray(parameters).castTo(dtype));
        long n = optimizer.length;
        if (n > 0) {
            optimizerState
                    .get(NDArrayIndex.interval(0, n))
                    .assign(Nd4j.createFromArray(optimizer).castTo(dtype));
        }
    }

    @Override
    public float[] parameters() {
        return params.castTo(DataType.FLOAT).toFloatVector();
    }

    @Override
    public float[] optimizerState() {
        if (stateSize == 0) {
            return new float[0];
        }
        return optimizerState
                .get(NDArrayIndex.interval(0, stateSize))
                .castTo(DataType.FLOAT)
                .toFloatVector();
    }

    @Override
    public double gradientNorm() {
        return grads.norm2Number().doubleValue();
    }

    @Override
    public void update(double norm, int i) {
        double limit = optimizerSpec.clipNorm();
        if (limit > 0 && norm > limit) {
            grads.muli(limit / norm);
        }
        updater.applyUpdater(grads, i, 0);
        if (decoupledDecay != null) {
            double lr = updaterConfig.getLearningRate(i, 0);
            for (int l = 0; l < weights.length; l++) {
                decoupledDecay.apply(weights[l], weightGrads[l], lr, i, 0);
            }
        }
        params.subi(grads);
    }

    @Override
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

    @Override
    public float[] logits(float[] x, int n) {
        INDArray logits = forward(inputs(x, n), null, null);
        return logits.castTo(DataType.FLOAT).reshape(logits.length()).toFloatVector();
    }

    @Override
    public double[] gradient() {
        return grads.castTo(DataType.DOUBLE).toDoubleVector();
    }

    @Override
    public void setParameter(int index, double value) {
        params.putScalar(index, value);
    }

    @Override
    public double getParameter(int index) {
        return params.getDouble(index);
    }

    @Override
    public DenseNetwork.Evaluation lossAndGradient(
            float[] features, double[] labels, int batch, boolean withGradient) {
        INDArray x = inputs(features, batch);
        INDArray y = targets(labels, batch);
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
        return new DenseNetwork.Evaluation(loss, accuracy, (int) n);
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
        return Nd4j.create(x, new long[] {n, spec.inputSize()}, 'c').castTo(dtype);
    }

    private INDArray targets(double[] labels, int n) {
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
}
