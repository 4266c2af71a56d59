package io.streamgrad.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamgrad.schema.Task;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;

class DenseNetworkTest {
    private static final OptimizerSpec SGD = new OptimizerSpec("sgd", 0.1);

    /**
     * Every hidden activation with every loss (one hidden layer of 6, with and without an L2
     * penalty), every loss without a hidden layer, and a two-hidden-layer network; each on both
     * compute paths.
     */
    static Stream<Arguments> everyLossAndActivation() {
        return specs().flatMap(
                        spec ->
                                Stream.of(ComputePath.values())
                                        .map(path -> Arguments.of(spec, path)));
    }

    static Stream<ModelSpec> specs() {
        List<ModelSpec> cases = new java.util.ArrayList<>();
        for (Loss loss : Loss.values()) {
            Task task = loss.task();
            int outputs = task == Task.MULTICLASS ? 3 : 1;
            cases.add(
                    new ModelSpec(
                            "linear", task, 5, List.of(), Activation.RELU, outputs, loss, 0.0));
            for (Activation a : Activation.values()) {
                for (double l2 : new double[] {0, 0.3}) {
                    cases.add(new ModelSpec("mlp", task, 5, List.of(6), a, outputs, loss, l2));
                }
            }
        }
        cases.add(ModelSpec.parse("mlp:7,6", 5, 3, Activation.TANH));
        return cases.stream();
    }

