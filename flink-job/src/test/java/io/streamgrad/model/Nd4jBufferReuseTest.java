package io.streamgrad.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamgrad.schema.Task;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * {@link Nd4jDenseCompute} reuses its step arrays across steps and batch sizes: no state may pass
 * from one step to the next through them. A network that keeps its arrays over steps of changing
 * batch sizes (the largest growing mid-run, a batch of one, evaluations larger and smaller than the
 * training batch in between) must match, bit for bit, a network rebuilt from the float32 snapshot
 * before every step, whose arrays are all new.
 */
class Nd4jBufferReuseTest {
    private static final int[] BATCHES = {128, 128, 64, 128, 3, 200, 64, 1, 128, 200, 7};

    static Stream<ModelSpec> models() {
        return Stream.of(
                ModelSpec.parse("softmax", 30, 10, Activation.RELU),
                new ModelSpec(
                        "mlp",
                        Task.MULTICLASS,
                        30,
                        List.of(16),
                        Activation.RELU,
                        10,
                        Loss.SOFTMAX_CROSS_ENTROPY,
                        0.01),
                new ModelSpec(
                        "mlp",
                        Task.BINARY,
                        30,
                        List.of(12, 5),
                        Activation.SIGMOID,
                        1,
                        Loss.BINARY_CROSS_ENTROPY,
                        0.0),
                new ModelSpec(
                        "mlp", Task.REGRESSION, 30, List.of(9), Activation.TANH, 1, Loss.MSE, 0.0),
                new ModelSpec(
                        "mlp",
                        Task.REGRESSION,
                        30,
                        List.of(9),
                        Activation.LEAKY_RELU,
                        1,
                        Loss.HUBER,
                        0.0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void reusedArraysGiveWhatFreshArraysGive(ModelSpec spec) {
        OptimizerSpec adam = new OptimizerSpec("adam", 0.01);
        DenseNetwork reused = DenseNetwork.create(spec, adam, 5, DataType.FLOAT, ComputePath.ND4J);
        float[] parameters = reused.parameters();
        float[] state = reused.optimizerState();
        SplittableRandom rng = new SplittableRandom(12);
        for (int t = 0; t < BATCHES.length; t++) {
            int n = BATCHES[t];
            float[] x = features(rng, n * spec.inputSize());
            double[] y = labels(rng, spec, n);
            DenseNetwork fresh =
                    DenseNetwork.restore(
                            spec, adam, parameters, state, DataType.FLOAT, ComputePath.ND4J);
            DenseNetwork.Evaluation a = reused.step(x, y, n, t);
            DenseNetwork.Evaluation b = fresh.step(x, y, n, t);
            String at = spec.shorthand() + " step " + t + ", batch " + n;
            assertEquals(b.loss(), a.loss(), at);
            assertEquals(b.accuracy(), a.accuracy(), at);
            parameters = fresh.parameters();
            state = fresh.optimizerState();
            assertArrayEquals(parameters, reused.parameters(), at);
            assertArrayEquals(state, reused.optimizerState(), at);
            // Evaluations between steps, larger and smaller than any training batch so far.
            for (int m : new int[] {n + 77, Math.max(1, n / 2)}) {
                float[] ex = features(rng, m * spec.inputSize());
                double[] ey = labels(rng, spec, m);
                DenseNetwork check =
                        DenseNetwork.restore(
                                spec, adam, parameters, state, DataType.FLOAT, ComputePath.ND4J);
                assertEquals(check.evaluate(ex, ey, m), reused.evaluate(ex, ey, m), at);
                assertArrayEquals(check.predict(ex, m), reused.predict(ex, m), at);
            }
        }
    }

    /**
     * The loss, accuracy and gradient computed in Java from the logits copied out of host memory
     * ({@link OutputLoss}, the CPU backend's route) match ND4J's ops for the same (every other
     * backend's route, run here on the CPU), for every loss, over batch sizes that make the
     * workspace's arrays views.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void lossOnTheHostMatchesNd4jOps(ModelSpec spec) {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                ComputePath.cpuBackend(), "the host route exists on the CPU backend only");
        OptimizerSpec sgd = new OptimizerSpec("sgd", 0.05);
        float[] parameters = DenseNetwork.initialParameters(spec, 9);
        Nd4jDenseCompute host =
                new Nd4jDenseCompute(spec, sgd, DataType.FLOAT, parameters, null, true);
        Nd4jDenseCompute device =
                new Nd4jDenseCompute(spec, sgd, DataType.FLOAT, parameters, null, false);
        SplittableRandom rng = new SplittableRandom(4);
        for (int t = 0; t < BATCHES.length; t++) {
            int n = BATCHES[t];
            float[] x = features(rng, n * spec.inputSize());
            double[] y = labels(rng, spec, n);
            DenseNetwork.Evaluation a = host.lossAndGradient(x, y, n, true);
            DenseNetwork.Evaluation b = device.lossAndGradient(x, y, n, true);
            String at = spec.shorthand() + " step " + t + ", batch " + n;
            assertEquals(b.loss(), a.loss(), 1e-5 * Math.max(1, Math.abs(b.loss())), at);
            assertEquals(b.accuracy(), a.accuracy(), at);
            double[] ga = host.gradient();
            double[] gb = device.gradient();
            for (int i = 0; i < ga.length; i++) {
                assertEquals(gb[i], ga[i], 1e-5 * Math.max(1, Math.abs(gb[i])), at + ", " + i);
            }
            // An evaluation larger than any training batch so far: arrays of its own.
            int m = n + 77;
            float[] ex = features(rng, m * spec.inputSize());
            double[] ey = labels(rng, spec, m);
            DenseNetwork.Evaluation ea = host.lossAndGradient(ex, ey, m, false);
            DenseNetwork.Evaluation eb = device.lossAndGradient(ex, ey, m, false);
            assertEquals(eb.loss(), ea.loss(), 1e-5 * Math.max(1, Math.abs(eb.loss())), at);
            assertEquals(eb.accuracy(), ea.accuracy(), at);
            // The same step on both, from the host's parameters, so they cannot drift apart.
            host.update(host.gradientNorm(), t);
            device.load(host.parameters(), new float[0]);
        }
    }

    static float[] features(SplittableRandom rng, int count) {
        float[] x = new float[count];
        for (int i = 0; i < count; i++) {
            x[i] = (float) rng.nextGaussian();
        }
        return x;
    }

    static double[] labels(SplittableRandom rng, ModelSpec spec, int n) {
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            y[i] =
                    switch (spec.task()) {
                        case REGRESSION -> rng.nextGaussian();
                        case BINARY -> rng.nextInt(2);
                        case MULTICLASS -> rng.nextInt(spec.outputSize());
                    };
        }
        return y;
    }

    /**
     * The input copy writes the first rows of a larger array, as the step's views are, by either
     * route: the bulk copy into host memory (float32 on the CPU backend) and ND4J's element-wise
     * {@code setData} (any other backend or type), and leaves the rows after them alone.
     */
    /** Both copy routes (bulk into host memory, ND4J's element-wise one) for both types. */
    static Stream<Arguments> copyRoutes() {
        return Stream.of(
                Arguments.of(DataType.FLOAT, true),
                Arguments.of(DataType.FLOAT, false),
                Arguments.of(DataType.DOUBLE, true),
                Arguments.of(DataType.DOUBLE, false));
    }

    @ParameterizedTest(name = "{0}, host copy {1}")
    @MethodSource("copyRoutes")
    void theInputCopyFillsTheFirstRowsOnly(DataType type, boolean hostMemory) {
        INDArray full = Nd4j.valueArrayOf(new long[] {5, 4}, -1.0, type);
        INDArray firstRows = full.get(NDArrayIndex.interval(0, 3), NDArrayIndex.all());
        float[] values = new float[12];
        for (int i = 0; i < values.length; i++) {
            values[i] = 0.25f * i - 1.5f;
        }
        Nd4jDenseCompute.copyInto(firstRows, values, hostMemory);
        for (int r = 0; r < 5; r++) {
            for (int c = 0; c < 4; c++) {
                double expected = r < 3 ? values[r * 4 + c] : -1.0;
                assertEquals(expected, full.getDouble(r, c), 0.0, "row " + r + " column " + c);
                if (r < 3) {
                    assertEquals(expected, firstRows.getDouble(r, c), 0.0);
                }
            }
        }
    }

    /**
     * Reading parameters and optimizer state out: the bulk copy (float32 on the CPU backend) and
     * ND4J's element-wise route give the same floats, for vectors of either type and for a view
     * (which always takes ND4J's route).
     */
    @ParameterizedTest(name = "{0}, host copy {1}")
    @MethodSource("copyRoutes")
    void theOutputCopyReadsEveryElementInOrder(DataType type, boolean hostMemory) {
        float[] values = new float[1_000];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) Math.sin(i) * 100f;
        }
        INDArray v = Nd4j.createFromArray(values).castTo(type);
        assertArrayEquals(values, Nd4jDenseCompute.copyOut(v, hostMemory));
        INDArray tail = v.get(NDArrayIndex.interval(10, 1_000));
        assertArrayEquals(
                Arrays.copyOfRange(values, 10, 1_000), Nd4jDenseCompute.copyOut(tail, hostMemory));
    }
}
