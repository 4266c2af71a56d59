package io.streamgrad.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamgrad.batch.Batch;
import io.streamgrad.batch.MiniBatcher;
import io.streamgrad.batch.TrainingExample;
import io.streamgrad.model.DenseNetwork;
import io.streamgrad.model.OptimizerSpec;
import io.streamgrad.window.WindowSpec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The promises of mini-batch gradient descent, each computed by the product's own code: the batcher
 * that cuts, the network that differentiates, the trainer that updates.
 */
class MiniBatchTheoryTest {

    private static DenseNetwork network() {
        return DenseNetwork.create(
                TestData.logistic(), new OptimizerSpec("sgd", 0.1), 11, DataType.FLOAT);
    }

    private static double[] gradient(DenseNetwork net, Batch b) {
        return net.gradientOf(b.x(), b.labels(), b.size());
    }

    @Test
    void averagedOverAShuffledEpochMiniBatchGradientsEqualTheFullBatchGradient() {
        List<TrainingExample> data = TestData.binary(1_024, 21);
        DenseNetwork net = network();
        double[] full = gradient(net, MiniBatcher.whole("m", 0, data));
        double scale = 0;
        for (double g : full) {
            scale = Math.max(scale, Math.abs(g));
        }
        for (int b : new int[] {16, 64, 256}) {
            MiniBatcher.Cut cut = MiniBatcher.cut("m", 1, 0, data, b, 5);
            assertEquals(0, cut.carried().size(), b + " divides 1024");
            double[] mean = new double[full.length];
            for (Batch batch : cut.batches()) {
                double[] g = gradient(net, batch);
                for (int i = 0; i < g.length; i++) {
                    mean[i] += g[i] / cut.batches().size();
                }
            }
            for (int i = 0; i < full.length; i++) {
                // float32 sums of 1024 terms: relative error ~1e-6; 1e-5 of the largest component.
                assertEquals(full[i], mean[i], 1e-5 * scale, "b=" + b + " component " + i);
            }
        }
    }

    /**
     * For b examples drawn without replacement from N, E‖g_b − g‖² = (σ²/b)·(N−b)/(N−1), where σ²
     * is the mean squared deviation of the per-example gradients from their mean g. The test
     * computes σ² exactly from all N per-example gradients, measures E‖g_b − g‖² over R random
     * batches per b, and accepts each measurement within 4 standard errors (its own, estimated from
     * the same R draws) of the prediction; the fitted log-log slope must be −1 ± 0.1.
     */
    @Test
    void varianceOfTheMiniBatchGradientFallsAsOneOverB() {
        int n = 4_096;
        int draws = 300;
        List<TrainingExample> data = TestData.binary(n, 22);
        DenseNetwork net = network();
        double[] g = gradient(net, MiniBatcher.whole("m", 0, data));
        double sigma2 = 0;
        for (TrainingExample e : data) {
            sigma2 += squaredDistance(gradient(net, Batch.of("m", 0, List.of(e))), g) / n;
        }
        int[] sizes = {16, 32, 64, 128, 256};
        double[] logB = new double[sizes.length];
        double[] logV = new double[sizes.length];
        for (int k = 0; k < sizes.length; k++) {
            int b = sizes[k];
            double sum = 0;
            double sumSq = 0;
            for (int r = 0; r < draws; r++) {
                // The first batch of a shuffled window is a uniform sample without replacement.
                Batch batch = MiniBatcher.cut("m", 1, r, data, b, 1_000 + b).batches().get(0);
                double d = squaredDistance(gradient(net, batch), g);
                sum += d;
                sumSq += d * d;
            }
            double measured = sum / draws;
            double standardError = Math.sqrt((sumSq / draws - measured * measured) / draws);
            double predicted = sigma2 / b * (n - b) / (n - 1.0);
            assertEquals(
                    predicted,
                    measured,
                    4 * standardError,
                    "b=" + b + ": measured " + measured + " predicted " + predicted);
            logB[k] = Math.log(b);
            logV[k] = Math.log(measured * (n - 1.0) / (n - b));
        }
        double slope = slope(logB, logV);
        assertEquals(-1.0, slope, 0.1, "variance ∝ b^" + slope);
    }

