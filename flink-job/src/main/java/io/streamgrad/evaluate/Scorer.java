package io.streamgrad.evaluate;

import io.streamgrad.model.DenseNetwork;
import io.streamgrad.model.Loss;
import io.streamgrad.model.ModelSpec;
import io.streamgrad.schema.ModelSnapshot;
import io.streamgrad.schema.Task;
import io.streamgrad.train.Snapshots;

/**
 * A model rebuilt from its snapshot, scoring batches of examples: the network computes the logits
 * (float32, inputs standardized with the snapshot's feature statistics exactly as in training), and
 * probabilities and per-example losses follow from them in double precision, each in its
 * numerically stable form (the same forms as {@link DenseNetwork}'s training loss). Not
 * thread-safe.
 */
public final class Scorer {
    private final DenseNetwork network;
    private final ModelSpec spec;
    private final double penalty;

    /**
     * @throws IllegalStateException when the snapshot's parameters fail their checksum
     */
    public Scorer(ModelSnapshot snapshot) {
        this.network = Snapshots.rebuild(snapshot);
        this.spec = network.spec();
        this.penalty = l2Penalty(spec, Snapshots.flatParameters(snapshot));
    }

    public ModelSpec spec() {
        return spec;
    }

    /** An empty accumulator for this model's task, classes and penalty. */
    public EvaluationAccumulator newAccumulator() {
        return new EvaluationAccumulator(spec.task(), spec.classes(), penalty);
    }

    /**
     * The predictions of a batch.
     *
     * @param prediction per row: the predicted class (classifiers) or value (regression)
     * @param probabilities per row, one per class, row-major (empty for regression)
     * @param classes probabilities per row (0 for regression)
     */
    public record Predictions(double[] prediction, double[] probabilities, int classes) {}

    /**
     * Scores n rows and adds each to the accumulator.
     *
     * @param x n × inputSize features, row-major
     * @param labels n targets (class indices for classifiers, already validated)
     */
    public Predictions score(float[] x, double[] labels, int n, EvaluationAccumulator into) {
        float[] logits = network.logits(x, n);
        int out = spec.outputSize();
        int k = spec.classes();
        double[] prediction = new double[n];
        double[] probabilities = new double[n * k];
        double[] z = new double[out];
        double[] p = new double[k];
        for (int r = 0; r < n; r++) {
            for (int j = 0; j < out; j++) {
                z[j] = logits[r * out + j];
            }
            double y = labels[r];
            double loss = loss(spec.loss(), spec.task(), z, y);
            if (spec.task() == Task.REGRESSION) {
                prediction[r] = z[0];
                into.addRegression(y, z[0], loss);
                continue;
            }
            probabilities(spec.task(), z, p);
            System.arraycopy(p, 0, probabilities, r * k, k);
            prediction[r] = EvaluationAccumulator.argMax(p);
            into.addClassified((int) y, p, loss);
        }
        return new Predictions(prediction, probabilities, k);
    }

    /**
     * A classifier's class probabilities from its logits: binary [σ(−z), σ(z)] (each side from its
     * own sigmoid, so neither loses precision as 1 − the other), multi-class the softmax of z.
     *
     * @param z the logits (1 for binary, K for multi-class)
     * @param p receives the probabilities (2 for binary, K for multi-class)
     */
    public static void probabilities(Task task, double[] z, double[] p) {
        if (task == Task.BINARY) {
            p[0] = sigmoid(-z[0]);
            p[1] = sigmoid(z[0]);
        } else {
            softmax(z, p);
        }
    }

    /** One example's loss from its logits, as {@link DenseNetwork} computes a batch's mean. */
    static double loss(Loss loss, Task task, double[] z, double y) {
        double sum = 0;
        switch (loss) {
            case MSE -> {
                for (int j = 0; j < z.length; j++) {
                    double d = z[j] - target(task, y, j);
                    sum += d * d;
                }
            }
            case HUBER -> {
                double delta = Loss.HUBER_DELTA;
                for (int j = 0; j < z.length; j++) {
                    double r = Math.abs(z[j] - target(task, y, j));
                    sum += r <= delta ? r * r / 2 : delta * (r - delta / 2);
                }
            }
            case BINARY_CROSS_ENTROPY -> {
                for (int j = 0; j < z.length; j++) {
                    sum += softplus(z[j]) - target(task, y, j) * z[j];
                }
            }
            case SOFTMAX_CROSS_ENTROPY -> sum = logSumExp(z) - z[(int) y];
        }
        return sum;
    }

    private static double target(Task task, double y, int j) {
        return task == Task.MULTICLASS ? (j == (int) y ? 1 : 0) : y;
    }

    /** softplus(z) = ln(1 + eᶻ) = max(z, 0) + ln(1 + e^−|z|), exact for any z. */
    static double softplus(double z) {
        return Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
    }

    static double sigmoid(double z) {
        return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
    }

    static double logSumExp(double[] z) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : z) {
            max = Math.max(max, v);
        }
        double s = 0;
        for (double v : z) {
            s += Math.exp(v - max);
        }
        return max + Math.log(s);
    }

    private static void softmax(double[] z, double[] p) {
        double lse = logSumExp(z);
        for (int j = 0; j < z.length; j++) {
            p[j] = Math.exp(z[j] - lse);
        }
    }

    /** (l2/2)·ΣW² over the weights, not the biases, in the flat layout of {@link DenseNetwork}. */
    static double l2Penalty(ModelSpec spec, float[] params) {
        if (spec.l2() == 0) {
            return 0;
        }
        int[] sizes = spec.layerSizes();
        double sum = 0;
        int offset = 0;
        for (int l = 0; l + 1 < sizes.length; l++) {
            int w = sizes[l] * sizes[l + 1];
            for (int i = offset; i < offset + w; i++) {
                sum += (double) params[i] * params[i];
            }
            offset += w + sizes[l + 1];
        }
        return spec.l2() / 2 * sum;
    }
}
