package io.streamgrad.model;

import io.streamgrad.schema.Task;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * {@link DenseCompute} in plain Java loops, for small models on a CPU backend ({@link
 * ComputePath}): the maths of {@link Nd4jDenseCompute} without its fixed cost of a native call and
 * an allocation per op (some 20–30 of them per step), which dominates a step when the model is
 * small.
 *
 * <p>Everything is computed in double. Parameters and optimizer state are kept in double arrays;
 * for a float32 network they are rounded to float32 after every update, so that they are exactly
 * the values a float32 snapshot holds and a restored network continues bit for bit as the original.
 * Buffers for activations and deltas are allocated once for the largest batch seen and reused.
 * Loops run in a fixed order: the same inputs give bit-identical parameters run to run.
 *
 * <p>Activations and their derivatives are ND4J's (relu' = 1 for z &gt; 0, else 0; leaky-relu with
 * slope {@link Activation#LEAKY_SLOPE} for z &lt; 0); losses as {@link Loss} defines them, from the
 * logits in their stable forms; L2 as ND4J's {@code L2Regularization} (penalty ½λ‖W‖², gradient λW,
 * weights only); adamw's decoupled decay as ND4J's {@code WeightDecay} with the learning rate
 * (update += lr·λ·W, weights only, after the Adam update).
 */
final class JavaDenseCompute implements DenseCompute {
    private final ModelSpec spec;
    private final int[] sizes;
    private final int layers;
    private final int[] weightOffset;
    private final int[] biasOffset;
    private final boolean single;
    private final double[] p;
    private final double[] g;
    private final double[] state;
    private final JavaUpdater updater;
    private final double l2;
    private final double weightDecay;
    private final double clipNorm;
    private final Activation activation;

    /** Per layer its pre-activations (the last: logits), n × out; per hidden layer activations. */
    private double[][] z;

    private double[][] a;
    private double[] delta;
    private double[] upstream;
    private int capacity;

    /**
     * @param initialParams checked to have the model's parameter count
     * @param initialOptimizerState null for fresh state, else checked to have the updater's size
     */
    JavaDenseCompute(
            ModelSpec spec,
            OptimizerSpec optimizerSpec,
            DataType dtype,
            float[] initialParams,
            float[] initialOptimizerState) {
        this.spec = spec;
        this.sizes = spec.layerSizes();
        this.layers = sizes.length - 1;
        this.single = dtype != DataType.DOUBLE;
        this.weightOffset = new int[layers];
        this.biasOffset = new int[layers];
        int offset = 0;
        for (int l = 0; l < layers; l++) {
            weightOffset[l] = offset;
            offset += sizes[l] * sizes[l + 1];
            biasOffset[l] = offset;
            offset += sizes[l + 1];
        }
        this.p = new double[offset];
        for (int i = 0; i < offset; i++) {
            p[i] = initialParams[i];
        }
        this.g = new double[offset];
        this.updater = new JavaUpdater(optimizerSpec.toUpdater());
        if (initialOptimizerState == null) {
            this.state = updater.freshState(offset);
            for (int i = 0; i < state.length; i++) {
                state[i] = single ? (float) state[i] : state[i];
            }
        } else {
            this.state = new double[initialOptimizerState.length];
            for (int i = 0; i < state.length; i++) {
                state[i] = initialOptimizerState[i];
            }
        }
        this.l2 = spec.l2();
        this.weightDecay = optimizerSpec.usesWeightDecay() ? optimizerSpec.weightDecay() : 0;
        this.clipNorm = optimizerSpec.clipNorm();
        this.activation = spec.activation();
        this.z = new double[layers][];
        this.a = new double[layers][];
    }

    /** Grows the buffers to n rows (never shrinks them: batch sizes alternate in a stream). */
    private void ensureCapacity(int n) {
        if (n <= capacity) {
            return;
        }
        int widest = 0;
        for (int l = 0; l < layers; l++) {
            z[l] = new double[n * sizes[l + 1]];
            a[l] = l + 1 < layers ? new double[n * sizes[l + 1]] : null;
            widest = Math.max(widest, sizes[l + 1]);
        }
        delta = new double[n * widest];
        upstream = new double[n * widest];
        capacity = n;
    }

