package io.streamgrad.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamgrad.schema.Task;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

class FeatureScalerTest {
    /**
     * Rows whose features have wildly different scales: 1e-3, 1, 1e3 and 1e4, offset by 5·scale.
     */
    private static float[] badlyScaled(int n, SplittableRandom rng) {
        double[] scale = {1e-3, 1, 1e3, 1e4};
        float[] x = new float[n * 4];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 4; j++) {
                x[i * 4 + j] = (float) ((rng.nextGaussian() + 5) * scale[j]);
            }
        }
        return x;
    }

    @Test
    void runningStatisticsEqualTwoPassOnesWhateverTheBatches() {
        SplittableRandom rng = new SplittableRandom(1);
        float[] x = badlyScaled(1000, rng);
        FeatureScaler scaler = new FeatureScaler(Standardization.ON, 4);
        int[] batches = {1, 7, 64, 128, 300, 500};
        int at = 0;
        for (int b : batches) {
            float[] part = new float[b * 4];
            System.arraycopy(x, at * 4, part, 0, part.length);
            scaler.observe(part, b);
            at += b;
        }
        assertEquals(1000, scaler.count());
        for (int j = 0; j < 4; j++) {
            double mean = 0;
            for (int i = 0; i < 1000; i++) {
                mean += x[i * 4 + j];
            }
            mean /= 1000;
            double ss = 0;
            for (int i = 0; i < 1000; i++) {
                ss += (x[i * 4 + j] - mean) * (x[i * 4 + j] - mean);
            }
            assertEquals(mean, scaler.mean()[j], 1e-9 * Math.abs(mean));
            assertEquals(ss / 999, scaler.variance()[j], 1e-9 * ss / 999);
        }
        // Applied to the data it saw: mean 0 and variance 1 per feature.
        float[] z = scaler.apply(x, 1000);
        for (int j = 0; j < 4; j++) {
            double m = 0;
            double v = 0;
            for (int i = 0; i < 1000; i++) {
                m += z[i * 4 + j];
                v += z[i * 4 + j] * z[i * 4 + j];
            }
            assertEquals(0, m / 1000, 1e-4);
            assertEquals(999.0 / 1000, v / 1000, 1e-4);
        }
    }

    @Test
    void frozenStatisticsStopAfterTheirExamples() {
        FeatureScaler scaler = new FeatureScaler(Standardization.parse("frozen-after:3"), 1);
        scaler.observe(new float[] {1, 2, 3}, 3);
        scaler.observe(new float[] {100, 200}, 2);
        assertEquals(3, scaler.count());
        assertArrayEquals(new double[] {2}, scaler.mean(), 1e-12);
        assertEquals(1.0, scaler.variance()[0], 1e-12);
        FeatureScaler off = new FeatureScaler(Standardization.OFF, 1);
        float[] x = {5};
        off.observe(x, 1);
        assertEquals(x, off.apply(x, 1), "off: the input itself");
    }

    /**
     * Logistic regression on features of scales 1e-3 to 1e4: plain SGD on the raw features cannot
     * find a step size that suits them all and stays near chance, while the same model with
     * standardization learns the teacher.
     */
    @Test
    void standardizationMakesABadlyScaledProblemConverge() {
        SplittableRandom rng = new SplittableRandom(2);
        int n = 4096;
        float[] x = badlyScaled(n, rng);
        double[] scale = {1e-3, 1, 1e3, 1e4};
        double[] w = {1.5, -1, 2, 1};
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            double z = 0;
            for (int j = 0; j < 4; j++) {
                z += w[j] * (x[i * 4 + j] / scale[j] - 5);
            }
            y[i] = z > 0 ? 1 : 0;
        }
        double[] accuracy = new double[2];
        Standardization[] modes = {Standardization.OFF, Standardization.ON};
        for (int k = 0; k < 2; k++) {
            ModelSpec spec =
                    ModelSpec.parse("logistic", Task.BINARY, 4, 2, Activation.RELU, null, 0)
                            .withStandardization(modes[k]);
            DenseNetwork net =
                    DenseNetwork.create(spec, new OptimizerSpec("sgd", 0.1), 3, DataType.FLOAT);
            int b = 64;
            long it = 0;
            for (int epoch = 0; epoch < 5; epoch++) {
                for (int start = 0; start < n; start += b) {
                    float[] xb = new float[b * 4];
                    double[] yb = new double[b];
                    System.arraycopy(x, start * 4, xb, 0, xb.length);
                    System.arraycopy(y, start, yb, 0, b);
                    net.step(xb, yb, b, it++);
                }
            }
            accuracy[k] = net.evaluate(x, y, n).accuracy();
        }
        assertTrue(accuracy[1] > 0.97, "standardized: " + accuracy[1]);
        assertTrue(accuracy[0] < 0.8, "raw: " + accuracy[0]);
    }
}
