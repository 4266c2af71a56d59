package io.streamgrad.cli;

import static io.streamgrad.cli.CommandLines.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamgrad.evaluate.Scorer;
import io.streamgrad.model.ModelSpec;
import io.streamgrad.schema.AvroSerde;
import io.streamgrad.schema.ModelSnapshot;
import io.streamgrad.serve.TestSnapshots;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code predict --input csv:FILE} with a snapshot file: one output row per input row, carrying its
 * id, the snapshot version and the probabilities the {@link Scorer} computes for the same rows;
 * malformed rows are refused naming file, line, column and value.
 */
class PredictCommandTest {
    private static final int FEATURES = 4;

    @Test
    void predictsEveryRowOfACsvFileAsTheScorerDoes(@TempDir Path dir) throws Exception {
        // softmax over 4 classes, standardized
        ModelSpec spec = TestSnapshots.families(FEATURES).get(2);
        ModelSnapshot s = TestSnapshots.random("digits", spec, 77, 3, true);
        Path snapshotFile = dir.resolve("m.snapshot");
        Files.write(snapshotFile, AvroSerde.of(ModelSnapshot.class).serialize(s));

        int n = 50;
        SplittableRandom rng = new SplittableRandom(4);
        float[] x = new float[n * FEATURES];
        List<String> lines = new ArrayList<>(List.of("f0,f1,id,f2,f3"));
        for (int r = 0; r < n; r++) {
            String[] cells = new String[FEATURES];
            for (int j = 0; j < FEATURES; j++) {
                x[r * FEATURES + j] = (float) (2 * rng.nextGaussian());
                cells[j] = Float.toString(x[r * FEATURES + j]);
            }
            lines.add(cells[0] + "," + cells[1] + ",row-" + r + "," + cells[2] + "," + cells[3]);
        }
        Path csv = dir.resolve("in.csv");
        Files.write(csv, lines);
        Path out = dir.resolve("out/predictions.csv");

        String stdout = run(0, predict(snapshotFile, csv, out, "--id-column", "id"));
        assertTrue(
                stdout.contains("predicted 50 rows with model digits v77 of run test-run"), stdout);

        Scorer scorer = new Scorer(s);
        Scorer.Predictions expected = scorer.score(x, new double[n], n, scorer.newAccumulator());
        List<String> rows = Files.readAllLines(out);
        assertEquals("id,snapshot_version,prediction,p0,p1,p2,p3", rows.get(0));
        assertEquals(n + 1, rows.size());
        for (int r = 0; r < n; r++) {
            String[] f = rows.get(r + 1).split(",");
            assertEquals("row-" + r, f[0]);
            assertEquals("77", f[1]);
            double sum = 0;
            for (int c = 0; c < 4; c++) {
                double p = Double.parseDouble(f[3 + c]);
                assertEquals(expected.probabilities()[r * 4 + c], p, 1e-5, "row " + r);
                sum += p;
            }
            assertEquals(1.0, sum, 1e-12);
            int predicted = Integer.parseInt(f[2]);
            assertEquals(
                    expected.probabilities()[r * 4 + (int) expected.prediction()[r]],
                    Double.parseDouble(f[3 + predicted]),
                    1e-5);
        }

        // Without --id-column the id is a feature too: five columns for a four-feature model.
        String noId = run(2, predict(snapshotFile, csv, out));
        assertEquals(
                "streamgrad: --input csv:"
                        + csv
                        + " line 1: 5 feature columns, but model digits v77 takes 4 (name an id"
                        + " column with --id-column; every other column is a feature)",
                noId);

        assertEquals(n + 1, Files.readAllLines(out).size(), "a refused run leaves the output");
        assertEquals(List.of("predictions.csv"), listing(out.getParent()));

        lines.set(3, "0.5,1.5,row-2,abc,2");
        Files.write(csv, lines);
        String bad = run(2, predict(snapshotFile, csv, out, "--id-column", "id"));
        assertEquals(
                "streamgrad: --input csv:"
                        + csv
                        + " line 4 column f2: 'abc' is not a finite number",
                bad);
        assertEquals(List.of("predictions.csv"), listing(out.getParent()), "no partial file");
    }

    private static List<String> listing(Path dir) throws java.io.IOException {
        try (var files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    private static String[] predict(Path snapshot, Path csv, Path out, String... more) {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "predict",
                                "--bootstrap-servers",
                                "unused:9092",
                                "--snapshot",
                                "file:" + snapshot,
                                "--input",
                                "csv:" + csv,
                                "--output",
                                out.toString()));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }
}
