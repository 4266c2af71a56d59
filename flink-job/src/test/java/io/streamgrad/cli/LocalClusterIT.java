package io.streamgrad.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamgrad.kafka.Topic;
import io.streamgrad.kafka.TopicAdmin;
import io.streamgrad.producers.SyntheticConfig;
import io.streamgrad.producers.SyntheticProducer;
import io.streamgrad.run.TopicReader;
import io.streamgrad.schema.DeadLetter;
import io.streamgrad.schema.DeadLetterReason;
import io.streamgrad.schema.ModelSnapshot;
import io.streamgrad.schema.Task;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The job on a real Flink standalone session cluster, with real processes started by the scripts of
 * {@code deploy/local/}: a Kafka broker process, a JobManager and two TaskManagers (each its own
 * JVM), on free ports. A TaskManager running trainer subtasks is killed with SIGKILL after a
 * checkpoint and a new one is started; the job must recover and end with the model of an
 * uninterrupted in-process run (event-time windows make batches a function of the data), every
 * iteration published once and every event trained once. A second job then runs on the same
 * TaskManagers, uninterrupted, and the JobManager's accumulators must equal the reference; ND4J
 * must be loaded once per TaskManager (by the TaskManager's own class loader, its native library
 * mapped from one place).
 *
 * <p>Runs in the {@code cluster} profile (on by default; {@code -DskipClusterTests} skips it). Logs
 * of every process stay in {@code target/local-cluster-it-*}.
 */
@Tag("local-cluster")
class LocalClusterIT {
    // Enough that an uncontended machine is still mid-run when the JobManager's accumulators
    // (refreshed with the TaskManagers' heartbeats, every 10 s) show the first twentieth done.
    /**
     * Enough for the kill to land mid-run: 640,000 events ran in 6 s on a faster machine (Intel
     * Xeon, Dec 2026), and every task but the trainers had finished by the time the first
     * checkpoint after a twentieth of the iterations completed.
     */
    private static final long EVENTS = 1_600_000;

    private static final Path LOCAL = Path.of("..", "deploy", "local").toAbsolutePath().normalize();
    private static final ObjectMapper JSON = ClusterChecks.JSON;

    private static Path work;
    private static Map<String, String> env;
    private static String bootstrap;
    private static String rest;

    @BeforeAll
    static void startBrokerAndCluster() throws Exception {
        work =
                Path.of("target")
                        .toAbsolutePath()
                        .resolve(
                                "local-cluster-it-"
                                        + LocalDateTime.now()
                                                .format(
                                                        DateTimeFormatter.ofPattern(
                                                                "yyyyMMdd-HHmmss")));
        Files.createDirectories(work);
        int[] ports = freePorts(4);
        env = new HashMap<>();
        env.put("STREAMGRAD_LOCAL_DIR", work.toString());
        env.put("STREAMGRAD_KAFKA_PORT", Integer.toString(ports[0]));
        env.put("STREAMGRAD_KAFKA_CONTROLLER_PORT", Integer.toString(ports[1]));
        env.put("STREAMGRAD_FLINK_REST_PORT", Integer.toString(ports[2]));
        env.put("STREAMGRAD_FLINK_RPC_PORT", Integer.toString(ports[3]));
        bootstrap = "localhost:" + ports[0];
        // Whatever happens to this JVM short of SIGKILL, the processes the scripts start end.
        Runtime.getRuntime().addShutdownHook(new Thread(LocalClusterIT::stopQuietly));
        rest = "http://localhost:" + ports[2];
        script(Duration.ofMinutes(3), "kafka.sh", "start");
        long t = System.nanoTime();
        script(Duration.ofMinutes(5), "cluster.sh", "start", "2");
        System.out.printf(
                "cluster of 2 TaskManagers ready in %.1f s%n", (System.nanoTime() - t) / 1e9);
    }

    @AfterAll
    static void stopEverything() throws Exception {
        script(Duration.ofMinutes(2), "cluster.sh", "stop");
        script(Duration.ofMinutes(1), "kafka.sh", "stop");
    }

    private static void stopQuietly() {
        try {
            script(Duration.ofMinutes(2), "cluster.sh", "stop");
            script(Duration.ofMinutes(1), "kafka.sh", "stop");
        } catch (Exception | AssertionError e) {
            System.err.println("stopping the local cluster: " + e);
        }
    }

