package io.streamgrad.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.streamgrad.batch.TrainingExample;
import io.streamgrad.model.Activation;
import io.streamgrad.model.ModelSpec;
import io.streamgrad.model.OptimizerSpec;
import io.streamgrad.model.Standardization;
import io.streamgrad.schema.ModelSnapshot;
import io.streamgrad.schema.Task;
import io.streamgrad.train.Batching;
import io.streamgrad.train.ModelTrainer;
import io.streamgrad.train.OfflineReplay;
import io.streamgrad.train.Snapshots;
import io.streamgrad.train.TrainingConfig;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The exported ONNX models run in ONNX Runtime (its Java API, CPU) and give the snapshot's own
 * predictions ({@link ServingModel}, which {@link Predictor} serves) for every model family and
 * hidden activation: probabilities within 1e-5, regression values within 1e-5 relative (for values
 * above 1: the graph is float32), the same labels (but where the two most probable classes are
 * within 1e-5 of each other, when float32 and double may rightly disagree). Inputs include rows 30
 * standard deviations from the feature means, where any slip in the standardization shows.
 */
class OnnxExportTest {
    private static final double TOLERANCE = 1e-5;

    private static OrtEnvironment env;

    @BeforeAll
    static void startRuntime() {
        env = OrtEnvironment.getEnvironment();
    }

    @AfterAll
    static void report() {
        System.out.printf(
                "OnnxExportTest: %d models, %d rows; largest |ORT - ServingModel|: probability"
                        + " %.3g, regression %.3g relative%n",
                models, rows, worstProbability, worstRegression);
    }

    private static int models;
    private static int rows;
    private static double worstProbability;
    private static double worstRegression;

    @Test
    void everyFamilyAndActivationOfRandomSnapshotsRunsInOnnxRuntime() throws Exception {
        int features = 6;
        int seed = 0;
        for (ModelSpec spec : TestSnapshots.families(features)) {
            for (boolean standardized : new boolean[] {false, true}) {
                ModelSnapshot s = TestSnapshots.random("m", spec, 9, 60 + seed++, standardized);
                ServingModel served = ServingModel.of(s);
                float[] x = inputs(served, 64, new SplittableRandom(seed));
                check(s, x, spec.shorthand() + " " + spec.activation() + " std=" + standardized);
            }
        }
    }

    /**
     * Models trained by the product's own code ({@link OfflineReplay}, standardization on) on
     * features whose means (up to 1000) and spreads (0.1 to 300) differ widely, so that neither the
     * standardization nor the layers are trivial.
     */
    @Test
    void everyFamilyAndActivationOfTrainedModelsRunsInOnnxRuntime() throws Exception {
        List<ModelSpec> specs = new ArrayList<>();
        specs.add(spec("linear", Task.REGRESSION, Activation.IDENTITY));
        specs.add(spec("logistic", Task.BINARY, Activation.IDENTITY));
        specs.add(spec("softmax", Task.MULTICLASS, Activation.IDENTITY));
        for (Activation a : Activation.values()) {
            specs.add(spec("mlp:8,6", Task.MULTICLASS, a));
        }
        specs.add(spec("mlp:8", Task.BINARY, Activation.LEAKY_RELU));
        specs.add(spec("mlp:8", Task.REGRESSION, Activation.TANH));
        for (ModelSpec spec : specs) {
            ModelSnapshot s = trained(spec, 17);
            assertNotNull(s.getStandardization(), "the trained model standardizes");
            float[] x = inputs(ServingModel.of(s), 128, new SplittableRandom(5));
            check(
                    s,
                    x,
                    "trained " + spec.shorthand() + " " + spec.task() + " " + spec.activation());
        }
    }

