package io.streamgrad.model;

import io.streamgrad.schema.Task;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.indexaccum.custom.ArgMax;
import org.nd4j.linalg.api.ops.impl.reduce.same.Max;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.SubOp;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Exp;
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
 * one call on the whole vector (on other backends than the CPU's), and exporting the parameters is
 * one copy. Hidden layers use ND4J's activation functions; the loss is computed from the logits in
 * its numerically stable form, plus ND4J's L2 penalty on the weights.
 *
 * <p>The arrays of a step (inputs, targets, pre-activations, activations, loss temporaries, deltas)
 * are allocated once and reused: every ND4J op pays a fixed cost per call and per array it
 * allocates, which dominated the step of a small batch. They are the first n rows of arrays sized
 * for the largest training batch seen so far ({@link Workspace}), so memory stays what {@link
 * StepMemory} estimates for that batch; products go straight into them ({@link Nd4j#gemm}) and
 * element-wise ops run in place. Each step overwrites everything it reads before reading it, so no
 * state passes from one step to the next through them. Everything goes through ND4J's API, so the
 * path runs on any backend; on the CPU backend for float32 the loss and output delta are computed
 * in Java on the logits in host memory ({@link Workspace#outputLoss}), and the optimizer's update
 * and p ← p − u over the parameters' host memory ({@link Float32Updater}), elsewhere with ND4J ops
 * and ND4J's updater.
 */
final class Nd4jDenseCompute implements DenseCompute {
    /** At most this many batch sizes keep their views (views only: the arrays are shared). */
    private static final int MAX_CACHED_SIZES = 16;

    private final ModelSpec spec;
    private final OptimizerSpec optimizerSpec;
    private final DataType dtype;

    /** Whether arrays live in host memory (ND4J's CPU backend): see {@link #copyInto}. */
    private final boolean hostMemory = ComputePath.cpuBackend();

    /**
     * Whether the loss, the output delta ({@link Workspace#outputLoss}) and the optimizer's update
     * ({@link #hostUpdater}) are computed in Java over host memory: on the CPU backend for float32;
     * with ND4J ops on the device elsewhere.
     */
    private final boolean onHost;

    private final int[] sizes;
    private final INDArray params;
    private final INDArray grads;
    private final INDArray[] weights;
    private final INDArray[] biases;
    private final INDArray[] weightGrads;
    private final INDArray[] biasGrads;

    /** Where the output layer's bias starts in the flat parameter (and gradient) vector. */
    private final int outputBiasOffset;

    private final INDArray optimizerState;
    private final long stateSize;
    private final IUpdater updaterConfig;
    private final GradientUpdater<?> updater;

    /**
     * On the host route, the update rule in Java and the optimizer's state, in place of ND4J's
     * updater and state arrays (then null): libnd4j's Adam took 950 µs per update of the MLP's
     * 101,770 parameters on one core, {@link Float32Updater} 58 µs. Null elsewhere.
     */
    private final Float32Updater hostUpdater;

    /** The host route's copies of a range of the gradient (then update) and of the parameters. */
    private final float[] hostGradient;

    private final float[] hostParams;

    private final IActivation hidden;
    private final L2Regularization l2;
    private final WeightDecay decoupledDecay;

    /** Views of the step arrays per batch size, most recently used last. */
    private final Map<Integer, Workspace> workspaces = new LinkedHashMap<>(16, 0.75f, true);

    /** Rows of {@link #full}, the largest training batch so far. */
    private int capacity;

    /** The arrays of the largest training batch; the other sizes' are views into them. */
    private Workspace full;

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
        this(
                spec,
                optimizerSpec,
                dtype,
                initialParams,
                initialOptimizerState,
                ComputePath.cpuBackend() && dtype == DataType.FLOAT);
    }

    /**
     * As the other constructor, with the loss and update computed in Java or with ND4J's ops as
     * chosen: tests run the ops of other backends on the CPU with {@code onHost} false.
     */
    Nd4jDenseCompute(
            ModelSpec spec,
            OptimizerSpec optimizerSpec,
            DataType dtype,
            float[] initialParams,
            float[] initialOptimizerState,
            boolean onHost) {
        if (onHost && (dtype != DataType.FLOAT || !ComputePath.cpuBackend())) {
            throw new IllegalArgumentException(
                    "the loss and update are computed in host memory on the CPU backend for"
                            + " float32 only");
        }
        this.onHost = onHost;
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
        // The layout ends with the output layer's bias.
        this.outputBiasOffset = (int) (count - sizes[layers]);
        this.hidden = spec.activation().nd4j();
        this.l2 = spec.l2() > 0 ? new L2Regularization(spec.l2()) : null;
        this.decoupledDecay =
                optimizerSpec.usesWeightDecay() && optimizerSpec.weightDecay() > 0
                        ? new WeightDecay(optimizerSpec.weightDecay(), true)
                        : null;
        IUpdater config = optimizerSpec.toUpdater();
        this.updaterConfig = config;
        this.stateSize = config.stateSize(count);
        if (onHost) {
            // The state lives in the updater's arrays only (no ND4J copy to keep in step).
            this.hostUpdater = new Float32Updater(config, (int) count, initialOptimizerState);
            int chunk = (int) Math.min(count, Float32Updater.CHUNK);
            this.hostGradient = new float[chunk];
            this.hostParams = new float[chunk];
            this.optimizerState = null;
            this.updater = null;
        } else {
            boolean fresh = initialOptimizerState == null;
            this.optimizerState =
                    fresh
                            ? Nd4j.zeros(dtype, Math.max(stateSize, 1))
                            : Nd4j.createFromArray(padded(initialOptimizerState)).castTo(dtype);
            // Stateless updaters (SGD) refuse a state view; stateful ones get a view of the state.
            this.updater =
                    config.instantiate(
                            stateSize == 0
                                    ? (INDArray) null
                                    : optimizerState.get(NDArrayIndex.interval(0, stateSize)),
                            fresh);
            this.hostUpdater = null;
            this.hostGradient = null;
            this.hostParams = null;
        }
    }

    /**
     * Called after every update, so it tests p·p (BLAS dot: 12 against 127 µs for {@code
     * norm2Number} on the MLP's 101,770 parameters). A NaN parameter makes it NaN; an infinite one
     * or squares summing past float32's range (a parameter of 10³⁰, which is finite) make it
     * infinite, and then the largest magnitude tells the two apart.
     */
    @Override
    public boolean parametersFinite() {
        double squares = Nd4j.getBlasWrapper().dot(params, params);
        if (Double.isFinite(squares)) {
            return true;
        }
        return !Double.isNaN(squares) && Double.isFinite(params.amaxNumber().doubleValue());
    }

    @Override
    public void load(float[] parameters, float[] optimizer) {
        params.assign(Nd4j.createFromArray(parameters).castTo(dtype));
        long n = optimizer.length;
        if (hostUpdater != null) {
            hostUpdater.load(optimizer);
        } else if (n > 0) {
            optimizerState
                    .get(NDArrayIndex.interval(0, n))
                    .assign(Nd4j.createFromArray(optimizer).castTo(dtype));
        }
    }

    @Override
    public float[] parameters() {
        return copyOut(params, hostMemory);
    }

    @Override
    public float[] optimizerState() {
        if (stateSize == 0) {
            return new float[0];
        }
        if (hostUpdater != null) {
            return hostUpdater.state();
        }
        return copyOut(
                optimizerState.length() == stateSize
                        ? optimizerState
                        : optimizerState.get(NDArrayIndex.interval(0, stateSize)),
                hostMemory);
    }

    /**
     * √(g·g) by BLAS dot (sdot on float32): a tenth of {@code norm2Number}'s time on the MLP's
     * 101,770 gradients (10 against 118 µs, one core). When g·g overflows float32 the norm is
     * computed in double, so a huge finite gradient is clipped (or applied) as on the Java path.
     */
    @Override
    public double gradientNorm() {
        double squares = Nd4j.getBlasWrapper().dot(grads, grads);
        if (Double.isInfinite(squares)) {
            // Past float32's range (a norm over 1.8e19), which the Java path, in double, clips.
            return grads.castTo(DataType.DOUBLE).norm2Number().doubleValue();
        }
        return Math.sqrt(squares);
    }

    @Override
    public void update(double norm, int i) {
        double limit = optimizerSpec.clipNorm();
        if (limit > 0 && norm > limit) {
            grads.muli(limit / norm);
        }
        if (hostUpdater != null) {
            hostUpdate(i);
            return;
        }
        updater.applyUpdater(grads, i, 0);
        if (decoupledDecay != null) {
            decay(i);
        }
        params.subi(grads);
    }

    /**
     * The host route's update, {@link Float32Updater#CHUNK} parameters at a time: the gradient's
     * chunk becomes its update (in a copy: {@code grads} keeps the gradient), and p ← p − u in the
     * same pass (one loop, not ND4J's {@code subi}, which cost 230 µs on the MLP's parameters,
     * mostly the op's fixed cost) unless decoupled weight decay adds to u first.
     */
    private void hostUpdate(int i) {
        FloatBuffer g = grads.data().asNioFloat();
        FloatBuffer p = params.data().asNioFloat();
        boolean subtract = decoupledDecay == null;
        for (int c = 0; c < hostUpdater.chunks(); c++) {
            int from = c * Float32Updater.CHUNK;
            int length = hostUpdater.chunkLength(c);
            g.get(from, hostGradient, 0, length);
            hostUpdater.apply(hostGradient, c, i);
            if (subtract) {
                p.get(from, hostParams, 0, length);
                for (int k = 0; k < length; k++) {
                    hostParams[k] -= hostGradient[k];
                }
                p.put(from, hostParams, 0, length);
            } else {
                g.put(from, hostGradient, 0, length);
            }
        }
        if (!subtract) {
            decay(i);
            params.subi(grads);
        }
    }

    /** Adds decoupled weight decay (AdamW, Loshchilov & Hutter 2019) to the weights' update. */
    private void decay(int i) {
        double lr = updaterConfig.getLearningRate(i, 0);
        for (int l = 0; l < weights.length; l++) {
            decoupledDecay.apply(weights[l], weightGrads[l], lr, i, 0);
        }
    }

    @Override
    public float[] predict(float[] x, int n) {
        INDArray logits = forward(inputs(x, n));
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
        INDArray logits = forward(inputs(x, n));
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
        Workspace ws = workspace(batch, withGradient);
        INDArray x = ws.inputs(features);
        int layers = sizes.length - 1;
        INDArray logits = forward(ws, x);
        long n = batch;
        double loss;
        INDArray dz;
        Double accuracy;
        if (onHost) {
            OutputLoss.Result out = ws.outputLoss(logits, labels, withGradient);
            loss = out.loss();
            accuracy = spec.task() == Task.REGRESSION ? null : (double) out.correct() / n;
            dz = ws.delta;
        } else {
            INDArray y = ws.targets(labels);
            accuracy = deviceAccuracy(ws, logits, y, labels);
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
                                                                    Transforms.abs(logits, true)
                                                                            .negi(),
                                                                    false)
                                                            .addi(1.0),
                                                    false));
                    loss = softplus.subi(logits.mul(y)).sumNumber().doubleValue() / n;
                    dz = Transforms.sigmoid(logits, true).subi(y).muli(1.0 / n);
                }
                default -> {
                    // log softmax in place of the logits: z − max − log Σ exp(z − max).
                    INDArray logProbabilities = ws.logSoftmaxInPlace(logits);
                    Nd4j.getExecutioner().exec(new MulOp(logProbabilities, y, ws.scratch));
                    loss = -ws.scratch.sumNumber().doubleValue() / n;
                    Nd4j.getExecutioner().exec(new Exp(logProbabilities, ws.delta));
                    dz = ws.delta.subi(y).muli(1.0 / n);
                }
            }
        }
        if (l2 != null) {
            for (INDArray w : weights) {
                loss += l2.score(w, 0, 0);
            }
        }
        if (withGradient) {
            for (int l = layers - 1; l >= 0; l--) {
                INDArray input = l == 0 ? x : ws.activations[l - 1];
                // Xᵀ·dz straight into the gradient's view, no temporary (as DL4J's layers do).
                Nd4j.gemm(input, dz, weightGrads[l], true, false, 1.0, 0.0);
                if (onHost && l == layers - 1) {
                    // The output bias's gradient, the delta's column sums, came with the loss.
                    grads.data().asNioFloat().put(outputBiasOffset, ws.outputBiasGradient);
                } else {
                    dz.sum(biasGrads[l], true, 0);
                }
                if (l2 != null) {
                    l2.apply(weights[l], weightGrads[l], 0, 0, 0);
                }
                if (l > 0) {
                    INDArray upstream = ws.upstream[l];
                    // dz·Wᵀ: gemm reads W transposed in place (a third of mmul's time on a
                    // transposed view, 28 against 78 µs for 128×10·10×128).
                    Nd4j.gemm(dz, weights[l], upstream, false, true, 1.0, 0.0);
                    // The pre-activation is not needed after this: its derivative goes in place.
                    dz = hidden.backprop(ws.preActivations[l - 1], upstream).getFirst();
                }
            }
        }
        return new DenseNetwork.Evaluation(loss, accuracy, (int) n);
    }

    /** The batch's accuracy computed with ND4J ops on the device; null for a regression. */
    private Double deviceAccuracy(Workspace ws, INDArray logits, INDArray y, double[] labels) {
        long n = ws.n;
        return switch (spec.task()) {
            case REGRESSION -> null;
            case BINARY ->
                    logits.gt(0.0)
                                    .castTo(dtype)
                                    .eq(y)
                                    .castTo(DataType.DOUBLE)
                                    .sumNumber()
                                    .doubleValue()
                            / n;
            // Before the loss, which overwrites the logits.
            case MULTICLASS -> ws.accuracy(logits, labels);
        };
    }

    /**
     * Forward pass to the output logits (the workspace's last pre-activation); hidden
     * pre-activations and activations stay in the workspace for the backward pass.
     */
    private INDArray forward(Workspace ws, INDArray x) {
        INDArray a = x;
        int layers = sizes.length - 1;
        for (int l = 0; l < layers; l++) {
            INDArray z = ws.preActivations[l];
            affine(a, l, z);
            if (l == layers - 1) {
                return z;
            }
            a = hidden.getActivation(ws.activations[l].assign(z), true);
            ws.activations[l] = a;
        }
        throw new IllegalStateException("a network has at least one layer");
    }

    /**
     * Layer l's pre-activation a·W + b into {@code out} (rows of a × the layer's outputs), for
     * training and prediction alike, so both give the same logits bit for bit. {@link Nd4j#gemm}
     * and the broadcasting {@code add} op, rather than {@code mmul} and {@code addiRowVector}: per
     * op on one core, 344 against 500 µs for the MLP's 128×784·784×128 (mmul into a c-order array
     * goes through a copy), and 17 against 38 µs for the bias.
     */
    private void affine(INDArray a, int l, INDArray out) {
        Nd4j.gemm(a, weights[l], out, false, false, 1.0, 0.0);
        Nd4j.exec(new AddOp(out, biases[l], out));
    }

    /**
     * Forward pass to the output logits in arrays of its own (predictions come in batches of any
     * size, and are not the training loop's cost).
     */
    private INDArray forward(INDArray x) {
        INDArray a = x;
        int layers = sizes.length - 1;
        for (int l = 0; l < layers; l++) {
            INDArray z = Nd4j.create(dtype, a.size(0), sizes[l + 1]);
            affine(a, l, z);
            if (l == layers - 1) {
                return z;
            }
            a = hidden.getActivation(z, true);
        }
        throw new IllegalStateException("a network has at least one layer");
    }

    private INDArray inputs(float[] x, int n) {
        return Nd4j.create(x, new long[] {n, spec.inputSize()}, 'c').castTo(dtype);
    }

    private static INDArray logSoftmax(INDArray logits) {
        INDArray shifted = logits.subColumnVector(logits.max(true, 1));
        INDArray logSumExp = Transforms.log(Transforms.exp(shifted, true).sum(true, 1), false);
        return shifted.subiColumnVector(logSumExp);
    }

    /**
     * The step arrays for a batch of n. A training step (grow) gets views of the first n rows of
     * arrays sized for the largest training batch seen, cached per batch size (few sizes occur: the
     * configured one and partial ones). An evaluation larger than that gets arrays of its own,
     * dropped afterwards, so that memory stays that of the training batch.
     */
    private Workspace workspace(int n, boolean grow) {
        Workspace ws = workspaces.get(n);
        if (ws != null) {
            return ws;
        }
        if (n > capacity) {
            if (!grow) {
                return new Workspace(n);
            }
            capacity = n;
            workspaces.clear();
            full = new Workspace(n);
            ws = full;
        } else {
            if (workspaces.size() >= MAX_CACHED_SIZES) {
                // Views only: dropping the least recently used costs only its re-creation.
                workspaces.remove(workspaces.keySet().iterator().next());
            }
            ws = new Workspace(n, full);
        }
        workspaces.put(n, ws);
        return ws;
    }

    /** The first n rows of an array. */
    private static INDArray rows(INDArray array, int n) {
        if (n == array.size(0)) {
            return array;
        }
        return array.rank() == 1
                ? array.get(NDArrayIndex.interval(0, n))
                : array.get(NDArrayIndex.interval(0, n), NDArrayIndex.all());
    }

    /** The arrays of one step on a batch of n rows. */
    private final class Workspace {
        final int n;
        final INDArray x;
        final INDArray y;

        /** Per layer l: X·W + b of its outputs, n × sizes[l+1]; the last are the logits. */
        final INDArray[] preActivations;

        /** Per hidden layer l: its activation, n × sizes[l+1] (null for the output layer). */
        final INDArray[] activations;

        /** Per layer l &gt; 0: dz·Wᵀ, the gradient at its input, n × sizes[l] (null for 0). */
        final INDArray[] upstream;

        /** n × outputs: a loss temporary, and the output layer's delta. */
        final INDArray scratch;

        final INDArray delta;

        /** n × 1: per row, the largest logit, then the log of Σ exp(z − max). */
        final INDArray rowMax;

        final INDArray rowLogSumExp;

        /** n: per row, the index of the largest logit. */
        final INDArray predicted;

        /** The one-hot targets staged in Java (n · classes; setData copies all of it). */
        private float[] oneHot;

        // outputLoss's copies of the logits (then the delta) as float32 and double, n · outputs.
        private float[] outputFloats;
        private double[] outputValues;
        private double[] deltaValues;

        /** The output bias's gradient from {@link #outputLoss}: the delta's column sums. */
        private float[] outputBiasGradient;

        /** Allocates the arrays for n rows. */
        Workspace(int n) {
            this.n = n;
            int layers = sizes.length - 1;
            int out = spec.outputSize();
            this.x = Nd4j.create(dtype, n, sizes[0]);
            this.preActivations = new INDArray[layers];
            this.activations = new INDArray[layers];
            this.upstream = new INDArray[layers];
            for (int l = 0; l < layers; l++) {
                preActivations[l] = Nd4j.create(dtype, n, sizes[l + 1]);
                if (l < layers - 1) {
                    activations[l] = Nd4j.create(dtype, n, sizes[l + 1]);
                }
                if (l > 0) {
                    upstream[l] = Nd4j.create(dtype, n, sizes[l]);
                }
            }
            this.y = Nd4j.create(dtype, n, out);
            this.scratch = Nd4j.create(dtype, n, out);
            this.delta = Nd4j.create(dtype, n, out);
            this.rowMax = Nd4j.create(dtype, n, 1);
            this.rowLogSumExp = Nd4j.create(dtype, n, 1);
            this.predicted = Nd4j.create(DataType.LONG, n);
        }

        /** Views of the first n rows of {@code full}'s arrays. */
        Workspace(int n, Workspace full) {
            this.n = n;
            int layers = sizes.length - 1;
            this.x = rows(full.x, n);
            this.preActivations = new INDArray[layers];
            this.activations = new INDArray[layers];
            this.upstream = new INDArray[layers];
            for (int l = 0; l < layers; l++) {
                preActivations[l] = rows(full.preActivations[l], n);
                if (l < layers - 1) {
                    activations[l] = rows(full.activations[l], n);
                }
                if (l > 0) {
                    upstream[l] = rows(full.upstream[l], n);
                }
            }
            this.y = rows(full.y, n);
            this.scratch = rows(full.scratch, n);
            this.delta = rows(full.delta, n);
            this.rowMax = rows(full.rowMax, n);
            this.rowLogSumExp = rows(full.rowLogSumExp, n);
            this.predicted = rows(full.predicted, n);
        }

        /** Copies the batch's features in (as float32, cast to the network's type on the way). */
        INDArray inputs(float[] features) {
            copyInto(x, features, hostMemory);
            return x;
        }

        /** The targets: n × 1, or n × classes one-hot for a multi-class model. */
        INDArray targets(double[] labels) {
            if (spec.task() != Task.MULTICLASS) {
                y.data().setData(labels);
                return y;
            }
            int k = spec.outputSize();
            if (oneHot == null) {
                oneHot = new float[n * k];
            } else {
                Arrays.fill(oneHot, 0f);
            }
            for (int i = 0; i < n; i++) {
                oneHot[i * k + (int) labels[i]] = 1f;
            }
            copyInto(y, oneHot, hostMemory);
            return y;
        }

        /**
         * On the CPU backend, float32: the loss, the right predictions and the output delta ({@link
         * OutputLoss}) computed in Java on the logits copied out of host memory, the delta copied
         * into {@link #delta}. ND4J's ops for the same (argmax, six for log softmax, five for the
         * loss and delta) cost their fixed ~20 µs each; the copies are n · outputs floats. Requires
         * the logits and the delta to start at their buffers' first element, as the first rows of a
         * workspace's arrays do.
         */
        OutputLoss.Result outputLoss(INDArray logits, double[] labels, boolean withGradient) {
            int values = n * spec.outputSize();
            if (outputFloats == null) {
                outputFloats = new float[values];
                outputValues = new double[values];
                deltaValues = new double[values];
            }
            if (logits.offset() != 0 || delta.offset() != 0) {
                throw new IllegalStateException("the output arrays are views past their start");
            }
            logits.data().asNioFloat().get(outputFloats, 0, values);
            for (int i = 0; i < values; i++) {
                outputValues[i] = outputFloats[i];
            }
            OutputLoss.Result out =
                    OutputLoss.compute(
                            spec.loss(), outputValues, labels, n, spec.outputSize(), deltaValues);
            if (withGradient) {
                int k = spec.outputSize();
                if (outputBiasGradient == null) {
                    outputBiasGradient = new float[k];
                }
                for (int j = 0; j < k; j++) {
                    double column = 0;
                    for (int i = j; i < values; i += k) {
                        column += deltaValues[i];
                    }
                    outputBiasGradient[j] = (float) column;
                }
                for (int i = 0; i < values; i++) {
                    outputFloats[i] = (float) deltaValues[i];
                }
                copyInto(delta, outputFloats, hostMemory);
            }
            return out;
        }

        /** The fraction of rows whose largest logit is at the label (first of ties, as argmax). */
        double accuracy(INDArray logits, double[] labels) {
            Nd4j.getExecutioner()
                    .exec(
                            new ArgMax(
                                    new INDArray[] {logits}, new INDArray[] {predicted}, false, 1));
            long[] classes = predicted.toLongVector();
            int hits = 0;
            for (int i = 0; i < n; i++) {
                if (classes[i] == (long) labels[i]) {
                    hits++;
                }
            }
            return (double) hits / n;
        }

        /**
         * log softmax over each row, in place, in its stable form z − max − log Σ exp(z − max): the
         * maths of {@link #logSoftmax}, no allocation. The column subtractions are the broadcasting
         * {@code subtract} op (19 against 49 µs for {@code subiColumnVector} on 128×10, the same
         * result). ND4J's fused {@code log_softmax} op is not used: it takes the log of the
         * softmax, so a logit 1,000 below the row's largest gives −∞ in float32 (and 0·−∞ = NaN in
         * the loss).
         */
        INDArray logSoftmaxInPlace(INDArray logits) {
            Nd4j.getExecutioner().exec(new Max(logits, rowMax, true, 1));
            Nd4j.exec(new SubOp(logits, rowMax, logits));
            Nd4j.getExecutioner().exec(new Exp(logits, scratch));
            scratch.sum(rowLogSumExp, true, 1);
            Transforms.log(rowLogSumExp, false);
            Nd4j.exec(new SubOp(logits, rowLogSumExp, logits));
            return logits;
        }
    }

    /**
     * Copies {@code values} into the first {@code values.length} elements of {@code target}'s
     * buffer (a c-order array or its first rows). On the CPU backend, for float32, that is one bulk
     * copy into the buffer's host memory. Elsewhere ND4J's {@code setData} writes element by
     * element (converting to the array's type), through the API every backend implements: it cost
     * about 10 ns per element, most of softmax 784→10's time per example (README, "The cost of one
     * update").
     *
     * @param hostMemory whether the backend keeps arrays in host memory (its CPU backend)
     */
    static void copyInto(INDArray target, float[] values, boolean hostMemory) {
        if (hostMemory && target.dataType() == DataType.FLOAT) {
            target.data().asNioFloat().put(values);
        } else {
            target.data().setData(values);
        }
    }

    /**
     * The elements of a vector as float32. On the CPU backend, for a float32 vector that owns its
     * whole buffer in order (the parameters, the optimizer state), one bulk copy out of host
     * memory; otherwise ND4J's cast and {@code toFloatVector}, which reads element by element. The
     * divergence guard copies parameters and optimizer state every few updates; snapshots and
     * checkpoints copy them too.
     */
    static float[] copyOut(INDArray v, boolean hostMemory) {
        if (hostMemory
                && v.dataType() == DataType.FLOAT
                && v.offset() == 0
                && v.data().length() == v.length()
                && v.elementWiseStride() == 1) {
            float[] out = new float[(int) v.length()];
            v.data().asNioFloat().get(out);
            return out;
        }
        return v.castTo(DataType.FLOAT).toFloatVector();
    }

    private static INDArray view(INDArray flat, long offset, int rows, int cols) {
        return flat.get(NDArrayIndex.interval(offset, offset + (long) rows * cols))
                .reshape('c', rows, cols);
    }

    private static float[] padded(float[] state) {
        return state.length == 0 ? new float[1] : state;
    }
}