    @Test
    void survivesALostTaskManagerAndLoadsNd4jOncePerTaskManager() throws Exception {
        new SyntheticProducer(bootstrap, KillAndResumeIT.workload("c.events", EVENTS)).run(n -> {});

        // The reference: the same flags in a MiniCluster in this JVM, uninterrupted.
        Path reference = work.resolve("reference.json");
        String[] refArgs =
                Stream.concat(
                                Stream.of("train"),
                                Stream.concat(
                                        Stream.of(
                                                "--state-dir",
                                                work.resolve("ref-state").toString(),
                                                "--summary-json",
                                                reference.toString()),
                                        Stream.of(jobArgs("ref"))))
                        .toArray(String[]::new);
        assertEquals(0, Streamgrad.execute(refArgs, System.err));
        JsonNode ref = JSON.readTree(reference.toFile());
        long refIterations = ref.get("iterations").asLong();
        assertEquals(EVENTS, ref.get("events_consumed").asLong(), ref.toString());
        assertTrue(refIterations > 100, "enough iterations to kill mid-run: " + refIterations);

        // Job 1 on the cluster: kill -9 a TaskManager running trainer subtasks after a checkpoint.
        Path jar = jobJar();
        String job1 = submit(jar, "c1");
        // Kill once the trainer has state worth restoring: a twentieth of the iterations done, and
        // a checkpoint completed that was triggered after they were.
        awaitIterations(job1, refIterations / 20);
        awaitCheckpointTriggeredAfter(job1, System.currentTimeMillis());
        // Mid-run for every task: a subtask that had finished before the failover is restored as
        // finished and reports no accumulators again (Flink keeps a finished task's final state,
        // not its counts), so the counts below hold for a kill while all of them run.
        assertEquals(
                0,
                job(job1).path("status-counts").path("FINISHED").asInt(),
                "a task finished before the kill: the run is too short for its kill window");
        String trainerTm = trainerTaskManager(job1);
        assertEquals("RUNNING", job(job1).get("state").asText(), "still running when killed");
        long t = System.nanoTime();
        script(
                Duration.ofMinutes(1),
                "cluster.sh",
                "kill-taskmanager",
                trainerTm.substring("taskmanager-".length()));
        script(Duration.ofMinutes(4), "cluster.sh", "add-taskmanager");
        JsonNode end1 = awaitEnd(job1, Duration.ofMinutes(6));
        System.out.printf("job 1 finished %.1f s after the kill%n", (System.nanoTime() - t) / 1e9);
        assertEquals("FINISHED", end1.get("state").asText(), exceptions(job1).toString());
        assertFalse(
                exceptions(job1).path("exceptionHistory").path("entries").isEmpty(),
                "a failover happened (did the job end before the kill?)");
        assertSameModelAndExactlyOnce(ref, "c1");
        // The counts live in checkpointed operator state: after the failover the JobManager's
        // accumulators still count every event once (not only the restarted attempt's share,
        // nor the replayed records twice).
        Map<String, Long> acc1 = accumulators(job1);
        System.out.println("job 1 accumulators after the failover: " + acc1);
        ClusterChecks.assertReferenceCounts(ref, EVENTS, acc1);
        String job1Tm = trainerTaskManager(job1);

        // Job 2 on the same TaskManagers, uninterrupted: the JobManager's counts are the run's.
        String job2 = submit(jar, "c2");
        JsonNode end2 = awaitEnd(job2, Duration.ofMinutes(6));
        assertEquals("FINISHED", end2.get("state").asText(), exceptions(job2).toString());
        assertSameModelAndExactlyOnce(ref, "c2");
        Map<String, Long> acc = accumulators(job2);
        ClusterChecks.assertReferenceCounts(ref, EVENTS, acc);

        // Job 3 with another optimizer, on TaskManagers where the SGD jobs ended and their class
        // loaders closed: Adam's first use initializes ND4J classes the SGD jobs never touched
        // (its compressors), which ND4J loads through the class loader it keeps in a static field;
        // a finished job's, closed, failed every such job ("Trying to access closed classloader").
        List<String> adam = new ArrayList<>(List.of(jobArgs("c3")));
        adam.set(adam.indexOf("sgd"), "adam");
        String job3 = submit(jar, "c3", adam);
        JsonNode end3 = awaitEnd(job3, Duration.ofMinutes(6));
        assertEquals("FINISHED", end3.get("state").asText(), exceptions(job3).toString());
        assertTrue(
                exceptions(job3).path("exceptionHistory").path("entries").isEmpty(),
                "job 3 ran without a failure: " + exceptions(job3));
        ClusterChecks.assertReferenceCounts(ref, EVENTS, accumulators(job3));

        // ND4J once per TaskManager: Nd4j's class is the TaskManager's (application class
        // loader), never a job's, and its JNI library is mapped from one path, the cache of the
        // TaskManager's nd4j-native jar (a job's copy would unpack under the job jar's name).
        int withNd4j = 0;
        for (Path pidFile : taskManagerPids()) {
            long pid = Long.parseLong(Files.readString(pidFile).trim());
            Set<String> jni = mappedLibraries(pid, "libjnind4jcpu.so");
            List<String> nd4jLoaders = loadersOf(pid, "org.nd4j.linalg.factory.Nd4j");
            System.out.println(
                    pidFile.getFileName() + ": Nd4j loaded by " + nd4jLoaders + ", " + jni);
            if (jni.isEmpty()) {
                assertTrue(nd4jLoaders.isEmpty(), pidFile + ": " + nd4jLoaders);
                continue;
            }
            withNd4j++;
            assertEquals(1, jni.size(), pidFile + " maps the JNI library once: " + jni);
            assertTrue(
                    jni.iterator().next().contains("/nd4j-native-"),
                    "from the TaskManager's jar: " + jni);
            assertEquals(List.of("app"), nd4jLoaders, pidFile.toString());
        }
        assertTrue(withNd4j >= 1, "a TaskManager ran the trainer");
        String job2Tm = trainerTaskManager(job2);
        System.out.println(
                "trainer subtasks ran on "
                        + trainerTm
                        + " (job 1, killed), "
                        + job1Tm
                        + " (job 1 after the failover), "
                        + job2Tm
                        + " (job 2)");
    }