    @Test
    void theMetadataCarriesTheSnapshotsIdentityAndLineage() throws Exception {
        ModelSpec spec =
                spec("mlp:8", Task.BINARY, Activation.RELU).withClassNames(List.of("no", "yes"));
        ModelSnapshot s = trained(spec, 3);
        byte[] model = OnnxExport.bytes(s, Map.of("extra", "kept", "model", "not this"));
        try (OrtSession session = session(model)) {
            var meta = session.getMetadata();
            assertEquals("streamgrad", meta.getProducerName());
            assertEquals(s.getVersion(), meta.getVersion());
            Map<String, String> props = meta.getCustomMetadata();
            assertEquals("onnx-test", props.get("model"), "the snapshot's key wins over extras");
            assertEquals(Long.toString(s.getVersion()), props.get("version"));
            assertEquals("run-onnx", props.get("run_id"));
            assertEquals(s.getParametersChecksum(), props.get("parameters_checksum"));
            assertEquals("binary", props.get("task"));
            assertEquals("mlp", props.get("family"));
            assertEquals("mlp:8", props.get("architecture"));
            assertEquals("relu", props.get("hidden_activation"));
            assertEquals("no,yes", props.get("class_names"));
            assertEquals("1767225600000", props.get("created_at"));
            assertEquals("2026-01-01T00:00:00Z", props.get("created"));
            assertEquals("test.events", props.get("provenance.source.topic"));
            assertEquals("kept", props.get("extra"));
            assertTrue(props.get("standardization").startsWith("on after "), props.toString());

            TensorInfo in = (TensorInfo) session.getInputInfo().get(OnnxExport.FEATURES).getInfo();
            assertArrayEquals(new long[] {-1, 5}, in.getShape(), "dynamic batch, 5 features");
            TensorInfo p =
                    (TensorInfo) session.getOutputInfo().get(OnnxExport.PROBABILITIES).getInfo();
            assertArrayEquals(new long[] {-1, 2}, p.getShape());
        }
    }

    @Test
    void refusesACorruptSnapshot() {
        ModelSnapshot s = TestSnapshots.random("m", TestSnapshots.families(4).get(2), 3, 1, true);
        CorruptSnapshotException e =
                assertThrows(
                        CorruptSnapshotException.class,
                        () -> OnnxExport.bytes(TestSnapshots.corrupted(s), Map.of()));
        assertTrue(e.getMessage().contains("is corrupt"), e.getMessage());
    }

    /**
     * Runs the exported model on n rows, then on the first row alone (the batch dimension is
     * dynamic), and compares each output with {@link Predictor#predict}.
     */
    private static void check(ModelSnapshot s, float[] x, String what) throws OrtException {
        Predictor predictor = Predictor.of(s);
        ModelSpec spec = predictor.current().spec();
        int f = spec.inputSize();
        int n = x.length / f;
        models++;
        try (OrtSession session = session(OnnxExport.bytes(s, Map.of()))) {
            compare(session, predictor, spec, x, n, what);
            float[] first = new float[f];
            System.arraycopy(x, 0, first, 0, f);
            compare(session, predictor, spec, first, 1, what + " (one row)");
        }
    }