    /** Central finite differences in double precision against the analytic gradient. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyLossAndActivation")
    void analyticGradientMatchesFiniteDifferences(ModelSpec spec, ComputePath path) {
        int n = 8;
        SplittableRandom rng = new SplittableRandom(11);
        float[] x = new float[n * spec.inputSize()];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (rng.nextDouble() * 4 - 2);
        }
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            y[i] =
                    spec.task() == Task.REGRESSION
                            ? rng.nextDouble() * 6 - 3
                            : rng.nextInt(spec.classes());
        }
        DenseNetwork net = DenseNetwork.create(spec, SGD, 3, DataType.DOUBLE, path);
        // The public gradient, the one the gradient-noise estimator (advise) reads.
        double[] analytic = net.gradientOf(x, y, n);
        double eps = 1e-6;
        double worst = 0;
        for (int p = 0; p < analytic.length; p++) {
            double original = net.getParameter(p);
            net.setParameter(p, original + eps);
            double plus = net.evaluate(x, y, n).loss();
            net.setParameter(p, original - eps);
            double minus = net.evaluate(x, y, n).loss();
            net.setParameter(p, original);
            double numeric = (plus - minus) / (2 * eps);
            double relative =
                    Math.abs(numeric - analytic[p])
                            / Math.max(1e-8, Math.abs(numeric) + Math.abs(analytic[p]));
            if (Math.abs(numeric - analytic[p]) > 1e-7) {
                worst = Math.max(worst, relative);
            }
        }
        assertTrue(worst < 1e-5, spec + ": worst relative gradient error " + worst);
    }

    @Test
    void lossesHaveTheirClosedFormValues() {
        // Zero weights: logits are 0, so BCE = ln 2, softmax CE over K classes = ln K,
        // MSE = mean(y²).
        ModelSpec logistic = ModelSpec.parse("logistic", 3, 2, Activation.RELU);
        ModelSpec softmax = ModelSpec.parse("softmax", 3, 5, Activation.RELU);
        ModelSpec linear = ModelSpec.parse("linear", 3, 0, Activation.RELU);
        float[] x = {1, 2, 3, -1, 0, 4};
        DenseNetwork l = DenseNetwork.restore(logistic, SGD, new float[4], null, DataType.DOUBLE);
        assertEquals(Math.log(2), l.evaluate(x, new double[] {0, 1}, 2).loss(), 1e-12);
        DenseNetwork s = DenseNetwork.restore(softmax, SGD, new float[20], null, DataType.DOUBLE);
        assertEquals(Math.log(5), s.evaluate(x, new double[] {4, 2}, 2).loss(), 1e-12);
        DenseNetwork r = DenseNetwork.restore(linear, SGD, new float[4], null, DataType.DOUBLE);
        DenseNetwork.Evaluation mse = r.evaluate(x, new double[] {3, -1}, 2);
        assertEquals((9 + 1) / 2.0, mse.loss(), 1e-12);
        assertNull(mse.accuracy());
    }

    @Test
    void binaryCrossEntropyIsFiniteForHugeLogits() {
        ModelSpec logistic = ModelSpec.parse("logistic", 1, 2, Activation.RELU);
        DenseNetwork net =
                DenseNetwork.restore(logistic, SGD, new float[] {1000f, 0f}, null, DataType.FLOAT);
        // z = 1000 with label 0: loss = 1000 exactly; a naive log(1 - sigmoid) gives infinity.
        assertEquals(1000.0, net.evaluate(new float[] {1}, new double[] {0}, 1).loss(), 1e-3);
        assertEquals(0.0, net.evaluate(new float[] {1}, new double[] {1}, 1).loss(), 1e-6);
    }

    /** Both paths; the ND4J path both ways: the loss in Java (float32), ND4J's ops (double). */
    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> pathsAndTypes() {
        return java.util.stream.Stream.of(
                org.junit.jupiter.params.provider.Arguments.of(ComputePath.JAVA, DataType.FLOAT),
                org.junit.jupiter.params.provider.Arguments.of(ComputePath.ND4J, DataType.FLOAT),
                org.junit.jupiter.params.provider.Arguments.of(ComputePath.ND4J, DataType.DOUBLE));
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("pathsAndTypes")
    void softmaxCrossEntropyIsFiniteForHugeLogits(ComputePath path, DataType dtype) {
        ModelSpec softmax = ModelSpec.parse("softmax", 1, 3, Activation.RELU);
        // Logits 1000, 0 and -1000 for x = 1. log softmax is z − max − log Σ exp(z − max): the
        // log of the softmax itself would give −∞ for the last class in float32.
        DenseNetwork net =
                DenseNetwork.restore(
                        softmax,
                        SGD,
                        new float[] {1000f, 0f, -1000f, 0f, 0f, 0f},
                        null,
                        dtype,
                        path);
        assertEquals(0.0, net.evaluate(new float[] {1}, new double[] {0}, 1).loss(), 1e-6);
        assertEquals(2000.0, net.evaluate(new float[] {1}, new double[] {2}, 1).loss(), 1e-2);
        DenseNetwork.Evaluation e = net.evaluate(new float[] {1, 1}, new double[] {1, 2}, 2);
        assertEquals(1500.0, e.loss(), 1e-2);
        assertEquals(0.0, e.accuracy());
    }

    @Test
    void sgdStepIsParametersMinusLearningRateTimesGradient() {
        ModelSpec spec = ModelSpec.parse("softmax", 4, 3, Activation.RELU);
        DenseNetwork net =
                DenseNetwork.create(spec, new OptimizerSpec("sgd", 0.5), 9, DataType.DOUBLE);
        float[] x = {1, 0, -1, 2, 0.5f, 0.5f, 1, -2};
        double[] y = {2, 0};
        float[] before = net.parameters();
        net.computeGradient(x, y, 2);
        double[] g = net.gradient();
        net.step(x, y, 2, 0);
        float[] after = net.parameters();
        for (int i = 0; i < before.length; i++) {
            assertEquals(before[i] - 0.5 * g[i], after[i], 1e-6);
        }
    }

    @Test
    void adamFirstTwoStepsMatchHandComputedValues() {
        ModelSpec spec = ModelSpec.parse("linear", 1, 0, Activation.RELU);
        double lr = 0.1;
        DenseNetwork net =
                DenseNetwork.restore(
                        spec,
                        new OptimizerSpec("adam", lr),
                        new float[] {0f, 0f},
                        null,
                        DataType.DOUBLE);
        // One example x=1, y=2: loss (w + b - 2)², gradient -4 for both w and b at 0.
        // Adam step 1: m = 0.1·g, v = 0.001·g², m̂ = g, v̂ = g², update = lr·g/(|g| + ε) ≈ -lr.
        net.step(new float[] {1}, new double[] {2}, 1, 0);
        float[] p1 = net.parameters();
        assertEquals(lr, p1[0], 1e-6);
        assertEquals(lr, p1[1], 1e-6);
        // Step 2: g = 2(0.2 - 2) = -3.6; m = 0.9·(-0.4) + 0.1·(-3.6) = -0.72,
        // v = 0.999·0.016 + 0.001·12.96 = 0.028944; m̂ = -0.72/0.19, v̂ = 0.028944/0.001999.
        net.step(new float[] {1}, new double[] {2}, 1, 1);
        double mHat = -0.72 / (1 - 0.81);
        double vHat = 0.028944 / (1 - 0.998001);
        double expected = lr - lr * mHat / (Math.sqrt(vHat) + 1e-8);
        assertEquals(expected, net.parameters()[0], 1e-6);
        assertEquals(net.parameters().length * 2, net.optimizerState().length);
    }

    @Test
    void linearRegressionReachesTheLeastSquaresSolution() {
        // y = 2·x1 - 3·x2 + 0.5 exactly: the least-squares solution is those coefficients.
        int n = 64;
        SplittableRandom rng = new SplittableRandom(5);
        float[] x = new float[n * 2];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            x[2 * i] = (float) rng.nextDouble(-1, 1);
            x[2 * i + 1] = (float) rng.nextDouble(-1, 1);
            y[i] = 2 * x[2 * i] - 3 * x[2 * i + 1] + 0.5;
        }
        ModelSpec spec = ModelSpec.parse("linear", 2, 0, Activation.RELU);
        DenseNetwork net =
                DenseNetwork.create(spec, new OptimizerSpec("sgd", 0.3), 1, DataType.DOUBLE);
        for (int it = 0; it < 2000; it++) {
            net.step(x, y, n, it);
        }
        assertArrayEquals(new float[] {2f, -3f, 0.5f}, net.parameters(), 1e-4f);
    }

