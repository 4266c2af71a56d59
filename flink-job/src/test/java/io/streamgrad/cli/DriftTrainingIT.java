package io.streamgrad.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamgrad.kafka.EmbeddedKafkaBroker;
import io.streamgrad.run.TopicReader;
import io.streamgrad.schema.MetricKind;
import io.streamgrad.schema.TrainingMetric;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stream whose teacher changes abruptly halfway: the prequential loss jumps, both drift detectors
 * emit DRIFT metrics soon after the change and none before, and the progress output says so.
 */
class DriftTrainingIT {
    private static final int EVENTS = 16_384;
    private static final int BATCH = 64;
    private static final int CHANGE_ITERATION = EVENTS / 2 / BATCH; // 128

    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafkaBroker.start();
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @Test
    void theLossJumpsAtTheChangeAndBothDetectorsSayWhen(@TempDir Path dir) throws Exception {
        String bootstrap = broker.bootstrapServers();
        int exit =
                Streamgrad.execute(
                        new String[] {
                            "produce", "synthetic",
                            "--bootstrap-servers", bootstrap,
                            "--topic", "drift.events",
                            "--partitions", "1",
                            "--features", "10",
                            "--noise", "0.1",
                            "--events", Integer.toString(EVENTS),
                            "--drift-at", Integer.toString(EVENTS / 2),
                            "--drift-seed", "99"
                        },
                        System.err);
        assertEquals(0, exit);

        Path summary = dir.resolve("train.json");
        PrintStream stdout = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            exit =
                    Streamgrad.execute(
                            new String[] {
                                "train",
                                "--bootstrap-servers",
                                bootstrap,
                                "--state-dir",
                                StateDirs.fresh(),
                                "--events-topic",
                                "drift.events",
                                "--metrics-topic",
                                "drift.metrics",
                                "--snapshots-topic",
                                "drift.snapshots",
                                "--dead-letter-topic",
                                "drift.dead",
                                "--bounded",
                                // Source order: the change happens at one iteration.
                                "--shuffle",
                                "window",
                                "--features",
                                "10",
                                "--batch-size",
                                Integer.toString(BATCH),
                                "--optimizer",
                                "adam",
                                "--learning-rate",
                                "0.05",
                                "--drift-detector",
                                "page-hinkley:lambda=2",
                                "--drift-detector",
                                "adwin",
                                "--summary-json",
                                summary.toString()
                            },
                            System.err);
        } finally {
            System.setOut(stdout);
        }
        String output = captured.toString(StandardCharsets.UTF_8);
        System.out.print(output);
        assertEquals(0, exit);
        String runId = new ObjectMapper().readTree(summary.toFile()).get("run_id").asText();
        List<TrainingMetric> metrics =
                TopicReader.readAll(
                        bootstrap,
                        "drift.metrics",
                        TrainingMetric.class,
                        m -> runId.equals(m.getRunId()));
        List<TrainingMetric> drifts =
                metrics.stream().filter(m -> m.getKind() == MetricKind.DRIFT).toList();
        // The loss before and after: the new teacher's labels are far from the learned model's.
        double before = meanLoss(metrics, CHANGE_ITERATION - 16, CHANGE_ITERATION);
        double after = meanLoss(metrics, CHANGE_ITERATION + 1, CHANGE_ITERATION + 8);
        assertTrue(after > 2 * before, "loss jumps: " + before + " -> " + after);
        for (String name : List.of("page-hinkley", "adwin")) {
            List<Long> at =
                    drifts.stream()
                            .filter(m -> m.getDetail().startsWith(name))
                            .map(TrainingMetric::getIteration)
                            .toList();
            assertTrue(!at.isEmpty(), name + " fired: " + drifts);
            // Stated delay: within 40 iterations (2,560 events) of the change; never before it.
            assertTrue(
                    at.get(0) > CHANGE_ITERATION && at.get(0) <= CHANGE_ITERATION + 40,
                    name + " at " + at);
            assertTrue(at.stream().allMatch(i -> i > CHANGE_ITERATION), name + " at " + at);
        }
        assertTrue(output.contains("DRIFT iteration"), output);
    }

    private static double meanLoss(List<TrainingMetric> metrics, long from, long to) {
        return metrics.stream()
                .filter(m -> m.getKind() == MetricKind.ITERATION)
                .filter(m -> m.getIteration() >= from && m.getIteration() <= to)
                .mapToDouble(TrainingMetric::getLoss)
                .average()
                .orElseThrow();
    }
}
