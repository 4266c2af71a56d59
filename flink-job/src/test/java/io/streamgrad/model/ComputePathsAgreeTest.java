package io.streamgrad.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamgrad.schema.Task;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * The plain-Java path ({@link JavaDenseCompute}, {@link JavaUpdater}) against ND4J: each update
 * rule against ND4J's own updater on the same gradients, whole training runs of both paths for
 * every optimizer, loss and activation, and the plain-Java path's bit-for-bit determinism.
 */
class ComputePathsAgreeTest {
    private static final int N = 16;

    static Stream<String> optimizers() {
        return OptimizerSpec.NAMES.stream();
    }

    /**
     * ND4J's updater of optimizer {@code name} (rate 0.05 halved every 3 iterations, momentum 0.8,
     * epsilon 0.01) over {@code n} parameters, its state of {@code size} values (an unused array of
     * one when the rule keeps none) in {@code type}.
     */
    private record Nd4jUpdater(
            IUpdater config, int size, INDArray state, GradientUpdater<?> updater) {
        static Nd4jUpdater of(String name, int n, DataType type) {
            IUpdater config =
                    new OptimizerSpec(name, 0.05, 0.8, 0.01, 0, LrSchedule.parse("step:3:0.5", 2))
                            .toUpdater();
            int size = (int) config.stateSize(n);
            INDArray state = Nd4j.zeros(type, Math.max(size, 1));
            return new Nd4jUpdater(
                    config, size, state, config.instantiate(size == 0 ? null : state, true));
        }
    }