    @Test
    void restoredNetworkPredictsBitForBitTheSame() {
        ModelSpec spec = ModelSpec.parse("mlp:16", 6, 3, Activation.RELU);
        DenseNetwork net =
                DenseNetwork.create(spec, new OptimizerSpec("adam", 0.01), 2, DataType.FLOAT);
        SplittableRandom rng = new SplittableRandom(3);
        float[] x = new float[32 * 6];
        double[] y = new double[32];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rng.nextDouble(-1, 1);
        }
        for (int i = 0; i < 32; i++) {
            y[i] = rng.nextInt(3);
        }
        for (int it = 0; it < 5; it++) {
            net.step(x, y, 32, it);
        }
        DenseNetwork copy =
                DenseNetwork.restore(
                        spec,
                        net.optimizerSpec(),
                        net.parameters(),
                        net.optimizerState(),
                        DataType.FLOAT);
        assertArrayEquals(net.predict(x, 32), copy.predict(x, 32));
        // Optimizer state came along too: the next step is identical.
        net.step(x, y, 32, 5);
        copy.step(x, y, 32, 5);
        assertArrayEquals(net.parameters(), copy.parameters());
    }

    @Test
    void wrongSizesAreRefused() {
        ModelSpec spec = ModelSpec.parse("softmax", 3, 2, Activation.RELU);
        assertThrows(
                IllegalArgumentException.class,
                () -> DenseNetwork.restore(spec, SGD, new float[5], null, DataType.FLOAT));
        DenseNetwork net = DenseNetwork.create(spec, SGD, 1, DataType.FLOAT);
        assertThrows(
                IllegalArgumentException.class,
                () -> net.evaluate(new float[4], new double[] {0}, 1));
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> ModelSpec.parse("mlp:0", 3, 2, Activation.RELU));
        assertTrue(e.getMessage().contains("at least 1"));
        assertThrows(
                IllegalArgumentException.class,
                () -> ModelSpec.parse("forest", 3, 2, Activation.RELU));
        assertThrows(IllegalArgumentException.class, () -> new OptimizerSpec("lbfgs", 0.1));
    }
}
