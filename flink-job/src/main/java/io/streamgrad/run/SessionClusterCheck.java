package io.streamgrad.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamgrad.config.InvalidSettingException;
import io.streamgrad.model.BackendMemory;
import io.streamgrad.train.TrainingConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.configuration.RestOptions;

/**
 * Checks, before {@code flink run} submits the job to a session cluster, that the cluster can run
 * it: the JobManager answers, it has a slot for every parallel subtask, and a training step (and a
 * bounded run's block shuffle) fits in a slot's share of a TaskManager's memory. Without this a job
 * asking for more slots than exist is accepted and fails only after Flink's {@code
 * slot.request.timeout} (5 min), and a batch too large for a TaskManager fails on the TaskManager,
 * restart after restart.
 *
 * <p>Reads the JobManager's REST API: {@code /overview} (slots) and {@code /taskmanagers} (each
 * TaskManager's slots and {@code memoryConfiguration}). Only a session cluster is checked ({@code
 * execution.target: remote}); in application mode (Kubernetes) the cluster is made for the job and
 * its TaskManagers come on demand.
 */
public final class SessionClusterCheck {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SessionClusterCheck() {}

    /**
     * Whether the job is submitted by a client to a running session cluster ({@code
     * execution.target: remote}, as {@code flink run} sets it), not run in application mode.
     */
    public static boolean isSession(ReadableConfig flink) {
        return "remote".equals(flink.get(DeploymentOptions.TARGET));
    }

    /**
     * @param flink the client's Flink configuration (execution target, REST address and port)
     * @param parallelism the job's parallelism: one slot per subtask of the widest operator
     * @param bounded whether the job is a bounded run, whose block shuffle needs heap too
     * @throws InvalidSettingException naming the address, the slots or the memory needed, and what
     *     to do
     */
    public static void requireRoom(
            ReadableConfig flink, int parallelism, TrainingConfig training, boolean bounded) {
        if (!isSession(flink)) {
            return;
        }
        String rest =
                "http://" + flink.get(RestOptions.ADDRESS) + ":" + flink.get(RestOptions.PORT);
        JsonNode overview = get(rest, "/overview");
        int slots = overview.path("slots-total").asInt();
        int free = overview.path("slots-available").asInt(slots);
        int taskManagers = overview.path("taskmanagers").asInt();
        if (parallelism > free) {
            boolean othersHold = free < slots;
            throw new InvalidSettingException(
                    String.format(
                            "{parallelism} %d needs %d task slots but the Flink cluster at %s has"
                                    + " %d free of %d (%d TaskManager%s%s): lower {parallelism} to"
                                    + " at most %d, %sor add TaskManagers"
                                    + " (deploy/local/cluster.sh add-taskmanager)",
                            parallelism,
                            parallelism,
                            rest,
                            free,
                            slots,
                            taskManagers,
                            taskManagers == 1 ? "" : "s",
                            othersHold ? "; other jobs hold the rest" : "",
                            free,
                            othersHold ? "stop a job, " : ""));
        }
        for (JsonNode tm : get(rest, "/taskmanagers").path("taskmanagers")) {
            requireFits(tm, training, bounded, rest);
        }
    }

    /**
     * ND4J's CPU backend allocates through JavaCPP, whose allowance defaults to the JVM's max heap
     * (framework + task heap); every slot of the TaskManager may run a training step at once, so
     * each gets its share. This is the CPU backend's limit only: with the CUDA backend (a job jar
     * built with {@code -Pcuda}) a step's arrays live in device memory, which the JobManager does
     * not report, so a step too large for the GPU is not caught here. A bounded run's block shuffle
     * holds three groups of raw records on the heap of whichever TaskManager runs its one source
     * subtask: checked against half that heap, as a local run's against half its JVM's.
     *
     * @param tm one TaskManager as {@code /taskmanagers} lists it
     * @param bounded whether the job is a bounded run (its shuffle's blocks are checked too)
     */
    static void requireFits(JsonNode tm, TrainingConfig training, boolean bounded, String rest) {
        JsonNode memory = tm.path("memoryConfiguration");
        long heap = memory.path("frameworkHeap").asLong() + memory.path("taskHeap").asLong();
        int slots = Math.max(1, tm.path("slotsNumber").asInt());
        if (heap <= 0) {
            return; // an older JobManager that does not report memory: nothing to check
        }
        String share =
                String.format(
                        "a slot's share of TaskManager %s at %s: %,d MiB of JVM heap over %d"
                                + " slots",
                        tm.path("id").asText(), rest, heap >> 20, slots);
        String more =
                "raise taskmanager.memory.process.size (STREAMGRAD_FLINK_TM_MEMORY) or use fewer"
                        + " slots";
        Preflight.requireStepFits(
                training, new BackendMemory("CPU", heap / slots, share + "; " + more));
        if (bounded) {
            // One source subtask reads the blocks (the replay reads at parallelism 1), so its
            // groups take from the TaskManager's heap, not from every slot's share.
            Preflight.requireBlocksFit(
                    training.batching(),
                    training.spec().inputSize(),
                    0,
                    heap,
                    bytes ->
                            String.format(
                                    "give the TaskManagers more (TaskManager %s at %s has %,d MiB"
                                            + " of JVM heap): raise taskmanager.memory.process.size"
                                            + " (STREAMGRAD_FLINK_TM_MEMORY)",
                                    tm.path("id").asText(), rest, heap >> 20));
        }
    }

    private static JsonNode get(String rest, String path) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        try {
            HttpResponse<String> r =
                    http.send(
                            HttpRequest.newBuilder(URI.create(rest + path))
                                    .timeout(Duration.ofSeconds(10))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new InvalidSettingException(
                        String.format(
                                "the Flink JobManager at %s answered %s with HTTP %d: %s",
                                rest, path, r.statusCode(), oneLine(r.body())));
            }
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new InvalidSettingException(
                    String.format(
                            "no Flink JobManager answers at %s (%s): start the cluster"
                                    + " (deploy/local/cluster.sh start) or point flink run at it"
                                    + " (-m host:port, rest.address/rest.port)",
                            rest, e.getMessage() == null ? e.getClass().getSimpleName() : e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while asking " + rest, e);
        }
    }

    private static String oneLine(String s) {
        String flat = s.replaceAll("\\s+", " ").strip();
        return flat.length() > 300 ? flat.substring(0, 300) + "…" : flat;
    }
}
