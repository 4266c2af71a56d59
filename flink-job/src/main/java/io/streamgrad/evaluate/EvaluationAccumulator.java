package io.streamgrad.evaluate;

import io.streamgrad.schema.Task;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The metrics of a model on a set of scored events, kept so that shards (one per scoring subtask)
 * merge into the metrics of their union: {@link #merge} is associative and commutative, so shards
 * merged in any order give the same result (exactly for counts and the AUCs, to rounding for sums).
 *
 * <p>Classifiers: the predicted class is the arg-max of the probabilities (ties to the lowest
 * index, so a binary model predicts 1 when p₁ &gt; ½, as training's accuracy does). The confusion
 * matrix has the true class in rows and the predicted class in columns. Calibration is the
 * top-label expected calibration error of Guo et al., "On Calibration of Modern Neural Networks"
 * (ICML 2017), eq. 3, over {@value #CALIBRATION_BINS} equal-width confidence bins B_m = ((m−1)/M,
 * m/M] (confidence 0 falls in the first): ECE = Σ_m |B_m|/n · |acc(B_m) − conf(B_m)|.
 *
 * <p>Binary tasks also get exact ROC AUC and PR AUC from the scores (p₁). ROC AUC is the area under
 * the ROC curve with tied scores joined by a straight segment, which equals the Mann–Whitney
 * probability P(s⁺ &gt; s⁻) + ½·P(s⁺ = s⁻) (Fawcett, "An introduction to ROC analysis", Pattern
 * Recognition Letters 27, 2006, §6, Algorithm 2). PR AUC is the average precision AP = Σ_n (R_n −
 * R_{n−1})·P_n over the distinct score thresholds in decreasing order, with no interpolation (the
 * definition of scikit-learn's {@code average_precision_score}; Davis &amp; Goadrich, ICML 2006,
 * show why PR space must not be interpolated linearly). Exactness costs memory: every score is
 * kept, 8 bytes per scored binary event (split into positives and negatives, so no label array),
 * e.g. 80 MB for 10 million events; multi-class and regression keep O(classes²) numbers only.
 *
 * <p>Regression: MSE, MAE and R² = 1 − SS_res/SS_tot, with SS_tot from the labels' mean and sum of
 * squared deviations merged by Chan, Golub &amp; LeVeque's pairwise update ("Updating formulae and
 * a pairwise algorithm for computing sample variances", 1979), free of the cancellation in Σy² −
 * nȳ².
 *
 * <p>Loss is the mean of the per-example losses the {@link Scorer} computes with the model's own
 * loss function, plus the model's L2 penalty (a constant of the snapshot), so it is the figure
 * training reports for a batch. Log-loss is −ln p_y averaged, p_y clipped below at {@value
 * #LOG_LOSS_EPSILON} (scikit-learn's historical default), with no penalty.
 *
 * <p>Not thread-safe.
 */
public final class EvaluationAccumulator {
    public static final int CALIBRATION_BINS = 10;
    public static final double LOG_LOSS_EPSILON = 1e-15;
    private static final int FORMAT = 1;

    private final Task task;
    private final int classes;
    private final double penalty;

    private long events;
    private double lossSum;
    // classifiers
    private final long[] confusion;
    private double logLossSum;
    private final long[] binCount;
    private final double[] binConfidence;
    private final long[] binCorrect;
    // binary: p₁ of positives and of negatives
    private Scores positives;
    private Scores negatives;
    // regression
    private double labelMean;
    private double labelM2;
    private double squaredErrorSum;
    private double absoluteErrorSum;

    /**
     * @param task the model's task
     * @param classes class count (2 for binary, ignored for regression)
     * @param penalty the model's L2 penalty, added to the mean loss
     */
    public EvaluationAccumulator(Task task, int classes, double penalty) {
        this.task = task;
        this.classes = task == Task.REGRESSION ? 0 : classes;
        if (task != Task.REGRESSION && classes < 2) {
            throw new IllegalArgumentException("a classifier has at least 2 classes: " + classes);
        }
        this.penalty = penalty;
        this.confusion = new long[this.classes * this.classes];
        int bins = task == Task.REGRESSION ? 0 : CALIBRATION_BINS;
        this.binCount = new long[bins];
        this.binConfidence = new double[bins];
        this.binCorrect = new long[bins];
        this.positives = new Scores(0);
        this.negatives = new Scores(0);
    }

    public Task task() {
        return task;
    }

    public int classes() {
        return classes;
    }

    public long events() {
        return events;
    }

    /**
     * Adds one scored classification example.
     *
     * @param label the true class in [0, classes)
     * @param probabilities the model's class probabilities, length classes
     * @param loss the example's loss under the model's loss function
     */
    public void addClassified(int label, double[] probabilities, double loss) {
        if (task == Task.REGRESSION) {
            throw new IllegalStateException("a regression model has no class probabilities");
        }
        if (probabilities.length != classes || label < 0 || label >= classes) {
            throw new IllegalArgumentException(
                    "label " + label + " with " + probabilities.length + " probabilities");
        }
        int predicted = argMax(probabilities);
        double confidence = probabilities[predicted];
        events++;
        lossSum += loss;
        confusion[label * classes + predicted]++;
        logLossSum += -Math.log(Math.max(probabilities[label], LOG_LOSS_EPSILON));
        int bin = bin(confidence);
        binCount[bin]++;
        binConfidence[bin] += confidence;
        binCorrect[bin] += predicted == label ? 1 : 0;
        if (task == Task.BINARY) {
            (label == 1 ? positives : negatives).add(probabilities[1]);
        }
    }

    /** Adds one scored regression example. */
    public void addRegression(double label, double prediction, double loss) {
        if (task != Task.REGRESSION) {
            throw new IllegalStateException("a classifier needs class probabilities");
        }
        events++;
        lossSum += loss;
        double r = prediction - label;
        squaredErrorSum += r * r;
        absoluteErrorSum += Math.abs(r);
        // Welford's update of the labels' mean and M2.
        double delta = label - labelMean;
        labelMean += delta / events;
        labelM2 += delta * (label - labelMean);
    }

    /** The predicted class: arg-max, ties to the lowest index. */
    public static int argMax(double[] p) {
        int best = 0;
        for (int c = 1; c < p.length; c++) {
            if (p[c] > p[best]) {
                best = c;
            }
        }
        return best;
    }

    /** The calibration bin of a confidence in [0, 1]: ((m−1)/M, m/M], 0 in the first. */
    static int bin(double confidence) {
        int b = (int) Math.ceil(confidence * CALIBRATION_BINS) - 1;
        return Math.max(0, Math.min(CALIBRATION_BINS - 1, b));
    }

    /** Adds another shard's examples to this one. */
    public void merge(EvaluationAccumulator other) {
        if (other.task != task || other.classes != classes || other.penalty != penalty) {
            throw new IllegalArgumentException("shards of different models cannot merge");
        }
        long n = events + other.events;
        if (other.events > 0 && task == Task.REGRESSION) {
            // Chan, Golub & LeVeque (1979), eq. 2.1b.
            double delta = other.labelMean - labelMean;
            labelM2 += other.labelM2 + delta * delta * events * (double) other.events / n;
            labelMean += delta * other.events / n;
        }
        events = n;
        lossSum += other.lossSum;
        logLossSum += other.logLossSum;
        squaredErrorSum += other.squaredErrorSum;
        absoluteErrorSum += other.absoluteErrorSum;
        for (int i = 0; i < confusion.length; i++) {
            confusion[i] += other.confusion[i];
        }
        for (int b = 0; b < binCount.length; b++) {
            binCount[b] += other.binCount[b];
            binConfidence[b] += other.binConfidence[b];
            binCorrect[b] += other.binCorrect[b];
        }
        positives.addAll(other.positives);
        negatives.addAll(other.negatives);
    }

    /** The metrics so far; fields that do not apply to the task (or to no examples) are null. */
    public EvaluationMetrics result() {
        if (events == 0) {
            return EvaluationMetrics.empty(task, classes);
        }
        double n = events;
        Double loss = lossSum / n + penalty;
        if (task == Task.REGRESSION) {
            return new EvaluationMetrics(
                    task,
                    events,
                    loss,
                    null,
                    null,
                    List.of(),
                    null,
                    null,
                    List.of(),
                    null,
                    null,
                    List.of(),
                    squaredErrorSum / n,
                    absoluteErrorSum / n,
                    labelM2 > 0 ? 1 - squaredErrorSum / labelM2 : null);
        }
        long[][] matrix = new long[classes][classes];
        long correct = 0;
        for (int t = 0; t < classes; t++) {
            for (int p = 0; p < classes; p++) {
                matrix[t][p] = confusion[t * classes + p];
            }
            correct += matrix[t][t];
        }
        List<EvaluationMetrics.ClassMetrics> perClass = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            long support = 0;
            long predicted = 0;
            for (int k = 0; k < classes; k++) {
                support += matrix[c][k];
                predicted += matrix[k][c];
            }
            Double precision = predicted == 0 ? null : matrix[c][c] / (double) predicted;
            Double recall = support == 0 ? null : matrix[c][c] / (double) support;
            Double f1 =
                    precision == null || recall == null
                            ? null
                            : precision + recall == 0
                                    ? 0.0
                                    : 2 * precision * recall / (precision + recall);
            perClass.add(new EvaluationMetrics.ClassMetrics(c, precision, recall, f1, support));
        }
        double ece = 0;
        List<EvaluationMetrics.ReliabilityBin> curve = new ArrayList<>();
        for (int b = 0; b < CALIBRATION_BINS; b++) {
            if (binCount[b] == 0) {
                curve.add(
                        new EvaluationMetrics.ReliabilityBin(
                                b / (double) CALIBRATION_BINS,
                                (b + 1) / (double) CALIBRATION_BINS,
                                0,
                                null,
                                null));
                continue;
            }
            double conf = binConfidence[b] / binCount[b];
            double acc = binCorrect[b] / (double) binCount[b];
            ece += binCount[b] / n * Math.abs(acc - conf);
            curve.add(
                    new EvaluationMetrics.ReliabilityBin(
                            b / (double) CALIBRATION_BINS,
                            (b + 1) / (double) CALIBRATION_BINS,
                            binCount[b],
                            conf,
                            acc));
        }
        Ranking ranking = task == Task.BINARY ? ranking() : null;
        return new EvaluationMetrics(
                task,
                events,
                loss,
                correct / n,
                logLossSum / n,
                perClass,
                matrix,
                ece,
                curve,
                ranking == null ? null : ranking.rocAuc,
                ranking == null ? null : ranking.averagePrecision,
                ranking == null ? List.of() : ranking.roc,
                null,
                null,
                null);
    }

    private record Ranking(Double rocAuc, Double averagePrecision, List<double[]> roc) {}

    /**
     * One walk down the distinct thresholds, highest first; each threshold takes every example
     * scored at it at once (a tie is one step, diagonal in ROC space).
     */
    private Ranking ranking() {
        double[] pos = positives.sorted();
        double[] neg = negatives.sorted();
        long np = pos.length;
        long nn = neg.length;
        int i = pos.length - 1;
        int j = neg.length - 1;
        long tp = 0;
        long fp = 0;
        double area = 0; // in units of (positives × negatives)
        double ap = 0;
        List<double[]> roc = new ArrayList<>();
        roc.add(new double[] {0, 0});
        while (i >= 0 || j >= 0) {
            double t = i < 0 ? neg[j] : j < 0 ? pos[i] : Math.max(pos[i], neg[j]);
            long dtp = 0;
            long dfp = 0;
            while (i >= 0 && pos[i] == t) {
                dtp++;
                i--;
            }
            while (j >= 0 && neg[j] == t) {
                dfp++;
                j--;
            }
            // Trapezoid: the new negatives times the positives above plus half the tied ones.
            area += dfp * (tp + dtp / 2.0);
            tp += dtp;
            fp += dfp;
            if (dtp > 0 && np > 0) {
                ap += (dtp / (double) np) * (tp / (double) (tp + fp));
            }
            roc.add(new double[] {nn == 0 ? 0 : fp / (double) nn, np == 0 ? 0 : tp / (double) np});
        }
        Double auc = np == 0 || nn == 0 ? null : area / ((double) np * nn);
        return new Ranking(auc, np == 0 ? null : ap, roc);
    }

    /** A compact binary form of the shard, for crossing operators. */
    public byte[] toBytes() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(FORMAT);
            out.writeUTF(task.wireName());
            out.writeInt(classes);
            out.writeDouble(penalty);
            out.writeLong(events);
            out.writeDouble(lossSum);
            out.writeDouble(logLossSum);
            for (long c : confusion) {
                out.writeLong(c);
            }
            for (int b = 0; b < binCount.length; b++) {
                out.writeLong(binCount[b]);
                out.writeDouble(binConfidence[b]);
                out.writeLong(binCorrect[b]);
            }
            positives.write(out);
            negatives.write(out);
            out.writeDouble(labelMean);
            out.writeDouble(labelM2);
            out.writeDouble(squaredErrorSum);
            out.writeDouble(absoluteErrorSum);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** The shard {@link #toBytes} wrote. */
    public static EvaluationAccumulator fromBytes(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            int format = in.readInt();
            if (format != FORMAT) {
                throw new IllegalArgumentException("unknown accumulator format " + format);
            }
            Task task = Task.fromWireName(in.readUTF());
            int classes = in.readInt();
            EvaluationAccumulator r = new EvaluationAccumulator(task, classes, in.readDouble());
            r.events = in.readLong();
            r.lossSum = in.readDouble();
            r.logLossSum = in.readDouble();
            for (int i = 0; i < r.confusion.length; i++) {
                r.confusion[i] = in.readLong();
            }
            for (int b = 0; b < r.binCount.length; b++) {
                r.binCount[b] = in.readLong();
                r.binConfidence[b] = in.readDouble();
                r.binCorrect[b] = in.readLong();
            }
            r.positives = Scores.read(in);
            r.negatives = Scores.read(in);
            r.labelMean = in.readDouble();
            r.labelM2 = in.readDouble();
            r.squaredErrorSum = in.readDouble();
            r.absoluteErrorSum = in.readDouble();
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A growable array of doubles. */
    private static final class Scores {
        private double[] values;
        private int size;

        Scores(int capacity) {
            values = new double[Math.max(capacity, 16)];
        }

        void add(double v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, values.length * 2);
            }
            values[size++] = v;
        }

        void addAll(Scores other) {
            if (size + other.size > values.length) {
                values = Arrays.copyOf(values, Math.max(values.length * 2, size + other.size));
            }
            System.arraycopy(other.values, 0, values, size, other.size);
            size += other.size;
        }

        double[] sorted() {
            double[] s = Arrays.copyOf(values, size);
            Arrays.sort(s);
            return s;
        }

        void write(DataOutputStream out) throws IOException {
            out.writeInt(size);
            for (int i = 0; i < size; i++) {
                out.writeDouble(values[i]);
            }
        }

        static Scores read(DataInputStream in) throws IOException {
            int n = in.readInt();
            Scores s = new Scores(n);
            for (int i = 0; i < n; i++) {
                s.values[i] = in.readDouble();
            }
            s.size = n;
            return s;
        }
    }
}