    /**
     * One job, 1,000 models: each model key gets its 32 events (its own teacher), the keyed state
     * of the models spreads over the trainer subtasks of both TaskManagers, and every key's final
     * snapshot is the model an in-process run trains for it. Before that, jobs the cluster cannot
     * run are refused by the client in one line, before anything is submitted.
     */
    @Test
    void aThousandModelsSpreadOverBothTaskManagers() throws Exception {
        int models = 1000;
        long perModel = 32;
        SyntheticConfig events =
                new SyntheticConfig(
                        "c.many",
                        "m",
                        Task.BINARY,
                        10,
                        2,
                        0.5,
                        models * perModel,
                        0,
                        4,
                        7,
                        0,
                        false);
        new SyntheticProducer(bootstrap, events, models).run(n -> {});
        Path jar = jobJar();

        // More slots than the cluster has, a batch larger than a slot's share of a TaskManager:
        // one line each from the client, exit non-zero, no job submitted.
        Ended slots = run(Duration.ofMinutes(3), "flink", submitArgs(jar, "s", 64, manyFlags()));
        assertTrue(slots.exit() != 0, slots.out());
        assertTrue(
                slots.out().contains("--parallelism 64 needs 64 task slots but the Flink cluster")
                        && slots.out().contains(" free of "),
                slots.out());
        List<String> huge = new ArrayList<>(manyFlags());
        huge.set(huge.indexOf("logistic"), "mlp:2048");
        huge.set(huge.indexOf("--batch-size") + 1, "65536");
        Ended memory = run(Duration.ofMinutes(3), "flink", submitArgs(jar, "h", 2, huge));
        assertTrue(memory.exit() != 0, memory.out());
        assertTrue(memory.out().contains("--batch-size 65536 does not fit"), memory.out());
        assertTrue(memory.out().contains("a slot's share of TaskManager"), memory.out());
        // What train refuses, the job jar refuses too: a missing topic, events of another width.
        List<String> missing = new ArrayList<>(List.of("run", "-d", jar.toString()));
        missing.addAll(ClusterChecks.topicArgs(bootstrap, "c.nosuch", "n", 2));
        missing.addAll(manyFlags());
        Ended noTopic = run(Duration.ofMinutes(3), "flink", missing.toArray(String[]::new));
        assertTrue(noTopic.exit() != 0, noTopic.out());
        assertTrue(noTopic.out().contains("topic c.nosuch does not exist"), noTopic.out());
        List<String> wider = new ArrayList<>(manyFlags());
        wider.set(wider.indexOf("--features") + 1, "12");
        Ended width = run(Duration.ofMinutes(3), "flink", submitArgs(jar, "w", 2, wider));
        assertTrue(width.exit() != 0, width.out());
        assertTrue(
                width.out().contains("have 10 features but --features is 12: pass --features 10"),
                width.out());
        // --skip-kafka-checks (a client that cannot reach the cluster's Kafka): the refused
        // submission goes through, and the job itself dead-letters what the check refused, with
        // reason and coordinates, and finishes.
        List<String> unchecked = new ArrayList<>(List.of(submitArgs(jar, "k", 2, wider)));
        unchecked.add("--skip-kafka-checks");
        Ended skipped = run(Duration.ofMinutes(3), "flink", unchecked.toArray(String[]::new));
        assertEquals(0, skipped.exit(), skipped.out());
        Matcher skippedId = Pattern.compile("JobID ([0-9a-f]{32})").matcher(skipped.out());
        assertTrue(skippedId.find(), skipped.out());
        JsonNode skippedEnd = awaitEnd(skippedId.group(1), Duration.ofMinutes(4));
        assertEquals(
                "FINISHED",
                skippedEnd.get("state").asText(),
                exceptions(skippedId.group(1)).toString());
        List<DeadLetter> dead =
                TopicReader.readAll(bootstrap, "k.dead", DeadLetter.class, d -> true);
        assertEquals(models * perModel, dead.size(), "every event dead-lettered once");
        Set<String> offsets = new HashSet<>();
        for (DeadLetter d : dead) {
            assertEquals(
                    DeadLetterReason.WRONG_FEATURE_COUNT,
                    DeadLetterReason.fromWireName(d.getReason().toString()));
            assertEquals("c.many", d.getTopic().toString());
            offsets.add(d.getPartition() + ":" + d.getOffset());
        }
        assertEquals(models * perModel, offsets.size(), "distinct coordinates");
        long jobsBefore = get("/jobs/overview").get("jobs").size();

        // The reference: the same flags in a MiniCluster in this JVM.
        Path reference = work.resolve("many-reference.json");
        List<String> refArgs = new ArrayList<>(List.of("train"));
        refArgs.addAll(
                List.of(
                        "--state-dir",
                        work.resolve("many-ref-state").toString(),
                        "--summary-json",
                        reference.toString()));
        refArgs.addAll(ClusterChecks.topicArgs(bootstrap, "c.many", "many-ref", 2));
        refArgs.addAll(manyFlags());
        assertEquals(0, Streamgrad.execute(refArgs.toArray(String[]::new), System.err));
        JsonNode ref = JSON.readTree(reference.toFile());
        assertEquals(models * perModel, ref.get("events_consumed").asLong(), ref.toString());

        List<String> flags = ClusterChecks.topicArgs(bootstrap, "c.many", "many", 4);
        flags.addAll(manyFlags());
        String id = submit(jar, "many", flags);
        assertEquals(jobsBefore + 1, get("/jobs/overview").get("jobs").size(), "refused: none");
        JsonNode end = awaitEnd(id, Duration.ofMinutes(6));
        assertEquals("FINISHED", end.get("state").asText(), exceptions(id).toString());
        ClusterChecks.assertReferenceCounts(ref, models * perModel, accumulators(id));

        // Every key's final snapshot: the reference's model, trained on its share of the events.
        Map<String, ModelSnapshot> mine = lastSnapshots("many.snapshots");
        Map<String, ModelSnapshot> theirs = lastSnapshots("many-ref.snapshots");
        assertEquals(models, mine.size(), "a final snapshot for every key");
        assertEquals(theirs.keySet(), mine.keySet());
        for (Map.Entry<String, ModelSnapshot> e : mine.entrySet()) {
            ModelSnapshot s = e.getValue();
            ModelSnapshot r = theirs.get(e.getKey());
            assertEquals(perModel, s.getExamplesSeen(), e.getKey() + ": its share of the events");
            assertEquals(r.getVersion(), s.getVersion(), e.getKey());
            assertEquals(r.getParametersChecksum(), s.getParametersChecksum(), e.getKey());
        }
        // Keyed state spread: the trainer's subtasks on both TaskManagers received models' events.
        Map<String, Long> received = trainerRecordsByTaskManager(id);
        System.out.println("trainer records per TaskManager: " + received);
        assertEquals(2, received.values().stream().filter(n -> n > 0).count(), received.toString());
        // Twice: the range is read once to train and once more for the full-pass loss.
        assertEquals(
                2L * models * perModel,
                received.values().stream().mapToLong(Long::longValue).sum(),
                "each event reached one trainer subtask once per pass");
    }

