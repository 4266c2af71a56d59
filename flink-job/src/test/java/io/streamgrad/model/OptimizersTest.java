package io.streamgrad.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamgrad.schema.Task;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * Each optimizer's first two steps against values worked out by hand, on the smallest problem there
 * is: one feature, w·x + b, squared error on one example (x = 1, y = 2), so both parameters see the
 * same gradient g = 2(w + b − 2).
 */
class OptimizersTest {
    private static final ModelSpec LINE = ModelSpec.parse("linear", 1, 0, Activation.RELU);
    private static final float[] X = {1};
    private static final double[] Y = {2};

    private static DenseNetwork line(OptimizerSpec o, float w, float b) {
        return DenseNetwork.restore(LINE, o, new float[] {w, b}, null, DataType.DOUBLE);
    }

    private static OptimizerSpec spec(String name, double lr) {
        return new OptimizerSpec(name, lr, 0.9, 0.01, 0, LrSchedule.CONSTANT);
    }

    @Test
    void momentumAccumulatesVelocity() {
        DenseNetwork net = line(spec("momentum", 0.1), 0, 0);
        net.step(X, Y, 1, 0); // g = -4, v = -4, p = 0 + 0.1·4
        assertEquals(0.4, net.parameters()[0], 1e-6);
        net.step(X, Y, 1, 1); // g = 2(0.8 - 2) = -2.4, v = 0.9·(-4) - 2.4 = -6, p = 0.4 + 0.6
        assertEquals(1.0, net.parameters()[0], 1e-6);
        assertEquals(1.0, net.parameters()[1], 1e-6);
    }

    @Test
    void nesterovLooksAhead() {
        // ND4J's form: v' = μv − lr·g, update = μv − (1 + μ)v', p ← p − update.
        DenseNetwork net = line(spec("nesterov", 0.1), 0, 0);
        net.step(X, Y, 1, 0); // v' = 0.4, update = -1.9·0.4 = -0.76
        assertEquals(0.76, net.parameters()[0], 1e-6);
        net.step(X, Y, 1, 1); // g = 2(1.52 - 2) = -0.96, v' = 0.36 + 0.096 = 0.456
        assertEquals(0.76 - (0.9 * 0.4 - 1.9 * 0.456), net.parameters()[0], 1e-6);
    }

    @Test
    void adagradDividesByTheRootOfSummedSquares() {
        DenseNetwork net = line(spec("adagrad", 0.1), 0, 0);
        net.step(X, Y, 1, 0); // h = 16, update = 0.1·(-4)/4
        assertEquals(0.1, net.parameters()[0], 1e-6);
        net.step(X, Y, 1, 1); // g = -3.6, h = 28.96
        assertEquals(0.1 + 0.1 * 3.6 / (Math.sqrt(28.96) + 1e-6), net.parameters()[0], 1e-6);
    }

    @Test
    void rmspropDividesByTheRootOfADecayingAverage() {
        double lr = 0.01;
        double decay = 0.95;
        DenseNetwork net = line(spec("rmsprop", lr), 0, 0);
        double p = 0;
        double s = 0;
        for (int i = 0; i < 2; i++) {
            double g = 2 * (2 * p - 2);
            s = decay * s + (1 - decay) * g * g;
            p -= lr * g / (Math.sqrt(s) + 1e-8);
            net.step(X, Y, 1, i);
            assertEquals(p, net.parameters()[0], 1e-6, "step " + (i + 1));
        }
    }

    @Test
    void adamwDecaysTheWeightsNotTheBiasAfterTheAdamStep() {
        double lr = 0.1;
        DenseNetwork adamw = line(spec("adamw", lr), 1, 0);
        DenseNetwork adam = line(spec("adam", lr), 1, 0);
        adamw.step(X, Y, 1, 0);
        adam.step(X, Y, 1, 0);
        // Adam's first step is lr·sign(g) (g = -2): w = 1.1, b = 0.1; AdamW also takes
        // lr·λ·w = 0.1·0.01·1 from the weight.
        assertEquals(1.1, adam.parameters()[0], 1e-6);
        assertEquals(1.1 - 0.001, adamw.parameters()[0], 1e-6);
        assertEquals(0.1, adamw.parameters()[1], 1e-6);
    }

    @Test
    void clippingRescalesALongGradientToTheNorm() {
        OptimizerSpec clipped = new OptimizerSpec("sgd", 0.1, 0.9, 0.01, 1.0, LrSchedule.CONSTANT);
        DenseNetwork net = line(clipped, 0, 0);
        net.step(X, Y, 1, 0); // g = (-4, -4), |g| = 4√2 → (-1/√2, -1/√2)
        assertEquals(0.1 / Math.sqrt(2), net.parameters()[0], 1e-6);
        assertEquals(0.1 / Math.sqrt(2), net.parameters()[1], 1e-6);
        DenseNetwork near = line(clipped, 1.7f, 0);
        near.step(X, Y, 1, 0); // g = (-0.6, -0.6), |g| < 1: untouched
        assertEquals(1.76, near.parameters()[0], 1e-6);
    }

