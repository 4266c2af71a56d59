package io.streamgrad.evaluate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.streamgrad.schema.Task;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EvaluationAccumulatorTest {
    private static final double EPS = 1e-12;

    private static EvaluationAccumulator binary(double[] p1, int[] labels) {
        EvaluationAccumulator a = new EvaluationAccumulator(Task.BINARY, 2, 0);
        for (int i = 0; i < p1.length; i++) {
            a.addClassified(labels[i], new double[] {1 - p1[i], p1[i]}, 0);
        }
        return a;
    }

    @Test
    void aucsWithTiesMatchHandComputedValues() {
        // Positives 0.8, 0.7, 0.3; negatives 0.7, 0.5.
        // ROC AUC (Mann-Whitney, ties half): 0.8 beats both (2), 0.7 ties one and beats one (1.5),
        // 0.3 beats none: 3.5 / 6.
        // AP: thresholds 0.8 (P 1, ΔR 1/3), 0.7 (P 2/3, ΔR 1/3), 0.5 (no positive), 0.3 (P 3/5,
        // ΔR 1/3): 1/3 + 2/9 + 1/5 = 34/45.
        EvaluationMetrics m =
                binary(new double[] {0.8, 0.7, 0.3, 0.7, 0.5}, new int[] {1, 1, 1, 0, 0}).result();
        assertEquals(3.5 / 6, m.rocAuc(), EPS);
        assertEquals(34.0 / 45, m.prAuc(), EPS);
        // ROC points at the distinct thresholds, the tie at 0.7 one diagonal step.
        double[][] expected = {{0, 0}, {0, 1 / 3.0}, {0.5, 2 / 3.0}, {1, 2 / 3.0}, {1, 1}};
        assertEquals(expected.length, m.roc().size());
        for (int i = 0; i < expected.length; i++) {
            assertArrayEquals(expected[i], m.roc().get(i), EPS);
        }
    }

    @Test
    void perfectAndConstantClassifiers() {
        EvaluationMetrics perfect =
                binary(new double[] {0.9, 0.8, 0.2, 0.1}, new int[] {1, 1, 0, 0}).result();
        assertEquals(1.0, perfect.rocAuc(), EPS);
        assertEquals(1.0, perfect.prAuc(), EPS);
        assertEquals(1.0, perfect.accuracy(), EPS);
        EvaluationMetrics inverted =
                binary(new double[] {0.1, 0.2, 0.8, 0.9}, new int[] {1, 1, 0, 0}).result();
        assertEquals(0.0, inverted.rocAuc(), EPS);
        // One threshold for everything: AUC 1/2, AP the positive rate.
        EvaluationMetrics constant =
                binary(new double[] {0.5, 0.5, 0.5, 0.5, 0.5}, new int[] {1, 0, 0, 1, 0}).result();
        assertEquals(0.5, constant.rocAuc(), EPS);
        assertEquals(0.4, constant.prAuc(), EPS);
        // p₁ = ½ predicts class 0 (ties to the lowest index, as training's logit > 0).
        assertEquals(0.6, constant.accuracy(), EPS);
        // One class only: no ROC AUC; no positives: no AP either.
        EvaluationMetrics negativesOnly =
                binary(new double[] {0.3, 0.6}, new int[] {0, 0}).result();
        assertNull(negativesOnly.rocAuc());
        assertNull(negativesOnly.prAuc());
        assertNull(negativesOnly.perClass().get(1).recall());
    }

    @Test
    void calibrationErrorOverTenBins() {
        // Confidences 0.95 (right), 0.85 (wrong), 0.72 (class 0, right), 0.65 (right), one per
        // bin: ECE = (0.05 + 0.85 + 0.28 + 0.35) / 4.
        EvaluationMetrics m =
                binary(new double[] {0.95, 0.85, 0.28, 0.65}, new int[] {1, 0, 0, 1}).result();
        assertEquals((0.05 + 0.85 + 0.28 + 0.35) / 4, m.ece(), EPS);
        assertEquals(10, m.reliability().size());
        assertEquals(1, m.reliability().get(7).count());
        assertEquals(0.72, m.reliability().get(7).confidence(), EPS);
        assertEquals(0, m.reliability().get(8).accuracy(), EPS);
        assertNull(m.reliability().get(0).confidence());
        assertEquals(0, EvaluationAccumulator.bin(0.0));
        assertEquals(0, EvaluationAccumulator.bin(0.1));
        assertEquals(1, EvaluationAccumulator.bin(0.1000001));
        assertEquals(9, EvaluationAccumulator.bin(1.0));
    }

    @Test
    void multiclassConfusionAndPerClassMetrics() {
        EvaluationAccumulator a = new EvaluationAccumulator(Task.MULTICLASS, 3, 0.25);
        int[][] pairs = {{0, 0}, {0, 0}, {0, 1}, {1, 1}, {1, 2}, {2, 2}, {2, 0}}; // {true, pred}
        for (int[] tp : pairs) {
            double[] p = {0.1, 0.1, 0.1};
            p[tp[1]] = 0.8;
            a.addClassified(tp[0], p, 2.0);
        }
        EvaluationMetrics m = a.result();
        assertArrayEquals(new long[] {2, 1, 0}, m.confusionMatrix()[0]);
        assertArrayEquals(new long[] {0, 1, 1}, m.confusionMatrix()[1]);
        assertArrayEquals(new long[] {1, 0, 1}, m.confusionMatrix()[2]);
        assertEquals(4.0 / 7, m.accuracy(), EPS);
        assertEquals(2.0 + 0.25, m.loss(), EPS); // mean loss plus the penalty
        // class 0: precision 2/3, recall 2/3; class 1: 1/2, 1/2; class 2: 1/2, 1/2.
        assertEquals(2.0 / 3, m.perClass().get(0).precision(), EPS);
        assertEquals(2.0 / 3, m.perClass().get(0).f1(), EPS);
        assertEquals(0.5, m.perClass().get(2).recall(), EPS);
        assertEquals(3, m.perClass().get(0).support());
        // log-loss: 4 examples with p_y 0.8, 3 with 0.1.
        assertEquals((-4 * Math.log(0.8) - 3 * Math.log(0.1)) / 7, m.logLoss(), EPS);
        assertNull(m.rocAuc());
        assertNull(m.mse());
    }

    @Test
    void regressionAgainstTwoPassFormulas() {
        Random r = new Random(3);
        int n = 1000;
        double[] y = new double[n];
        double[] f = new double[n];
        EvaluationAccumulator a = new EvaluationAccumulator(Task.REGRESSION, 0, 0);
        for (int i = 0; i < n; i++) {
            y[i] = 1e6 + r.nextGaussian(); // a large mean: Σy² − nȳ² would lose digits
            f[i] = y[i] + 0.3 * r.nextGaussian();
            a.addRegression(y[i], f[i], (f[i] - y[i]) * (f[i] - y[i]));
        }
        double mean = 0;
        for (double v : y) {
            mean += v / n;
        }
        double ssTot = 0;
        double ssRes = 0;
        double abs = 0;
        for (int i = 0; i < n; i++) {
            ssTot += (y[i] - mean) * (y[i] - mean);
            ssRes += (f[i] - y[i]) * (f[i] - y[i]);
            abs += Math.abs(f[i] - y[i]);
        }
        EvaluationMetrics m = a.result();
        assertEquals(ssRes / n, m.mse(), 1e-9);
        assertEquals(abs / n, m.mae(), 1e-9);
        assertEquals(1 - ssRes / ssTot, m.r2(), 1e-9);
        assertEquals(m.mse(), m.loss(), 1e-12);
        assertNull(m.accuracy());
    }

    @Test
    void shardsMergedInAnyOrderGiveTheSameMetrics() {
        for (Task task : Task.values()) {
            Random r = new Random(11);
            int classes = task == Task.MULTICLASS ? 4 : 2;
            EvaluationAccumulator whole = new EvaluationAccumulator(task, classes, 0.1);
            List<EvaluationAccumulator> shards = new ArrayList<>();
            for (int s = 0; s < 6; s++) {
                shards.add(new EvaluationAccumulator(task, classes, 0.1));
            }
            for (int i = 0; i < 3000; i++) {
                EvaluationAccumulator shard = shards.get(r.nextInt(shards.size()));
                double loss = r.nextDouble();
                if (task == Task.REGRESSION) {
                    double y = 5 + r.nextGaussian();
                    double f = y + r.nextGaussian();
                    shard.addRegression(y, f, loss);
                    whole.addRegression(y, f, loss);
                } else {
                    double[] p = new double[classes];
                    double sum = 0;
                    for (int c = 0; c < classes; c++) {
                        // rounded to give ties
                        p[c] = Math.round(r.nextDouble() * 20) / 20.0 + 0.01;
                        sum += p[c];
                    }
                    for (int c = 0; c < classes; c++) {
                        p[c] /= sum;
                    }
                    int label = r.nextInt(classes);
                    shard.addClassified(label, p, loss);
                    whole.addClassified(label, p, loss);
                }
            }
            EvaluationMetrics expected = whole.result();
            for (int order = 0; order < 5; order++) {
                Collections.shuffle(shards, new Random(order));
                EvaluationAccumulator merged = new EvaluationAccumulator(task, classes, 0.1);
                for (EvaluationAccumulator s : shards) {
                    // through the bytes, as shards cross operators
                    merged.merge(EvaluationAccumulator.fromBytes(s.toBytes()));
                }
                assertSame(expected, merged.result());
            }
        }
    }

    private static void assertSame(EvaluationMetrics e, EvaluationMetrics a) {
        assertEquals(e.events(), a.events());
        assertClose(e.loss(), a.loss());
        assertClose(e.accuracy(), a.accuracy());
        assertClose(e.logLoss(), a.logLoss());
        assertClose(e.ece(), a.ece());
        assertClose(e.rocAuc(), a.rocAuc());
        assertClose(e.prAuc(), a.prAuc());
        assertClose(e.mse(), a.mse());
        assertClose(e.mae(), a.mae());
        assertClose(e.r2(), a.r2());
        if (e.confusionMatrix() != null) {
            for (int i = 0; i < e.confusionMatrix().length; i++) {
                assertArrayEquals(e.confusionMatrix()[i], a.confusionMatrix()[i]);
            }
        }
        for (int c = 0; c < e.perClass().size(); c++) {
            assertClose(e.perClass().get(c).f1(), a.perClass().get(c).f1());
        }
        for (int b = 0; b < e.reliability().size(); b++) {
            assertClose(e.reliability().get(b).confidence(), a.reliability().get(b).confidence());
        }
    }

    private static void assertClose(Double e, Double a) {
        if (e == null) {
            assertNull(a);
        } else {
            assertEquals(e, a, EPS);
        }
    }
}
