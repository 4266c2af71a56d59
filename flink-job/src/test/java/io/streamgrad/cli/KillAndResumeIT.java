package io.streamgrad.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamgrad.kafka.EmbeddedKafkaBroker;
import io.streamgrad.producers.SyntheticConfig;
import io.streamgrad.producers.SyntheticProducer;
import io.streamgrad.run.StateDirectory;
import io.streamgrad.run.TopicReader;
import io.streamgrad.schema.MetricKind;
import io.streamgrad.schema.ModelSnapshot;
import io.streamgrad.schema.Task;
import io.streamgrad.schema.TrainingMetric;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train} survives its own death: a bounded run in its own JVM is killed with SIGKILL (as
 * {@code kill -9} does) after a checkpoint, started again with the same state directory, three
 * times, and ends with the model of an uninterrupted run (event-time windows make batch composition
 * a function of the data), having published every iteration's metric exactly once.
 */
class KillAndResumeIT {
    private static final long EVENTS = 20_000;
    private static final int KILLS = Integer.getInteger("kills", 3);
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
    void killedThreeTimesEndsWithTheUninterruptedModel(@TempDir Path dir) throws Exception {
        String bootstrap = broker.bootstrapServers();
        new SyntheticProducer(bootstrap, workload("kill.events", EVENTS)).run(n -> {});

        // The reference: the same run, uninterrupted, in this JVM.
        Path reference = dir.resolve("reference.json");
        assertEquals(
                0,
                Streamgrad.execute(
                        args(bootstrap, "ref", dir.resolve("ref-state"), reference), System.err));
        JsonNode ref = new ObjectMapper().readTree(reference.toFile());

        // The same run in another JVM, killed after each of its first three new checkpoints.
        Path state = dir.resolve("state");
        Path summary = dir.resolve("killed.json");
        int kills = 0;
        List<String> firstLines = new ArrayList<>();
        for (int attempt = 0; attempt < 8 && !Files.exists(summary); attempt++) {
            Path log = dir.resolve("attempt-" + attempt + ".log");
            Process p = start(args(bootstrap, "killed", state, summary), log);
            Optional<Path> before = StateDirectory.at(state).latestCheckpoint();
            boolean killed = false;
            while (p.isAlive()) {
                Optional<Path> now = StateDirectory.at(state).latestCheckpoint();
                if (kills < KILLS && now.isPresent() && !now.equals(before)) {
                    p.destroyForcibly(); // SIGKILL: no shutdown hook, no clean cancel
                    p.waitFor(30, TimeUnit.SECONDS);
                    kills++;
                    killed = true;
                    break;
                }
                Thread.sleep(20);
            }
            firstLines.add(Files.readAllLines(log).get(0));
            if (!killed) {
                assertEquals(0, p.waitFor(), "attempt " + attempt + ": " + Files.readString(log));
            }
        }
        assertEquals(3, kills, "killed after three checkpoints: " + firstLines);
        assertTrue(firstLines.get(0).contains("afresh"), firstLines.get(0));
        for (String line : firstLines.subList(1, firstLines.size())) {
            assertTrue(line.contains("resuming run"), "says it resumes: " + line);
        }
        JsonNode resumed = new ObjectMapper().readTree(summary.toFile());
        assertEquals(ref.get("last_snapshot_version"), resumed.get("last_snapshot_version"));
        assertEquals(ref.get("model_checksum"), resumed.get("model_checksum"));
        // The counts live in checkpointed state: after three kills each record counts once.
        for (String count : List.of("events_consumed", "events_trained", "iterations")) {
            assertEquals(ref.get(count), resumed.get(count), count);
        }
        // The summary reads the metrics from where the first attempt began, not where the last
        // one did: the first iterations' losses are the first attempt's.
        assertEquals(ref.get("initial_loss"), resumed.get("initial_loss"));
        assertEquals(ref.get("epoch_losses"), resumed.get("epoch_losses"));

        // Exactly once on the metrics topic: every iteration of the run once, none twice.
        String runId = resumed.get("run_id").asText();
        List<Long> iterations =
                TopicReader.readAll(
                                bootstrap,
                                "kill.metrics",
                                TrainingMetric.class,
                                m ->
                                        runId.equals(m.getRunId())
                                                && m.getKind() == MetricKind.ITERATION)
                        .stream()
                        .map(TrainingMetric::getIteration)
                        .sorted()
                        .toList();
        long n = ref.get("iterations").asLong();
        assertEquals(n, iterations.size(), "one metric per iteration");
        for (int i = 0; i < n; i++) {
            assertEquals(i + 1, iterations.get(i));
        }
        // Snapshot versions of the key never go backwards on the topic.
        List<Long> versions =
                TopicReader.readAll(
                                bootstrap,
                                "kill.snapshots",
                                ModelSnapshot.class,
                                s -> runId.equals(s.getRunId()))
                        .stream()
                        .map(ModelSnapshot::getVersion)
                        .toList();
        assertEquals(versions.stream().sorted().toList(), versions);
        assertEquals(versions.stream().distinct().count(), versions.size());
    }

    /**
     * The workload of the failure tests (also {@link LocalClusterIT}): binary events with 10
     * features from a seeded teacher, model key k, in 4 partitions.
     */
    static SyntheticConfig workload(String topic, long events) {
        return new SyntheticConfig(topic, "k", Task.BINARY, 10, 2, 0.5, events, 0, 4, 5, 0, false);
    }

    private static String[] args(String bootstrap, String group, Path state, Path summary) {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "train",
                                "--bootstrap-servers",
                                bootstrap,
                                "--events-topic",
                                "kill.events",
                                "--metrics-topic",
                                "kill.metrics",
                                "--snapshots-topic",
                                "kill.snapshots",
                                "--dead-letter-topic",
                                "kill.dead",
                                "--group-id",
                                group,
                                "--state-dir",
                                state.toString(),
                                "--summary-json",
                                summary.toString()));
        args.addAll(trainingFlags());
        return args.toArray(String[]::new);
    }

    /** The bounded run of the failure tests: logistic regression, event-time windows of 5 s. */
    static List<String> trainingFlags() {
        return List.of(
                "--bounded",
                "--model",
                "logistic",
                "--features",
                "10",
                "--optimizer",
                "sgd",
                "--learning-rate",
                "0.05",
                "--window",
                "event-time:5s",
                "--checkpoint-interval-ms",
                "1000",
                "--snapshot-every",
                "50");
    }

    static Process start(String[] args, Path log) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(
                ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                        .filter(a -> a.startsWith("--add-") || a.startsWith("-Dorg.apache.avro"))
                        .toList());
        cmd.add(
                "-Dlog4j2.configurationFile="
                        + Path.of("src/main/cli/log4j2-cli.properties").toAbsolutePath());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Streamgrad.class.getName());
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
    }
}