    private static void compare(
            OrtSession session, Predictor predictor, ModelSpec spec, float[] x, int n, String what)
            throws OrtException {
        int f = spec.inputSize();
        try (OnnxTensor input =
                        OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {n, f});
                OrtSession.Result out = session.run(Map.of(OnnxExport.FEATURES, input))) {
            if (spec.task() == Task.REGRESSION) {
                assertEquals(1, out.size(), what + ": one output");
                float[][] y = (float[][]) out.get(OnnxExport.PREDICTION).get().getValue();
                assertEquals(n, y.length);
                for (int r = 0; r < n; r++) {
                    double expected = predictor.predict(row(x, r, f)).value();
                    assertEquals(1, y[r].length);
                    double scale = Math.max(1, Math.abs(expected));
                    worstRegression =
                            Math.max(worstRegression, Math.abs(y[r][0] - expected) / scale);
                    assertEquals(expected, y[r][0], TOLERANCE * scale, what + " row " + r);
                }
                rows += n;
                return;
            }
            float[][] p = (float[][]) out.get(OnnxExport.PROBABILITIES).get().getValue();
            long[] label = (long[]) out.get(OnnxExport.LABEL).get().getValue();
            int k = spec.classes();
            assertEquals(n, p.length);
            assertEquals(n, label.length);
            for (int r = 0; r < n; r++) {
                Prediction expected = predictor.predict(row(x, r, f));
                assertEquals(k, p[r].length, what);
                for (int c = 0; c < k; c++) {
                    double d = Math.abs(p[r][c] - expected.probabilities()[c]);
                    worstProbability = Math.max(worstProbability, d);
                    assertEquals(
                            expected.probabilities()[c],
                            p[r][c],
                            TOLERANCE,
                            what + " row " + r + " class " + c);
                }
                if (label[r] != (long) expected.value()) {
                    double gap =
                            Math.abs(
                                    expected.probabilities()[(int) label[r]]
                                            - expected.probabilities()[(int) expected.value()]);
                    assertTrue(
                            gap < TOLERANCE,
                            what + " row " + r + ": label " + label[r] + " vs " + expected.value());
                }
            }
            rows += n;
        }
    }

    private static OrtSession session(byte[] model) throws OrtException {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setIntraOpNumThreads(1);
        return env.createSession(model, options);
    }

    private static float[] row(float[] x, int r, int f) {
        float[] out = new float[f];
        System.arraycopy(x, r * f, out, 0, f);
        return out;
    }

    /**
     * n rows around the model's feature means (0 without standardization): three in four within 3
     * standard deviations, one in four 30 standard deviations away, on one side or the other.
     */
    private static float[] inputs(ServingModel model, int n, SplittableRandom rng) {
        double[] mean = model.scaler().enabled() ? model.scaler().mean() : null;
        double[] scale = model.scaler().enabled() ? model.scaler().scale() : null;
        int f = model.spec().inputSize();
        float[] x = new float[n * f];
        for (int r = 0; r < n; r++) {
            double reach = r % 4 == 3 ? 30 : 1;
            for (int j = 0; j < f; j++) {
                double z = reach == 1 ? rng.nextGaussian() : reach * (rng.nextBoolean() ? 1 : -1);
                x[r * f + j] = mean == null ? (float) (3 * z) : (float) (mean[j] + z / scale[j]);
            }
        }
        return x;
    }

    private static final double[] MEANS = {100, -40, 0.5, 7, 1000};
    private static final double[] SDS = {20, 0.1, 1, 5, 300};

    private static ModelSpec spec(String shorthand, Task task, Activation activation) {
        return ModelSpec.parse(shorthand, task, MEANS.length, 3, activation, null, 0)
                .withStandardization(Standardization.ON);
    }

    /**
     * A snapshot of {@code spec} after two epochs of Adam on 512 examples of a teacher on the
     * standardized features, trained by {@link OfflineReplay} exactly as the job would.
     */
    private static ModelSnapshot trained(ModelSpec spec, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<TrainingExample> data = new ArrayList<>();
        for (int i = 0; i < 512; i++) {
            float[] x = new float[MEANS.length];
            double[] u = new double[MEANS.length];
            for (int j = 0; j < x.length; j++) {
                u[j] = rng.nextGaussian();
                x[j] = (float) (MEANS[j] + SDS[j] * u[j]);
            }
            double noise = 0.3 * rng.nextGaussian();
            double label =
                    switch (spec.task()) {
                        case REGRESSION -> 2 * u[0] - u[1] + 0.5 * u[2] * u[3] + noise;
                        case BINARY -> u[0] + u[1] - u[3] + noise > 0 ? 1 : 0;
                        case MULTICLASS -> {
                            double[] score = {u[0] + noise, u[1], u[2] + u[3]};
                            int best = 0;
                            for (int c = 1; c < 3; c++) {
                                best = score[c] > score[best] ? c : best;
                            }
                            yield best;
                        }
                    };
            data.add(
                    new TrainingExample(
                            "onnx-test", "e" + i, 1_767_225_600_000L + 10L * i, x, label, -1, i));
        }
        TrainingConfig config =
                new TrainingConfig(
                        spec,
                        new OptimizerSpec("adam", 0.01),
                        Batching.defaults().withBatchSize(32).withEpochs(2),
                        seed,
                        1_000,
                        0.05);
        ModelTrainer trainer =
                OfflineReplay.replay("onnx-test", config, data, OfflineReplay.ignoring());
        assertTrue(trainer.iteration() >= 32, "trained " + trainer.iteration() + " iterations");
        return Snapshots.of(
                trainer, "run-onnx", 1_767_225_600_000L, Map.of("source.topic", "test.events"));
    }
}
