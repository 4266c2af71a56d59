package io.streamgrad.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamgrad.run.TopicReader;
import io.streamgrad.schema.MetricKind;
import io.streamgrad.schema.ModelSnapshot;
import io.streamgrad.schema.TrainingMetric;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the cluster tests (a cluster of processes, {@link LocalClusterIT}; of containers, {@link
 * ContainerClusterIT}) check of a job: its state and counts through the JobManager's REST API, and
 * its outputs against an uninterrupted in-process reference run's summary.
 */
final class ClusterChecks {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private ClusterChecks() {}

    /**
     * The flags of the cluster tests' runs: KillAndResumeIT's training flags on {@code
     * eventsTopic}, parallelism 2, output topics and group named after the run.
     */
    static List<String> jobArgs(String bootstrap, String eventsTopic, String name) {
        List<String> args = topicArgs(bootstrap, eventsTopic, name, 2);
        args.addAll(KillAndResumeIT.trainingFlags());
        return args;
    }

    /**
     * The Kafka flags of a run: {@code eventsTopic} in, output topics and group named after the
     * run, at a parallelism.
     */
    static List<String> topicArgs(
            String bootstrap, String eventsTopic, String name, int parallelism) {
        return new ArrayList<>(
                List.of(
                        "--bootstrap-servers",
                        bootstrap,
                        "--events-topic",
                        eventsTopic,
                        "--metrics-topic",
                        name + ".metrics",
                        "--snapshots-topic",
                        name + ".snapshots",
                        "--dead-letter-topic",
                        name + ".dead",
                        "--group-id",
                        name,
                        "--parallelism",
                        Integer.toString(parallelism)));
    }

    /** GET of the JobManager's REST API at {@code rest} (http://host:port); asserts 200. */
    static JsonNode get(String rest, String path) throws Exception {
        HttpResponse<String> r =
                HTTP.send(
                        HttpRequest.newBuilder(URI.create(rest + path))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), path + ": " + r.body());
        return JSON.readTree(r.body());
    }

    /** Waits until the job is FINISHED, FAILED or CANCELED; returns its /jobs/ID document. */
    static JsonNode awaitEnd(String rest, String id, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonNode j = get(rest, "/jobs/" + id);
            if (Set.of("FINISHED", "FAILED", "CANCELED").contains(j.get("state").asText())) {
                return j;
            }
            assertTrue(System.nanoTime() < deadline, "job " + id + " still " + j.get("state"));
            Thread.sleep(500);
        }
    }

    /** The job's accumulators as the JobManager reports them (/jobs/ID/accumulators). */
    static Map<String, Long> accumulators(String rest, String id) throws Exception {
        Map<String, Long> out = new HashMap<>();
        for (JsonNode a :
                get(rest, "/jobs/" + id + "/accumulators").get("user-task-accumulators")) {
            out.put(a.get("name").asText(), a.get("value").asLong());
        }
        return out;
    }

    /** The JobManager's counts equal the reference run's: every produced event counted once. */
    static void assertReferenceCounts(JsonNode ref, long events, Map<String, Long> acc) {
        assertEquals(events, acc.get("events-consumed"), acc.toString());
        assertEquals(ref.get("events_trained").asLong(), acc.get("events-trained"));
        assertEquals(ref.get("examples_trained").asLong(), acc.get("examples-trained"));
        assertEquals(ref.get("iterations").asLong(), acc.get("iterations"));
        assertEquals(0L, acc.get("dead-lettered"));
    }

    /**
     * The run that wrote {@code name.snapshots} and {@code name.metrics} trained the reference's
     * model: its last snapshot has the reference's version and parameter checksum, and its metrics
     * (read committed) hold iterations 1..n once each whose batch sizes add up to the reference's
     * examples trained (every event trained exactly once).
     */
    static void assertSameModelAndExactlyOnce(String bootstrap, JsonNode ref, String name) {
        List<ModelSnapshot> snapshots =
                TopicReader.readAll(bootstrap, name + ".snapshots", ModelSnapshot.class, s -> true);
        ModelSnapshot last =
                snapshots.stream().max(Comparator.comparingLong(ModelSnapshot::getVersion)).get();
        assertEquals(ref.get("last_snapshot_version").asLong(), last.getVersion(), name);
        assertEquals(ref.get("model_checksum").asText(), last.getParametersChecksum(), name);
        List<Long> versions = snapshots.stream().map(ModelSnapshot::getVersion).toList();
        assertEquals(versions.stream().distinct().count(), versions.size(), name + " " + versions);

        List<TrainingMetric> steps =
                TopicReader.readAll(
                                bootstrap,
                                name + ".metrics",
                                TrainingMetric.class,
                                m -> m.getKind() == MetricKind.ITERATION)
                        .stream()
                        .sorted(Comparator.comparingLong(TrainingMetric::getIteration))
                        .toList();
        long n = ref.get("iterations").asLong();
        assertEquals(n, steps.size(), name + ": one metric per iteration");
        for (int i = 0; i < n; i++) {
            assertEquals(i + 1, steps.get(i).getIteration(), name);
        }
        long examples = steps.stream().mapToLong(TrainingMetric::getBatchSize).sum();
        assertEquals(ref.get("examples_trained").asLong(), examples, name + ": examples trained");
    }
}
