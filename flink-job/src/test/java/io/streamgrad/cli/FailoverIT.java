package io.streamgrad.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamgrad.job.FailureInjection;
import io.streamgrad.kafka.EmbeddedKafkaBroker;
import io.streamgrad.producers.SyntheticConfig;
import io.streamgrad.producers.SyntheticProducer;
import io.streamgrad.run.TopicReader;
import io.streamgrad.schema.EventCounts;
import io.streamgrad.schema.MetricKind;
import io.streamgrad.schema.ModelSnapshot;
import io.streamgrad.schema.Task;
import io.streamgrad.schema.TrainingMetric;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failures injected inside a running MiniCluster job, at the three places a crash is most likely to
 * break exactly-once: between checkpoints (an arriving record), while a window closes (after one of
 * its updates, others still to come) and while a snapshot is written (emitted to its sink, not yet
 * committed). Flink restarts the job from its last checkpoint each time; the run must end with the
 * model of an uninterrupted run, bit for bit, every iteration's metric once on the metrics topic
 * (read {@code read_committed}) and its counts exact.
 */
class FailoverIT {
    private static final long EVENTS = 20_000;
    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafkaBroker.start();
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @AfterEach
    void disarm() {
        FailureInjection.reset();
    }

    @Test
    void restartsAfterInjectedFailuresEndWithTheUninterruptedModel(@TempDir Path dir)
            throws Exception {
        String bootstrap = broker.bootstrapServers();
        new SyntheticProducer(
                        bootstrap,
                        new SyntheticConfig(
                                "failover.events",
                                "f",
                                Task.BINARY,
                                10,
                                2,
                                0.5,
                                EVENTS,
                                0,
                                4,
                                9,
                                0,
                                false))
                .run(n -> {});

        Path reference = dir.resolve("reference.json");
        assertEquals(0, Streamgrad.execute(args(bootstrap, "ref", dir, reference), System.err));
        JsonNode ref = new ObjectMapper().readTree(reference.toFile());
        long iterations = ref.get("iterations").asLong();
        assertTrue(iterations > 200, "enough updates to fail in the middle: " + iterations);

        FailureInjection.failAt(FailureInjection.Point.RECORD, 7_000);
        FailureInjection.failAt(FailureInjection.Point.STEP, iterations / 2);
        FailureInjection.failAt(FailureInjection.Point.SNAPSHOT, 4);
        Path failed = dir.resolve("failed.json");
        assertEquals(0, Streamgrad.execute(args(bootstrap, "failed", dir, failed), System.err));
        assertEquals(0, FailureInjection.pending(), "all three failures happened");

        JsonNode run = new ObjectMapper().readTree(failed.toFile());
        assertEquals(ref.get("model_checksum"), run.get("model_checksum"), "bit-identical");
        assertEquals(ref.get("last_snapshot_version"), run.get("last_snapshot_version"));
        // The counts survived the restarts: each record counted once, not once per attempt.
        for (String count :
                List.of(
                        "events_consumed",
                        "events_trained",
                        "examples_trained",
                        "iterations",
                        "snapshots",
                        "dead_lettered")) {
            assertEquals(ref.get(count), run.get(count), count);
        }
        assertEquals(EVENTS, run.get("events_consumed").asLong());
        // The rate spans the whole job, restarts included: from the first attempt's first record,
        // over every example trained, not only those of the last attempt.
        for (JsonNode r : List.of(ref, run)) {
            assertEquals(
                    r.get("examples_trained").asDouble(),
                    r.get("events_per_second").asDouble() * r.get("rate_span_seconds").asDouble(),
                    1e-6 * r.get("examples_trained").asDouble(),
                    "events_per_second over the span covers every example: " + r);
        }
        // Start-up ends at the first attempt's first record, when a checkpoint kept it; a restart
        // before the first checkpoint completed leaves it unknown, and then it is not reported.
        assertTrue(
                run.get("startup_seconds").isNull()
                        || run.get("startup_seconds").asDouble()
                                < ref.get("startup_seconds").asDouble() + 5,
                "start-up is the first attempt's, or unknown: " + run.get("startup_seconds"));

        String runId = run.get("run_id").asText();
        List<TrainingMetric> metrics =
                TopicReader.readAll(
                        bootstrap,
                        "failover.metrics",
                        TrainingMetric.class,
                        m -> runId.equals(m.getRunId()));
        List<Long> steps =
                metrics.stream()
                        .filter(m -> m.getKind() == MetricKind.ITERATION)
                        .map(TrainingMetric::getIteration)
                        .sorted()
                        .toList();
        assertEquals(iterations, steps.size(), "one metric per iteration, none twice");
        for (int i = 0; i < iterations; i++) {
            assertEquals(i + 1, steps.get(i));
        }
        List<EventCounts> counts =
                metrics.stream()
                        .filter(m -> m.getKind() == MetricKind.COUNTS)
                        .map(TrainingMetric::getCounts)
                        .toList();
        for (EventCounts c : counts) {
            assertEquals(c.getConsumed(), c.getTrained() + c.getDeadLettered() + c.getPending());
        }
        assertEquals(
                new EventCounts(EVENTS, EVENTS, 0L, 0L),
                counts.stream()
                        .filter(c -> c.getPending() == 0 && c.getConsumed() == EVENTS)
                        .findFirst()
                        .orElseThrow(() -> new AssertionError("no final counts: " + counts)));

        List<Long> versions =
                TopicReader.readAll(
                                bootstrap,
                                "failover.snapshots",
                                ModelSnapshot.class,
                                s -> runId.equals(s.getRunId()))
                        .stream()
                        .map(ModelSnapshot::getVersion)
                        .toList();
        assertEquals(versions.stream().sorted().distinct().toList(), versions, "never backwards");

        // The offsets in the model's keyed state survived the restarts: the lineage of the last
        // snapshot is the uninterrupted run's, every event counted once.
        String refId = ref.get("run_id").asText();
        ModelSnapshot refLast = lastSnapshot(bootstrap, refId);
        ModelSnapshot runLast = lastSnapshot(bootstrap, runId);
        assertEquals(
                refLast.getLineage().getTrainedOffsets(), runLast.getLineage().getTrainedOffsets());
        assertEquals(
                EVENTS,
                runLast.getLineage().getTrainedOffsets().stream()
                        .mapToLong(r -> r.getExamples())
                        .sum());
    }

    private static ModelSnapshot lastSnapshot(String bootstrap, String runId) {
        return TopicReader.readAll(
                        bootstrap,
                        "failover.snapshots",
                        ModelSnapshot.class,
                        s -> runId.equals(s.getRunId()))
                .stream()
                .max(java.util.Comparator.comparingLong(ModelSnapshot::getVersion))
                .orElseThrow();
    }

    private static String[] args(String bootstrap, String group, Path dir, Path summary) {
        return new String[] {
            "train",
            "--bootstrap-servers",
            bootstrap,
            "--events-topic",
            "failover.events",
            "--metrics-topic",
            "failover.metrics",
            "--snapshots-topic",
            "failover.snapshots",
            "--dead-letter-topic",
            "failover.dead",
            "--group-id",
            group,
            "--state-dir",
            dir.resolve(group + "-state").toString(),
            "--bounded",
            "--model",
            "logistic",
            "--features",
            "10",
            "--optimizer",
            "adam",
            "--learning-rate",
            "0.01",
            "--window",
            "event-time:5s",
            "--checkpoint-interval-ms",
            "300",
            "--snapshot-every",
            "50",
            "--summary-json",
            summary.toString()
        };
    }
}
