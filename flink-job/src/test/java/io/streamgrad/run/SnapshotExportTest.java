package io.streamgrad.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamgrad.config.InvalidSettingException;
import io.streamgrad.evaluate.Scorer;
import io.streamgrad.model.ModelSpec;
import io.streamgrad.schema.ModelSnapshot;
import io.streamgrad.serve.TestSnapshots;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JSON export is enough to run the model without streamgrad: the forward pass below reads
 * nothing but the JSON (through Jackson's tree) and plain double arithmetic, and gets the {@link
 * Scorer}'s predictions for every model family and activation, standardized or not.
 */
class SnapshotExportTest {
    private static final int FEATURES = 6;

    @Test
    void predictionsRecomputedFromTheJsonAloneEqualTheScorers(@TempDir Path dir) throws Exception {
        SplittableRandom rng = new SplittableRandom(8);
        int n = 24;
        float[] x = new float[n * FEATURES];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (3 * rng.nextGaussian());
        }
        int seed = 0;
        for (ModelSpec spec : TestSnapshots.families(FEATURES)) {
            for (boolean standardized : new boolean[] {false, true}) {
                ModelSnapshot s = TestSnapshots.random("m", spec, 9, 40 + seed++, standardized);
                Path file = dir.resolve("m" + seed + ".json");
                SnapshotExport.write(s, "json", file);
                JsonNode json = new ObjectMapper().readTree(file.toFile());
                assertEquals("streamgrad-model-json", json.get("format").asText());
                assertEquals(9, json.get("version").asLong());
                assertEquals("test.events", json.get("provenance").get("source.topic").asText());
                assertEquals(s.getParametersChecksum(), json.get("parameters_checksum").asText());

                Scorer scorer = new Scorer(s);
                Scorer.Predictions expected =
                        scorer.score(x, new double[n], n, scorer.newAccumulator());
                String what = spec.shorthand() + " " + spec.activation() + " " + standardized;
                for (int r = 0; r < n; r++) {
                    double[] row = new double[FEATURES];
                    for (int j = 0; j < FEATURES; j++) {
                        row[j] = x[r * FEATURES + j];
                    }
                    double[] out = fromJson(json, row);
                    if (spec.task() == io.streamgrad.schema.Task.REGRESSION) {
                        // The scorer's logits are float32: 1e-6 relative for values above 1.
                        assertEquals(
                                expected.prediction()[r],
                                out[0],
                                1e-6 * Math.max(1, Math.abs(out[0])),
                                what);
                    } else {
                        int k = spec.classes();
                        assertEquals(k, out.length, what);
                        for (int c = 0; c < k; c++) {
                            assertEquals(expected.probabilities()[r * k + c], out[c], 1e-6, what);
                        }
                    }
                }
            }
        }
    }

    /**
     * The exported model's output for one row as the JSON's "forward" text states it: the
     * regression value, or the class probabilities. Uses only the JSON.
     */
    private static double[] fromJson(JsonNode json, double[] x) {
        double[] a = x.clone();
        JsonNode st = json.get("standardization");
        if (!st.isNull()) {
            for (int j = 0; j < a.length; j++) {
                a[j] =
                        (a[j] - st.get("mean").get(j).asDouble())
                                * st.get("scale").get(j).asDouble();
            }
        }
        JsonNode arch = json.get("architecture");
        JsonNode params = json.get("parameters");
        int layers = params.size() / 2;
        for (int l = 0; l < layers; l++) {
            JsonNode w = params.get(2 * l);
            JsonNode b = params.get(2 * l + 1);
            assertEquals("W" + l, w.get("name").asText());
            int in = w.get("shape").get(0).asInt();
            int out = w.get("shape").get(1).asInt();
            double[] z = new double[out];
            for (int o = 0; o < out; o++) {
                double sum = b.get("values").get(o).asDouble();
                for (int i = 0; i < in; i++) {
                    sum += a[i] * w.get("values").get(i * out + o).asDouble();
                }
                z[o] = sum;
            }
            if (l < layers - 1) {
                for (int o = 0; o < out; o++) {
                    z[o] = activate(arch.get("hidden_activation").asText(), z[o]);
                }
            }
            a = z;
        }
        switch (arch.get("task").asText()) {
            case "binary" -> {
                double p1 = 1 / (1 + Math.exp(-a[0]));
                return new double[] {1 - p1, p1};
            }
            case "multiclass" -> {
                double max = Double.NEGATIVE_INFINITY;
                for (double v : a) {
                    max = Math.max(max, v);
                }
                double sum = 0;
                double[] p = new double[a.length];
                for (int c = 0; c < a.length; c++) {
                    p[c] = Math.exp(a[c] - max);
                    sum += p[c];
                }
                for (int c = 0; c < a.length; c++) {
                    p[c] /= sum;
                }
                return p;
            }
            default -> {
                return a;
            }
        }
    }

    private static double activate(String name, double z) {
        return switch (name) {
            case "identity" -> z;
            case "relu" -> Math.max(z, 0);
            case "leaky-relu" -> z >= 0 ? z : 0.01 * z;
            case "tanh" -> Math.tanh(z);
            case "sigmoid" -> 1 / (1 + Math.exp(-z));
            default -> throw new AssertionError("activation " + name);
        };
    }

    @Test
    void refusesACorruptSnapshotAndAnUnknownFormat(@TempDir Path dir) {
        ModelSnapshot s =
                TestSnapshots.random("m", TestSnapshots.families(FEATURES).get(1), 3, 1, true);
        InvalidSettingException corrupt =
                assertThrows(
                        InvalidSettingException.class,
                        () ->
                                SnapshotExport.write(
                                        TestSnapshots.corrupted(s), "json", dir.resolve("x")));
        assertTrue(corrupt.getMessage().contains("is corrupt"), corrupt.getMessage());
        InvalidSettingException format =
                assertThrows(
                        InvalidSettingException.class,
                        () -> SnapshotExport.write(s, "pmml", dir.resolve("y")));
        assertTrue(format.getMessage().contains("pmml is not supported"), format.getMessage());
    }
}