    /** Forward pass into {@link #z} and {@link #a}; returns the logits (n × outputs). */
    private double[] forward(float[] x, int n) {
        ensureCapacity(n);
        for (int l = 0; l < layers; l++) {
            int in = sizes[l];
            int out = sizes[l + 1];
            double[] zl = z[l];
            int w = weightOffset[l];
            int b = biasOffset[l];
            double[] input = l == 0 ? null : a[l - 1];
            for (int i = 0; i < n; i++) {
                int row = i * in;
                int zi = i * out;
                if (out == 1) {
                    // One output: a dot product, accumulated in a register.
                    double s = 0;
                    if (input == null) {
                        for (int k = 0; k < in; k++) {
                            s += x[row + k] * p[w + k];
                        }
                    } else {
                        for (int k = 0; k < in; k++) {
                            s += input[row + k] * p[w + k];
                        }
                    }
                    zl[zi] = s + p[b];
                    continue;
                }
                for (int j = 0; j < out; j++) {
                    zl[zi + j] = 0;
                }
                for (int k = 0; k < in; k++) {
                    double v = input == null ? x[row + k] : input[row + k];
                    int wk = w + k * out;
                    for (int j = 0; j < out; j++) {
                        zl[zi + j] += v * p[wk + j];
                    }
                }
                for (int j = 0; j < out; j++) {
                    zl[zi + j] += p[b + j];
                }
            }
            if (l + 1 < layers) {
                double[] al = a[l];
                int m = n * out;
                for (int i = 0; i < m; i++) {
                    al[i] = activate(zl[i]);
                }
            }
        }
        return z[layers - 1];
    }

    private double activate(double v) {
        return switch (activation) {
            case IDENTITY -> v;
            case RELU -> v > 0 ? v : 0;
            case LEAKY_RELU -> v > 0 ? v : Activation.LEAKY_SLOPE * v;
            case TANH -> Math.tanh(v);
            case SIGMOID -> sigmoid(v);
        };
    }

    /** dσ/dz at the pre-activation v (its activation a = σ(v)). */
    private double derivative(double v, double a) {
        return switch (activation) {
            case IDENTITY -> 1;
            case RELU -> v > 0 ? 1 : 0;
            case LEAKY_RELU -> v > 0 ? 1 : Activation.LEAKY_SLOPE;
            case TANH -> 1 - a * a;
            case SIGMOID -> a * (1 - a);
        };
    }

    /** The logistic function, without overflow for any v. */
    static double sigmoid(double v) {
        if (v >= 0) {
            return 1 / (1 + Math.exp(-v));
        }
        double e = Math.exp(v);
        return e / (1 + e);
    }

    @Override
    public DenseNetwork.Evaluation lossAndGradient(
            float[] x, double[] labels, int n, boolean withGradient) {
        double[] logits = forward(x, n);
        int k = sizes[layers];
        double[] dz = delta;
        double inverse = 1.0 / n;
        OutputLoss.Result out = OutputLoss.compute(spec.loss(), logits, labels, n, k, dz);
        double loss = out.loss();
        int correct = out.correct();
        if (l2 > 0) {
            for (int l = 0; l < layers; l++) {
                double squares = 0;
                for (int i = weightOffset[l]; i < biasOffset[l]; i++) {
                    squares += p[i] * p[i];
                }
                loss += 0.5 * l2 * squares;
            }
        }
        Double accuracy = spec.task() == Task.REGRESSION ? null : correct * inverse;
        if (withGradient) {
            backward(x, n);
        }
        return new DenseNetwork.Evaluation(loss, accuracy, n);
    }