    /** The training flags of the many-models runs: event-time windows of a minute, batch 16. */
    private static List<String> manyFlags() {
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
                "--batch-size",
                "16",
                "--window",
                "event-time:1m",
                "--checkpoint-interval-ms",
                "2000",
                "--snapshot-every",
                "1000");
    }

    private static String[] submitArgs(Path jar, String name, int parallelism, List<String> flags) {
        List<String> args = new ArrayList<>(List.of("run", "-d", jar.toString()));
        args.addAll(ClusterChecks.topicArgs(bootstrap, "c.many", name, parallelism));
        args.addAll(flags);
        return args.toArray(String[]::new);
    }

    /** The newest snapshot of every model key on a snapshots topic (read committed). */
    private static Map<String, ModelSnapshot> lastSnapshots(String topic) {
        Map<String, ModelSnapshot> last = new HashMap<>();
        for (ModelSnapshot s :
                TopicReader.readAll(bootstrap, topic, ModelSnapshot.class, x -> true)) {
            last.merge(
                    s.getModel().toString(), s, (a, b) -> a.getVersion() >= b.getVersion() ? a : b);
        }
        return last;
    }

    /** Records the trainer vertex received, per TaskManager (the JobManager's task metrics). */
    private static Map<String, Long> trainerRecordsByTaskManager(String id) throws Exception {
        Map<String, Long> out = new HashMap<>();
        for (JsonNode v : job(id).get("vertices")) {
            if (v.get("name").asText().contains("train")) {
                for (JsonNode tm :
                        get("/jobs/" + id + "/vertices/" + v.get("id").asText() + "/taskmanagers")
                                .get("taskmanagers")) {
                    out.merge(
                            tm.get("taskmanager-id").asText(),
                            tm.path("metrics").path("read-records").asLong(),
                            Long::sum);
                }
            }
        }
        return out;
    }

    /** The flags of every run here: KillAndResumeIT's run, parallelism 2, own topics. */
    private static String[] jobArgs(String name) {
        return ClusterChecks.jobArgs(bootstrap, "c.events", name).toArray(String[]::new);
    }

    private static void assertSameModelAndExactlyOnce(JsonNode ref, String name) {
        ClusterChecks.assertSameModelAndExactlyOnce(bootstrap, ref, name);
    }

    private static String submit(Path jar, String name) throws Exception {
        return submit(jar, name, List.of(jobArgs(name)));
    }

    /** Submits the job jar detached with these job flags; returns its id. */
    private static String submit(Path jar, String name, List<String> jobFlags) throws Exception {
        List<String> args = new ArrayList<>(List.of("run", "-d", jar.toString()));
        args.addAll(jobFlags);
        // Each restart tried while the lost TaskManager's slots are still counted uses one.
        args.addAll(List.of("--restart-attempts", "30"));
        try (TopicAdmin admin = new TopicAdmin(bootstrap)) {
            admin.ensureTopic(Topic.METRICS, name + ".metrics", 1);
            admin.ensureTopic(Topic.SNAPSHOTS, name + ".snapshots", 1);
            admin.ensureTopic(Topic.DEAD_LETTER, name + ".dead", 1);
        }
        String out = script(Duration.ofMinutes(3), "flink", args.toArray(String[]::new));
        Matcher m = Pattern.compile("JobID ([0-9a-f]{32})").matcher(out);
        assertTrue(m.find(), out);
        return m.group(1);
    }

    private static Path jobJar() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("target"))) {
            return files.filter(p -> p.getFileName().toString().endsWith("-job.jar"))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no job jar: run the package phase"))
                    .toAbsolutePath();
        }
    }

    private static JsonNode get(String path) throws Exception {
        return ClusterChecks.get(rest, path);
    }

    private static JsonNode job(String id) throws Exception {
        return get("/jobs/" + id);
    }

    private static JsonNode exceptions(String id) throws Exception {
        return get("/jobs/" + id + "/exceptions");
    }

    /** Waits for a completed checkpoint that the JobManager triggered after this time. */
    private static void awaitCheckpointTriggeredAfter(String id, long epochMillis)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
        while (get("/jobs/" + id + "/checkpoints")
                        .path("latest")
                        .path("completed")
                        .path("trigger_timestamp")
                        .asLong()
                <= epochMillis) {
            assertEquals("RUNNING", job(id).get("state").asText(), "ended before a checkpoint");
            assertTrue(System.nanoTime() < deadline, "no checkpoint in 4 min");
            Thread.sleep(200);
        }
    }

    /** Waits until the running job's accumulators (as the JobManager has them) show n steps. */
    private static void awaitIterations(String id, long n) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
        while (accumulators(id).getOrDefault("iterations", 0L) < n) {
            assertEquals(
                    "RUNNING", job(id).get("state").asText(), "ended before " + n + " iterations");
            assertTrue(System.nanoTime() < deadline, "not " + n + " iterations in 4 min");
            Thread.sleep(200);
        }
    }

    private static JsonNode awaitEnd(String id, Duration timeout) throws Exception {
        return ClusterChecks.awaitEnd(rest, id, timeout);
    }

    /** The resource id (taskmanager-I) of the TaskManager running the trainer's subtasks. */
    private static String trainerTaskManager(String id) throws Exception {
        for (JsonNode v : job(id).get("vertices")) {
            if (v.get("name").asText().contains("train")) {
                for (JsonNode tm :
                        get("/jobs/" + id + "/vertices/" + v.get("id").asText() + "/taskmanagers")
                                .get("taskmanagers")) {
                    if (tm.path("status-counts").path("RUNNING").asInt()
                                    + tm.path("status-counts").path("FINISHED").asInt()
                            > 0) {
                        return tm.get("taskmanager-id").asText();
                    }
                }
            }
        }
        throw new AssertionError("no trainer subtask found: " + job(id));
    }

    private static Map<String, Long> accumulators(String id) throws Exception {
        return ClusterChecks.accumulators(rest, id);
    }

    private static List<Path> taskManagerPids() throws IOException {
        try (Stream<Path> files = Files.list(work.resolve("pid"))) {
            return files.filter(p -> p.getFileName().toString().startsWith("taskmanager-"))
                    .sorted()
                    .toList();
        }
    }

    /** Distinct paths of a native library mapped into a process. */
    private static Set<String> mappedLibraries(long pid, String name) throws IOException {
        Set<String> paths = new HashSet<>();
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "maps"))) {
            if (line.endsWith("/" + name)) {
                paths.add(line.substring(line.indexOf('/')));
            }
        }
        return paths;
    }

    /**
     * The class loaders (their names as {@code jcmd VM.classloaders} prints them) holding a class.
     */
    private static List<String> loadersOf(long pid, String className) throws Exception {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process p =
                new ProcessBuilder(
                                jcmd.toString(),
                                Long.toString(pid),
                                "VM.classloaders",
                                "show-classes")
                        .redirectErrorStream(true)
                        .start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        List<String> loaders = new ArrayList<>();
        String loader = null;
        for (String line : out.split("\n")) {
            Matcher m = Pattern.compile("\\+-- (?:\"([^\"]+)\", )?(\\S+)").matcher(line);
            if (m.find()) {
                loader = m.group(1) != null ? m.group(1) : m.group(2);
            } else if (line.strip().endsWith(" " + className) || line.strip().equals(className)) {
                loaders.add(loader);
            }
        }
        return loaders;
    }

    /** Runs deploy/local/NAME with the test's environment; returns its output, asserts exit 0. */
    private static String script(Duration timeout, String name, String... args) throws Exception {
        Ended r = run(timeout, name, args);
        assertEquals(0, r.exit(), name + " " + String.join(" ", args) + ": " + r.out());
        return r.out();
    }

    /** How a script ended: its exit status and output. */
    private record Ended(int exit, String out) {}

    /** Runs deploy/local/NAME with the test's environment; asserts it ended in time. */
    private static Ended run(Duration timeout, String name, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(LOCAL.resolve(name).toString()));
        cmd.addAll(List.of(args));
        Path log = Files.createTempFile(work, name + "-", ".out");
        ProcessBuilder pb =
                new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        boolean ended = p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS);
        String out = Files.readString(log);
        if (!ended) {
            p.destroyForcibly();
        }
        assertTrue(ended, name + " " + String.join(" ", args) + " did not end: " + out);
        System.out.print(out);
        return new Ended(p.exitValue(), out);
    }

    private static int[] freePorts(int n) throws IOException {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                sockets.add(new ServerSocket(0));
            }
            return sockets.stream().mapToInt(ServerSocket::getLocalPort).toArray();
        } finally {
            for (ServerSocket s : sockets) {
                s.close();
            }
        }
    }
}