    @Test
    void schedulesFollowTheirFormulas() {
        double lr = 0.2;
        ISchedule step = LrSchedule.parse("step:10:0.5", 0).toNd4j(lr);
        assertEquals(lr, step.valueAt(9, 0), 1e-12);
        assertEquals(lr / 2, step.valueAt(10, 0), 1e-12);
        assertEquals(lr / 4, step.valueAt(25, 0), 1e-12);
        ISchedule exp = LrSchedule.parse("exponential:0.99", 0).toNd4j(lr);
        assertEquals(lr * Math.pow(0.99, 100), exp.valueAt(100, 0), 1e-12);
        ISchedule inv = LrSchedule.parse("inverse-time:0.1", 0).toNd4j(lr);
        assertEquals(lr / 2, inv.valueAt(10, 0), 1e-12);
        ISchedule inv2 = LrSchedule.parse("inverse-time:0.1:2", 0).toNd4j(lr);
        assertEquals(lr / 4, inv2.valueAt(10, 0), 1e-12);
        ISchedule warm = LrSchedule.parse("constant", 4).toNd4j(lr);
        assertEquals(lr / 4, warm.valueAt(0, 0), 1e-12);
        assertEquals(lr / 2, warm.valueAt(1, 0), 1e-12);
        assertEquals(lr, warm.valueAt(3, 0), 1e-12);
        assertEquals(lr, warm.valueAt(50, 0), 1e-12);
    }

    @Test
    void theScheduleReachesTheUpdate() {
        OptimizerSpec halved =
                new OptimizerSpec("sgd", 0.1, 0.9, 0.01, 0, LrSchedule.parse("step:1:0.5", 0));
        DenseNetwork net = line(halved, 0, 0);
        net.step(X, Y, 1, 0); // lr 0.1, g = -4
        net.step(X, Y, 1, 1); // lr 0.05, g = 2(0.8 - 2) = -2.4
        assertEquals(0.4 + 0.05 * 2.4, net.parameters()[0], 1e-6);
    }

    /** Least squares by gradient descent reaches the normal-equations solution. */
    @Test
    void leastSquaresReachesTheClosedFormSolution() {
        int n = 200;
        int d = 3;
        SplittableRandom rng = new SplittableRandom(4);
        float[] x = new float[n * d];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            double t = 0.7;
            for (int j = 0; j < d; j++) {
                x[i * d + j] = (float) (rng.nextDouble() * 2 - 1);
                t += x[i * d + j] * (j + 1) * (j % 2 == 0 ? 1 : -1);
            }
            y[i] = t + rng.nextGaussian() * 0.3;
        }
        double[] exact = normalEquations(x, y, n, d);
        ModelSpec spec = ModelSpec.parse("linear", d, 0, Activation.RELU);
        for (String optimizer : List.of("sgd", "momentum", "adam")) {
            DenseNetwork net =
                    DenseNetwork.create(
                            spec,
                            spec(optimizer, optimizer.equals("sgd") ? 0.3 : 0.03),
                            1,
                            DataType.DOUBLE);
            for (int i = 0; i < 3000; i++) {
                net.step(x, y, n, i);
            }
            float[] p = net.parameters();
            for (int j = 0; j <= d; j++) {
                assertEquals(exact[j], p[j], 1e-4, optimizer + " parameter " + j);
            }
        }
    }

    /** [w1..wd, b] minimising Σ(x·w + b − y)², by Gaussian elimination on XᵀX. */
    private static double[] normalEquations(float[] x, double[] y, int n, int d) {
        int m = d + 1;
        double[][] a = new double[m][m + 1];
        for (int i = 0; i < n; i++) {
            double[] row = new double[m];
            for (int j = 0; j < d; j++) {
                row[j] = x[i * d + j];
            }
            row[d] = 1;
            for (int r = 0; r < m; r++) {
                for (int c = 0; c < m; c++) {
                    a[r][c] += row[r] * row[c];
                }
                a[r][m] += row[r] * y[i];
            }
        }
        for (int col = 0; col < m; col++) {
            for (int r = col + 1; r < m; r++) {
                double f = a[r][col] / a[col][col];
                for (int c = col; c <= m; c++) {
                    a[r][c] -= f * a[col][c];
                }
            }
        }
        double[] sol = new double[m];
        for (int r = m - 1; r >= 0; r--) {
            double v = a[r][m];
            for (int c = r + 1; c < m; c++) {
                v -= a[r][c] * sol[c];
            }
            sol[r] = v / a[r][r];
        }
        return sol;
    }

    /**
     * A line through data with 10 % outliers 20 above it: squared error moves the intercept by
     * about the outliers' mean pull (0.1 × 20 = 2); Huber caps each outlier's pull at δ = 1, so its
     * intercept moves by about 0.1 × 1 / 0.9 ≈ 0.11.
     */
    @Test
    void huberResistsOutliersThatPullSquaredError() {
        int n = 400;
        SplittableRandom rng = new SplittableRandom(8);
        float[] x = new float[n];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (rng.nextDouble() * 2 - 1);
            y[i] = 2 * x[i] + 1 + rng.nextGaussian() * 0.05 + (i % 10 == 0 ? 20 : 0);
        }
        double[] intercept = new double[2];
        Loss[] losses = {Loss.MSE, Loss.HUBER};
        for (int k = 0; k < 2; k++) {
            ModelSpec spec =
                    ModelSpec.parse("linear", Task.REGRESSION, 1, 0, Activation.RELU, losses[k], 0);
            DenseNetwork net = DenseNetwork.create(spec, spec("adam", 0.05), 2, DataType.DOUBLE);
            for (int i = 0; i < 3000; i++) {
                net.step(x, y, n, i);
            }
            intercept[k] = net.parameters()[1];
        }
        assertEquals(3.0, intercept[0], 0.3, "squared error: 1 + 2");
        assertEquals(1.11, intercept[1], 0.1, "huber: 1 + 0.11");
    }
}