    /** The gradient into {@link #g} from the output deltas in {@link #delta}. */
    private void backward(float[] x, int n) {
        double[] d = delta;
        double[] next = upstream;
        for (int l = layers - 1; l >= 0; l--) {
            int in = sizes[l];
            int out = sizes[l + 1];
            int w = weightOffset[l];
            int b = biasOffset[l];
            double[] input = l == 0 ? null : a[l - 1];
            for (int i = w; i < b + out; i++) {
                g[i] = 0;
            }
            // dW = inputᵀ·delta, db = column sums of delta.
            for (int i = 0; i < n; i++) {
                int row = i * in;
                int di = i * out;
                for (int j = 0; j < out; j++) {
                    g[b + j] += d[di + j];
                }
                if (out == 1) {
                    double dv = d[di];
                    if (input == null) {
                        for (int k = 0; k < in; k++) {
                            g[w + k] += x[row + k] * dv;
                        }
                    } else {
                        for (int k = 0; k < in; k++) {
                            g[w + k] += input[row + k] * dv;
                        }
                    }
                    continue;
                }
                for (int k = 0; k < in; k++) {
                    double v = input == null ? x[row + k] : input[row + k];
                    int wk = w + k * out;
                    for (int j = 0; j < out; j++) {
                        g[wk + j] += v * d[di + j];
                    }
                }
            }
            if (l2 > 0) {
                for (int i = w; i < b; i++) {
                    g[i] += l2 * p[i];
                }
            }
            if (l > 0) {
                // delta of the layer below: (delta·Wᵀ) ⊙ σ'(z).
                double[] zBelow = z[l - 1];
                for (int i = 0; i < n; i++) {
                    int di = i * out;
                    for (int k = 0; k < in; k++) {
                        int wk = w + k * out;
                        double s = 0;
                        for (int j = 0; j < out; j++) {
                            s += d[di + j] * p[wk + j];
                        }
                        int idx = i * in + k;
                        next[idx] = s * derivative(zBelow[idx], input[idx]);
                    }
                }
                double[] t = d;
                d = next;
                next = t;
            }
        }
    }

    @Override
    public double gradientNorm() {
        double s = 0;
        for (double v : g) {
            s += v * v;
        }
        return Math.sqrt(s);
    }

    @Override
    public void update(double norm, int iteration) {
        int count = p.length;
        if (clipNorm > 0 && norm > clipNorm) {
            double scale = clipNorm / norm;
            for (int i = 0; i < count; i++) {
                g[i] *= scale;
            }
        }
        updater.apply(g, count, state, iteration, single);
        if (weightDecay > 0) {
            double step = updater.learningRate(iteration) * weightDecay;
            for (int l = 0; l < layers; l++) {
                for (int i = weightOffset[l]; i < biasOffset[l]; i++) {
                    g[i] += step * p[i];
                }
            }
        }
        for (int i = 0; i < count; i++) {
            double v = p[i] - g[i];
            p[i] = single ? (float) v : v;
        }
    }

    @Override
    public float[] logits(float[] x, int n) {
        double[] logits = forward(x, n);
        float[] out = new float[n * sizes[layers]];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) logits[i];
        }
        return out;
    }

    @Override
    public float[] predict(float[] x, int n) {
        double[] logits = forward(x, n);
        int k = sizes[layers];
        float[] out = new float[n * k];
        switch (spec.task()) {
            case REGRESSION -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = (float) logits[i];
                }
            }
            case BINARY -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = (float) sigmoid(logits[i]);
                }
            }
            case MULTICLASS -> {
                for (int i = 0; i < n; i++) {
                    int row = i * k;
                    double max = logits[row];
                    for (int j = 1; j < k; j++) {
                        max = Math.max(max, logits[row + j]);
                    }
                    double sum = 0;
                    for (int j = 0; j < k; j++) {
                        sum += Math.exp(logits[row + j] - max);
                    }
                    double logSum = Math.log(sum);
                    for (int j = 0; j < k; j++) {
                        out[row + j] = (float) Math.exp(logits[row + j] - max - logSum);
                    }
                }
            }
        }
        return out;
    }

    @Override
    public boolean parametersFinite() {
        for (double v : p) {
            if (!Double.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void load(float[] parameters, float[] optimizer) {
        for (int i = 0; i < p.length; i++) {
            p[i] = parameters[i];
        }
        for (int i = 0; i < optimizer.length; i++) {
            state[i] = optimizer[i];
        }
    }

    @Override
    public float[] parameters() {
        return toFloats(p);
    }

    @Override
    public float[] optimizerState() {
        return toFloats(state);
    }

    @Override
    public double[] gradient() {
        return g.clone();
    }

    @Override
    public void setParameter(int index, double value) {
        p[index] = single ? (float) value : value;
    }

    @Override
    public double getParameter(int index) {
        return p[index];
    }

    private static float[] toFloats(double[] v) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) v[i];
        }
        return out;
    }
}
