package io.streamgrad.cli;

import static io.streamgrad.cli.CommandLines.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.streamgrad.model.ModelSpec;
import io.streamgrad.schema.AvroSerde;
import io.streamgrad.schema.ModelSnapshot;
import io.streamgrad.serve.Prediction;
import io.streamgrad.serve.Predictor;
import io.streamgrad.serve.TestSnapshots;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code snapshots export --format onnx} of a snapshot file writes a model ONNX Runtime runs with
 * the snapshot's predictions; an unknown format and an output that cannot be written are refused in
 * one line, the latter before Kafka is asked for the snapshot.
 */
class SnapshotsExportCommandTest {
    private static final int FEATURES = 4;

    @Test
    void exportsOnnxAndRefusesBadFormatsAndOutputs(@TempDir Path dir) throws Exception {
        // softmax over 4 classes, standardized
        ModelSpec spec = TestSnapshots.families(FEATURES).get(2);
        ModelSnapshot s = TestSnapshots.random("digits", spec, 77, 3, true);
        Path snapshotFile = dir.resolve("m.snapshot");
        Files.write(snapshotFile, AvroSerde.of(ModelSnapshot.class).serialize(s));
        Path model = dir.resolve("out/m.onnx");

        String stdout = run(0, export("file:" + snapshotFile, "onnx", model));
        assertEquals("wrote digits v77 as onnx to " + model, stdout.trim());

        float[] x = {4.5f, -2f, 0.25f, 30f};
        Prediction expected = Predictor.of(s).predict(x);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session =
                        env.createSession(model.toString(), new OrtSession.SessionOptions());
                OnnxTensor input =
                        OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {1, 4});
                OrtSession.Result out = session.run(Map.of("features", input))) {
            float[][] p = (float[][]) out.get("probabilities").get().getValue();
            for (int c = 0; c < 4; c++) {
                assertEquals(expected.probabilities()[c], p[0][c], 1e-5);
            }
            assertEquals((long) expected.value(), ((long[]) out.get("label").get().getValue())[0]);
            Map<String, String> props = session.getMetadata().getCustomMetadata();
            assertEquals("77", props.get("version"));
            assertTrue(
                    props.get("snapshot_json").contains("\"run_id\":\"test-run\""),
                    props.toString());
        }

        assertEquals(
                "streamgrad: --format pmml is not supported; use json or onnx",
                run(2, export("file:" + snapshotFile, "pmml", dir.resolve("x"))));

        // A file where a directory should be: refused before Kafka is asked (nothing listens).
        Path blocked = snapshotFile.resolve("m.onnx");
        assertEquals(
                "streamgrad: --output "
                        + blocked
                        + " cannot be written: "
                        + snapshotFile
                        + " is not a directory",
                run(2, export("latest", "onnx", blocked)));
        assertEquals(
                "streamgrad: --output " + dir + " is a directory; give a file name",
                run(2, export("latest", "onnx", dir)));
        assertFalse(Files.exists(dir.resolve("x")));
    }

    private static String[] export(String snapshot, String format, Path out) {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "snapshots",
                                "export",
                                "--bootstrap-servers",
                                "unused:9092",
                                "--snapshot",
                                snapshot,
                                "--format",
                                format,
                                "--output",
                                out.toString()));
        return args.toArray(String[]::new);
    }
}