    @Test
    void labelOrderedDataSwingsUnshuffledAndConvergesShuffled() {
        // First half class 0, second half class 1, and event times in that order: the canonical
        // order is the label order, so batches cut without shuffling are single-class.
        List<TrainingExample> raw = TestData.binary(2_048, 23);
        List<TrainingExample> ordered = new ArrayList<>(raw);
        ordered.sort(Comparator.comparingDouble(TrainingExample::label));
        List<TrainingExample> data = new ArrayList<>();
        for (int i = 0; i < ordered.size(); i++) {
            TrainingExample e = ordered.get(i);
            data.add(new TrainingExample("m", "e" + i, 1_000L + i, e.features(), e.label(), 0, i));
        }
        int b = 64;
        int epochs = 3;
        TrainingConfig config =
                TestData.config(
                        TestData.batching(b, new WindowSpec.Count(data.size() / b), epochs),
                        "sgd",
                        // A long step (still below 2/L ≈ 6 for these features) makes the damage
                        // of single-class batches visible within three epochs.
                        4.0);

        // Unshuffled: the same trainer, fed consecutive batches of the ordered data.
        ModelTrainer plain = ModelTrainer.create("m", config);
        List<Double> plainLoss = new ArrayList<>();
        List<Double> plainEpochLoss = new ArrayList<>();
        for (int e = 1; e <= epochs; e++) {
            plain.startEpoch(e);
            for (int i = 0; i < data.size(); i += b) {
                plainLoss.add(plain.train(Batch.of("m", 0, data.subList(i, i + b))).loss());
            }
            plainEpochLoss.add(plain.fullPass(data).loss());
        }

        // Shuffled: the product's path, one window per epoch.
        TestData.Recorder shuffled = new TestData.Recorder();
        OfflineReplay.replay("m", config, data, shuffled);
        List<Double> shuffledLoss = shuffled.steps.stream().map(ModelTrainer.Step::loss).toList();
        List<Double> shuffledEpochLoss = shuffled.epochs.stream().map(EpochEnd::loss).toList();

        double plainSwing = stdDev(plainLoss.subList(plainLoss.size() / 3, plainLoss.size()));
        double shuffledSwing =
                stdDev(shuffledLoss.subList(shuffledLoss.size() / 3, shuffledLoss.size()));
        assertTrue(
                plainSwing > 3 * shuffledSwing,
                "unshuffled loss swings: s.d. " + plainSwing + " vs " + shuffledSwing);
        for (int e = 0; e < epochs; e++) {
            assertTrue(
                    shuffledEpochLoss.get(e) < 0.75 * plainEpochLoss.get(e),
                    "epoch "
                            + (e + 1)
                            + ": shuffled "
                            + shuffledEpochLoss.get(e)
                            + " vs unshuffled "
                            + plainEpochLoss.get(e));
        }
        // Noise 0.5 on logits of s.d. 3: the Bayes log-loss is about 0.13; shuffled SGD gets close.
        assertTrue(
                shuffledEpochLoss.get(epochs - 1) < 0.3,
                "shuffled converges: " + shuffledEpochLoss);
    }

    @Test
    void miniBatchLossIsNotMonotoneButItsSmoothedLineFalls() {
        List<TrainingExample> data = TestData.binary(4_096, 24);
        TestData.Recorder r = new TestData.Recorder();
        OfflineReplay.replay(
                "m",
                TestData.config(TestData.batching(16, new WindowSpec.Count(16), 1), "sgd", 0.1),
                data,
                r);
        int rises = 0;
        for (int i = 1; i < r.steps.size(); i++) {
            rises += r.steps.get(i).loss() > r.steps.get(i - 1).loss() ? 1 : 0;
        }
        assertTrue(
                rises > r.steps.size() / 5,
                "per-batch loss rises often: " + rises + " of " + r.steps.size());
        double early = r.steps.get(9).smoothedLoss();
        double late = r.steps.get(r.steps.size() - 1).smoothedLoss();
        assertTrue(late < 0.6 * early, "smoothed loss falls: " + early + " -> " + late);
        for (int i = 50; i < r.steps.size(); i += 50) {
            assertTrue(
                    r.steps.get(i).smoothedLoss() < r.steps.get(i - 50).smoothedLoss() + 0.05,
                    "smoothed line does not climb at " + i);
        }
    }

    private static double squaredDistance(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (a[i] - b[i]) * (a[i] - b[i]);
        }
        return s;
    }

    private static double slope(double[] x, double[] y) {
        double mx = 0;
        double my = 0;
        for (int i = 0; i < x.length; i++) {
            mx += x[i] / x.length;
            my += y[i] / y.length;
        }
        double sxy = 0;
        double sxx = 0;
        for (int i = 0; i < x.length; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
        }
        return sxy / sxx;
    }

    private static double stdDev(List<Double> v) {
        double m = v.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        double s = v.stream().mapToDouble(d -> (d - m) * (d - m)).sum();
        return Math.sqrt(s / (v.size() - 1));
    }
}