    /** ND4J's updater and {@link JavaUpdater} given the same gradients for ten iterations. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("optimizers")
    void everyRuleIsNd4jsUpdaterOnTheSameGradients(String name) {
        int n = 37;
        Nd4jUpdater ref = Nd4jUpdater.of(name, n, DataType.DOUBLE);
        int size = ref.size();
        INDArray nd4jState = ref.state();
        GradientUpdater<?> nd4j = ref.updater();
        JavaUpdater java = new JavaUpdater(ref.config());
        double[] javaState = java.freshState(n);
        assertArrayEquals(nd4jState.toDoubleVector(), size == 0 ? new double[1] : javaState);
        SplittableRandom rng = new SplittableRandom(5);
        for (int t = 0; t < 10; t++) {
            double[] g = new double[n];
            for (int i = 0; i < n; i++) {
                g[i] = rng.nextGaussian() * (i % 5 == 0 ? 10 : 0.1);
            }
            INDArray expected = Nd4j.createFromArray(g.clone());
            nd4j.applyUpdater(expected, t, 0);
            java.apply(g, n, javaState, t, false);
            assertArrayEquals(expected.toDoubleVector(), g, 1e-12, name + " update, t=" + t);
            if (size > 0) {
                assertArrayEquals(
                        nd4jState.toDoubleVector(), javaState, 1e-12, name + " state, t=" + t);
            }
        }
    }

    /**
     * Float32 on the CPU backend, {@link Nd4jDenseCompute}'s host route (loss and update in Java
     * over host memory) against its device route (ND4J's ops and ND4J's own updater, as a GPU runs
     * them), every optimizer (adam also clipped, with a decaying rate): at each of 12 steps both
     * start from the host route's parameters and optimizer state, and one update on the same batch
     * gives the same parameters and state to float32 precision. A compute restored mid-run from the
     * host route's exported parameters and state then continues bit for bit as the one that was not
     * interrupted, and so does one given them by {@code load}.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("hostUpdateOptimizers")
    void hostUpdateIsNd4jsUpdaterInFloat32(OptimizerSpec o) {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                ComputePath.cpuBackend(), "the host route exists on the CPU backend only");
        // 24,610 parameters: the host route updates them in two ranges.
        ModelSpec mlp = ModelSpec.parse("mlp:600", 30, 10, Activation.RELU);
        assertTrue(mlp.parameterCount() > Float32Updater.CHUNK);
        float[] initial = DenseNetwork.initialParameters(mlp, 3);
        Nd4jDenseCompute host = new Nd4jDenseCompute(mlp, o, DataType.FLOAT, initial, null, true);
        Nd4jDenseCompute device =
                new Nd4jDenseCompute(mlp, o, DataType.FLOAT, initial, null, false);
        String what = o.name() + " clip " + o.clipNorm();
        assertArrayEquals(device.optimizerState(), host.optimizerState(), what + " fresh state");
        SplittableRandom rng = new SplittableRandom(6);
        Nd4jDenseCompute restored = null;
        Nd4jDenseCompute loaded = null;
        for (int t = 0; t < 12; t++) {
            if (t == 6) {
                restored =
                        new Nd4jDenseCompute(
                                mlp,
                                o,
                                DataType.FLOAT,
                                host.parameters(),
                                host.optimizerState(),
                                true);
                loaded = new Nd4jDenseCompute(mlp, o, DataType.FLOAT, initial, null, true);
                loaded.load(host.parameters(), host.optimizerState());
            }
            device.load(host.parameters(), host.optimizerState());
            float[] x = features(rng, N * mlp.inputSize());
            double[] y = labels(rng, mlp, N);
            for (Nd4jDenseCompute c : new Nd4jDenseCompute[] {host, device, restored, loaded}) {
                if (c != null) {
                    c.lossAndGradient(x, y, N, true);
                    c.update(c.gradientNorm(), t);
                }
            }
            // The routes' gradients differ in float32's last bits, which adam's and rmsprop's
            // division by √v + ε amplifies for gradients near ε: compare the steps to a
            // thousandth of the learning rate (float32RulesAreNd4jsUpdaterOnTheSameGradients
            // compares the rules on the same gradients to float32 rounding).
            String at = what + " step " + t;
            double step = 1e-3 * o.learningRate();
            assertClose(device.parameters(), host.parameters(), 1e-5, step, at + " parameters");
            float[] state = device.optimizerState();
            double scale = 0;
            for (float v : state) {
                scale = Math.max(scale, Math.abs(v));
            }
            assertClose(state, host.optimizerState(), 1e-5, 1e-5 * scale, at + " state");
        }
        assertArrayEquals(host.parameters(), restored.parameters(), what + " restored");
        assertArrayEquals(host.optimizerState(), restored.optimizerState(), what + " restored");
        assertArrayEquals(host.parameters(), loaded.parameters(), what + " loaded");
        assertArrayEquals(host.optimizerState(), loaded.optimizerState(), what + " loaded");
    }

    /** Equal within a relative or an absolute tolerance, whichever is larger. */
    private static void assertClose(
            float[] expected, float[] actual, double relative, double absolute, String what) {
        assertEquals(expected.length, actual.length, what + " size");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(
                    expected[i],
                    actual[i],
                    Math.max(absolute, relative * Math.abs(expected[i])),
                    what + " " + i);
        }
    }

    static Stream<OptimizerSpec> hostUpdateOptimizers() {
        List<OptimizerSpec> cases = new ArrayList<>();
        for (String name : OptimizerSpec.NAMES) {
            cases.add(new OptimizerSpec(name, 0.02));
        }
        cases.add(new OptimizerSpec("adam", 0.05, 0.9, 0, 0.5, LrSchedule.parse("step:4:0.5", 2)));
        return cases.stream();
    }

    /**
     * ND4J's updater on a float32 array and {@link Float32Updater} given the same gradients for ten
     * iterations, the latter a chunk at a time: the same update and state to float32 rounding.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("optimizers")
    void float32RulesAreNd4jsUpdaterOnTheSameGradients(String name) {
        int n = Float32Updater.CHUNK + 1000;
        Nd4jUpdater ref = Nd4jUpdater.of(name, n, DataType.FLOAT);
        int size = ref.size();
        INDArray nd4jState = ref.state();
        GradientUpdater<?> nd4j = ref.updater();
        Float32Updater f32 = new Float32Updater(ref.config(), n, null);
        assertEquals(2, f32.chunks());
        assertArrayEquals(
                Arrays.copyOf(nd4jState.toFloatVector(), size), f32.state(), name + " fresh");
        SplittableRandom rng = new SplittableRandom(5);
        for (int t = 0; t < 10; t++) {
            float[] g = new float[n];
            for (int i = 0; i < n; i++) {
                g[i] = (float) (rng.nextGaussian() * (i % 5 == 0 ? 10 : 0.1));
            }
            INDArray expected = Nd4j.createFromArray(g.clone());
            nd4j.applyUpdater(expected, t, 0);
            float[] u = new float[n];
            for (int c = 0; c < f32.chunks(); c++) {
                int from = c * Float32Updater.CHUNK;
                float[] chunk = Arrays.copyOfRange(g, from, from + f32.chunkLength(c));
                f32.apply(chunk, c, t);
                System.arraycopy(chunk, 0, u, from, chunk.length);
            }
            assertClose(expected.toFloatVector(), u, 1e-6, 1e-12, name + " update, t=" + t);
            assertClose(
                    Arrays.copyOf(nd4jState.toFloatVector(), size),
                    f32.state(),
                    1e-6,
                    1e-12,
                    name + " state, t=" + t);
        }
    }

    /**
     * Parameters whose gradients stop: their state decays to exactly zero without holding a
     * subnormal float on the way, nor making one in the update ({@link
     * Float32Updater#SWEEP_BELOW}), which x86 computes with many times slower.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("optimizers")
    void decayingStateReachesZeroWithoutSubnormalFloats(String name) {
        Float32Updater f32 = new Float32Updater(new OptimizerSpec(name, 0.01).toUpdater(), 4, null);
        f32.apply(new float[] {1e-3f, -2f, 3e-6f, 5f}, 0, 0);
        float smallest = Float.MAX_VALUE;
        for (int t = 1; t < 3_000; t++) {
            float[] u = new float[4];
            f32.apply(u, 0, t);
            for (float v : u) {
                assertTrue(v == 0 || Math.abs(v) >= Float.MIN_NORMAL, name + ": update " + v);
            }
            for (float v : f32.state()) {
                assertTrue(
                        v == 0 || Math.abs(v) >= Float.MIN_NORMAL,
                        name + ": state value " + v + " at iteration " + t);
                if (v != 0) {
                    smallest = Math.min(smallest, Math.abs(v));
                }
            }
        }
        if (List.of("momentum", "nesterov", "rmsprop", "adam", "adamw").contains(name)) {
            // The first block (momentum's v, rmsprop's s, adam's m) decays by 0.95 or faster.
            float[] first = Arrays.copyOf(f32.state(), 4);
            assertArrayEquals(new float[4], first, name + ": state after 3,000 zero gradients");
            assertTrue(smallest < 1e-30, name + ": smallest state value " + smallest);
        }
    }

    /** Models for the whole-run comparison: every loss, every activation, two hidden layers. */
    static Stream<Arguments> models() {
        List<Arguments> cases = new ArrayList<>();
        for (Loss loss : Loss.values()) {
            Task task = loss.task();
            int outputs = task == Task.MULTICLASS ? 4 : 1;
            cases.add(
                    Arguments.of(
                            new ModelSpec(
                                    "linear",
                                    task,
                                    6,
                                    List.of(),
                                    Activation.RELU,
                                    outputs,
                                    loss,
                                    0.0)));
            for (Activation a : Activation.values()) {
                cases.add(
                        Arguments.of(
                                new ModelSpec(
                                        "mlp", task, 6, List.of(5, 3), a, outputs, loss, 0.02)));
            }
        }
        return cases.stream();
    }

    /**
     * Both paths, double precision, the same batches: every optimizer (adam also clipped) gives the
     * same losses, accuracies, parameters and optimizer state (same layout) after 12 steps.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void bothPathsTrainTheSameModelWithEveryOptimizer(ModelSpec model) {
        List<OptimizerSpec> optimizers = new ArrayList<>();
        for (String name : OptimizerSpec.NAMES) {
            optimizers.add(new OptimizerSpec(name, 0.05, 0.9, 0.05, 0, LrSchedule.CONSTANT));
        }
        optimizers.add(new OptimizerSpec("adam", 0.05, 0.9, 0.05, 0.5, LrSchedule.CONSTANT));
        for (OptimizerSpec o : optimizers) {
            DenseNetwork java = DenseNetwork.create(model, o, 3, DataType.DOUBLE, ComputePath.JAVA);
            DenseNetwork nd4j = DenseNetwork.create(model, o, 3, DataType.DOUBLE, ComputePath.ND4J);
            SplittableRandom rng = new SplittableRandom(8);
            for (int t = 0; t < 12; t++) {
                float[] x = features(rng, N * model.inputSize());
                double[] y = labels(rng, model, N);
                DenseNetwork.Evaluation a = java.step(x, y, N, t);
                DenseNetwork.Evaluation b = nd4j.step(x, y, N, t);
                String at = model + " " + o.name() + " clip " + o.clipNorm() + " step " + t;
                assertEquals(b.loss(), a.loss(), 1e-9 * Math.max(1, Math.abs(b.loss())), at);
                assertEquals(b.accuracy(), a.accuracy(), at);
                assertEquals(b.applied(), a.applied(), at);
            }
            String what = model + " " + o.name();
            assertArrayEquals(nd4j.parameters(), java.parameters(), 1e-5f, what);
            assertArrayEquals(nd4j.optimizerState(), java.optimizerState(), 1e-5f, what);
            float[] x = features(rng, N * model.inputSize());
            assertArrayEquals(nd4j.predict(x, N), java.predict(x, N), 1e-5f, what);
            assertArrayEquals(nd4j.logits(x, N), java.logits(x, N), 1e-5f, what);
        }
    }

    /**
     * Float32, as the job trains: the paths round differently (ND4J computes in float32, the Java
     * path in double and stores float32), so they agree to float32 precision, not bit for bit.
     */
    @Test
    void float32PathsAgreeToFloatPrecision() {
        ModelSpec logistic = ModelSpec.parse("logistic", 20, 0, Activation.RELU);
        OptimizerSpec adam = new OptimizerSpec("adam", 0.01);
        DenseNetwork java =
                DenseNetwork.create(logistic, adam, 1, DataType.FLOAT, ComputePath.JAVA);
        DenseNetwork nd4j =
                DenseNetwork.create(logistic, adam, 1, DataType.FLOAT, ComputePath.ND4J);
        SplittableRandom rng = new SplittableRandom(2);
        for (int t = 0; t < 50; t++) {
            float[] x = features(rng, 64 * 20);
            double[] y = labels(rng, logistic, 64);
            double a = java.step(x, y, 64, t).loss();
            double b = nd4j.step(x, y, 64, t).loss();
            assertEquals(b, a, 1e-5, "step " + t);
        }
        assertArrayEquals(nd4j.parameters(), java.parameters(), 1e-4f);
    }

    /**
     * Same inputs, bit-identical parameters; and a network restored from a float32 snapshot taken
     * mid-run continues bit for bit as the one that was not interrupted.
     */
    @Test
    void javaPathIsDeterministicAndRestoresBitForBit() {
        ModelSpec mlp = ModelSpec.parse("mlp:8", 10, 3, Activation.TANH);
        OptimizerSpec adamw = new OptimizerSpec("adamw", 0.01);
        DenseNetwork first = DenseNetwork.create(mlp, adamw, 4, DataType.FLOAT, ComputePath.JAVA);
        DenseNetwork second = DenseNetwork.create(mlp, adamw, 4, DataType.FLOAT, ComputePath.JAVA);
        SplittableRandom rng = new SplittableRandom(6);
        DenseNetwork restored = null;
        for (int t = 0; t < 40; t++) {
            int n = 1 + rng.nextInt(32);
            float[] x = features(rng, n * 10);
            double[] y = labels(rng, mlp, n);
            first.step(x, y, n, t);
            second.step(x, y, n, t);
            if (restored != null) {
                restored.step(x, y, n, t);
            }
            if (t == 19) {
                restored =
                        DenseNetwork.restore(
                                mlp,
                                adamw,
                                first.parameters(),
                                first.optimizerState(),
                                DataType.FLOAT,
                                ComputePath.JAVA);
            }
        }
        assertArrayEquals(first.parameters(), second.parameters());
        assertArrayEquals(first.optimizerState(), second.optimizerState());
        assertArrayEquals(first.parameters(), restored.parameters());
        assertArrayEquals(first.optimizerState(), restored.optimizerState());
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(ComputePath.class)
    void nonFiniteGradientSkipsTheUpdateAndNonFiniteParametersAreSeen(ComputePath path) {
        ModelSpec linear = ModelSpec.parse("linear", 2, 0, Activation.RELU);
        DenseNetwork net =
                DenseNetwork.create(linear, new OptimizerSpec("sgd", 0.1), 1, DataType.FLOAT, path);
        float[] before = net.parameters();
        DenseNetwork.Evaluation e = net.step(new float[] {Float.NaN, 1}, new double[] {1}, 1, 0);
        assertTrue(!e.applied());
        assertArrayEquals(before, net.parameters());
        assertTrue(net.parametersFinite());
        net.load(new float[] {Float.POSITIVE_INFINITY, 0, 0}, new float[0]);
        assertTrue(!net.parametersFinite());
        net.load(new float[] {1, Float.NaN, 0}, new float[0]);
        assertTrue(!net.parametersFinite());
        net.load(new float[] {1e30f, -2, 3}, new float[0]);
        assertTrue(net.parametersFinite(), "large but finite: its square is a finite double");
    }

    @Test
    void aHugeFiniteGradientHasAFiniteNormOnBothPaths() {
        // x = 1e20, parameters 0, target 1: the weight's MSE gradient is −2e20, whose square
        // overflows float32 (the ND4J path's dot) but not double (the Java path).
        ModelSpec linear = ModelSpec.parse("linear", 1, 0, Activation.RELU);
        OptimizerSpec sgd = new OptimizerSpec("sgd", 0.1);
        float[] zeros = new float[2];
        for (DenseCompute c :
                List.of(
                        new JavaDenseCompute(linear, sgd, DataType.FLOAT, zeros, null),
                        new Nd4jDenseCompute(linear, sgd, DataType.FLOAT, zeros, null))) {
            c.lossAndGradient(new float[] {1e20f}, new double[] {1}, 1, true);
            assertEquals(2e20, c.gradientNorm(), 1e14, c.getClass().getSimpleName());
        }
    }

    @Test
    void smallModelsComputeInJavaOnTheCpuOnly() {
        ModelSpec logistic = ModelSpec.parse("logistic", 100, 0, Activation.RELU);
        ModelSpec mlp = ModelSpec.parse("mlp:128", 784, 10, Activation.RELU);
        assertEquals(ComputePath.JAVA, ComputePath.choose(logistic, true, "auto"));
        assertEquals(ComputePath.ND4J, ComputePath.choose(mlp, true, "auto"));
        assertEquals(ComputePath.ND4J, ComputePath.choose(logistic, false, "auto"));
        assertEquals(ComputePath.ND4J, ComputePath.choose(logistic, false, "java"));
        assertEquals(ComputePath.ND4J, ComputePath.choose(logistic, true, "nd4j"));
        assertEquals(ComputePath.JAVA, ComputePath.choose(mlp, true, "java"));
        assertThrows(IllegalArgumentException.class, () -> ComputePath.choose(mlp, true, "gpu"));
        assertThrows(IllegalArgumentException.class, () -> ComputePath.choose(mlp, false, "gpu"));
    }

    @Test
    void aLabelThatIsNoClassIndexIsRefused() {
        ModelSpec softmax = ModelSpec.parse("softmax", 2, 3, Activation.RELU);
        DenseNetwork net =
                DenseNetwork.create(softmax, new OptimizerSpec("sgd", 0.1), 1, DataType.FLOAT);
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> net.step(new float[] {1, 2, 3, 4}, new double[] {0, 3}, 2, 0));
        assertTrue(e.getMessage().contains("row 1: label 3.0"), e.getMessage());
    }

    private static float[] features(SplittableRandom rng, int count) {
        float[] x = new float[count];
        for (int i = 0; i < count; i++) {
            x[i] = (float) (rng.nextGaussian() * 1.5);
        }
        return x;
    }

    private static double[] labels(SplittableRandom rng, ModelSpec spec, int n) {
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            y[i] =
                    spec.task() == Task.REGRESSION
                            ? rng.nextGaussian() * 3
                            : rng.nextInt(spec.classes());
        }
        return y;
    }
}
