package io.streamgrad.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamgrad.kafka.Topic;
import io.streamgrad.kafka.TopicAdmin;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.startupcheck.OneShotStartupCheckStrategy;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.ImageFromDockerfile;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The containers of deploy/docker/, end to end, where a Docker engine runs: a Kafka broker
 * (apache/kafka, KRaft), the image of deploy/docker/Dockerfile built from the staged context, a
 * JobManager and two TaskManagers from it, the generator ({@code streamgrad produce synthetic} in
 * the image) and the job submitted with {@code flink run} inside the JobManager container, with the
 * flags of {@link LocalClusterIT} ({@link ClusterChecks#jobArgs}). Checks that the bounded job
 * finished with the model and counts of an uninterrupted in-process reference run on the same topic
 * (last snapshot version and parameter checksum, one metric per iteration, every event trained
 * once, the JobManager's accumulators), and that a TaskManager mapped ND4J's native library from
 * the jar in Flink's lib/ (not from the job jar's copy).
 *
 * <p>Without Docker the class is skipped (reported as skipped, not passed). Nothing essential lives
 * only here: {@link LocalClusterIT} runs the same job jar and flags on a cluster of real processes
 * with ND4J in the TaskManagers' classpath, and the image's build context is staged by the same
 * script.
 */
@Testcontainers(disabledWithoutDocker = true)
class ContainerClusterIT {
    private static final long EVENTS = 40_000;
    private static final Path DOCKER =
            Path.of("..", "deploy", "docker").toAbsolutePath().normalize();
    private static final String KAFKA_IMAGE = "apache/kafka:4.2.0";
    private static final String FLINK_PROPERTIES =
            String.join(
                    "\n",
                    "jobmanager.rpc.address: jobmanager",
                    "taskmanager.numberOfTaskSlots: 1",
                    "taskmanager.memory.process.size: 1600m",
                    "jobmanager.memory.process.size: 1024m",
                    "taskmanager.memory.managed.fraction: 0.05",
                    "taskmanager.load-balance.mode: slots",
                    // No restore happens in this uninterrupted run, so each container's own
                    // directory is enough; the compose file shares a volume.
                    "execution.checkpointing.storage: filesystem",
                    "execution.checkpointing.dir: file:///tmp/checkpoints");

    @Test
    void trainsInTheImageAsTheReferenceDoes() throws Exception {
        Path context = stageContext();
        ImageFromDockerfile image =
                new ImageFromDockerfile("streamgrad-flink-it", true)
                        .withFileFromPath("Dockerfile", DOCKER.resolve("Dockerfile"))
                        .withFileFromPath("lib", context.resolve("lib"))
                        .withFileFromPath("bin", context.resolve("bin"))
                        .withFileFromPath(
                                "streamgrad-flink-job.jar",
                                context.resolve("streamgrad-flink-job.jar"));
        try (Network net = Network.newNetwork();
                KafkaContainer kafka =
                        new KafkaContainer(DockerImageName.parse(KAFKA_IMAGE))
                                .withNetwork(net)
                                .withNetworkAliases("kafka")
                                .withListener("kafka:19092")
                                .withEnv("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "1")
                                .withEnv("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "1")
                                .withEnv("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "1");
                GenericContainer<?> jobManager = flink(image, net, "jobmanager");
                GenericContainer<?> tm1 = flink(image, net, "taskmanager");
                GenericContainer<?> tm2 = flink(image, net, "taskmanager")) {
            kafka.start();
            String bootstrap = kafka.getBootstrapServers();
            jobManager
                    .withNetworkAliases("jobmanager")
                    .withExposedPorts(8081)
                    .waitingFor(
                            Wait.forHttp("/overview")
                                    .forPort(8081)
                                    .withStartupTimeout(Duration.ofMinutes(3)))
                    .start();
            tm1.start();
            tm2.start();
            String rest = "http://" + jobManager.getHost() + ":" + jobManager.getMappedPort(8081);

            // The generator: the image's CLI, inside the containers' network.
            try (GenericContainer<?> generator =
                    flink(image, net, "streamgrad")
                            .withCommand(
                                    "streamgrad",
                                    "produce",
                                    "synthetic",
                                    "--bootstrap-servers",
                                    "kafka:19092",
                                    "--topic",
                                    "d.events",
                                    "--task",
                                    "binary",
                                    "--features",
                                    "10",
                                    "--events",
                                    Long.toString(EVENTS),
                                    "--partitions",
                                    "4")
                            .withStartupCheckStrategy(
                                    new OneShotStartupCheckStrategy()
                                            .withTimeout(Duration.ofMinutes(5)))) {
                generator.start();
            }

            // The reference: the same flags in a MiniCluster in this JVM, on the same topic.
            Path work = Files.createTempDirectory(Path.of("target"), "container-cluster-it-");
            Path reference = work.resolve("reference.json");
            List<String> refArgs =
                    new ArrayList<>(
                            List.of(
                                    "train",
                                    "--state-dir",
                                    work.resolve("ref-state").toString(),
                                    "--summary-json",
                                    reference.toString()));
            refArgs.addAll(ClusterChecks.jobArgs(bootstrap, "d.events", "dref"));
            assertEquals(0, Streamgrad.execute(refArgs.toArray(String[]::new), System.err));
            JsonNode ref = ClusterChecks.JSON.readTree(reference.toFile());
            assertEquals(EVENTS, ref.get("events_consumed").asLong(), ref.toString());
            assertTrue(ref.get("iterations").asLong() > 100, ref.toString());

            // The job on the containers' cluster, submitted as the compose file's submit does.
            try (TopicAdmin admin = new TopicAdmin(bootstrap)) {
                admin.ensureTopic(Topic.METRICS, "d1.metrics", 1);
                admin.ensureTopic(Topic.SNAPSHOTS, "d1.snapshots", 1);
                admin.ensureTopic(Topic.DEAD_LETTER, "d1.dead", 1);
            }
            List<String> submit =
                    new ArrayList<>(
                            List.of(
                                    "flink",
                                    "run",
                                    "--jobmanager",
                                    "localhost:8081",
                                    "--detached",
                                    "/opt/flink/usrlib/streamgrad-flink-job.jar"));
            submit.addAll(ClusterChecks.jobArgs("kafka:19092", "d.events", "d1"));
            ExecResult run = jobManager.execInContainer(submit.toArray(String[]::new));
            assertEquals(0, run.getExitCode(), run.getStdout() + run.getStderr());
            Matcher m = Pattern.compile("JobID ([0-9a-f]{32})").matcher(run.getStdout());
            assertTrue(m.find(), run.getStdout());
            String id = m.group(1);

            JsonNode end = ClusterChecks.awaitEnd(rest, id, Duration.ofMinutes(8));
            assertEquals(
                    "FINISHED",
                    end.get("state").asText(),
                    ClusterChecks.get(rest, "/jobs/" + id + "/exceptions").toString());
            ClusterChecks.assertSameModelAndExactlyOnce(bootstrap, ref, "d1");
            ClusterChecks.assertReferenceCounts(ref, EVENTS, ClusterChecks.accumulators(rest, id));

            // ND4J from Flink's lib/: its JNI library unpacked from the lib jar
            // (nd4j-native-...-linux-x86_64.jar), not from the job jar.
            int mapped = 0;
            for (GenericContainer<?> tm : List.of(tm1, tm2)) {
                ExecResult maps =
                        tm.execInContainer(
                                "sh", "-c", "grep -h libjnind4jcpu.so /proc/[0-9]*/maps || true");
                for (String line : maps.getStdout().split("\n")) {
                    if (line.contains("libjnind4jcpu.so")) {
                        assertTrue(line.contains("/nd4j-native-"), line);
                        mapped++;
                    }
                }
            }
            assertTrue(mapped > 0, "a TaskManager loaded ND4J's native library");
        }
    }

    /** A container of the image running the official entrypoint's COMMAND. */
    private static GenericContainer<?> flink(
            ImageFromDockerfile image, Network net, String command) {
        return new GenericContainer<>(image)
                .withNetwork(net)
                .withEnv("FLINK_PROPERTIES", FLINK_PROPERTIES)
                .withEnv("OMP_NUM_THREADS", "1")
                .withCommand(command);
    }

    /** Stages the image's build context with deploy/docker/build.sh, as a user would. */
    private static Path stageContext() throws Exception {
        Process p =
                new ProcessBuilder(DOCKER.resolve("build.sh").toString(), "cpu", "--stage-only")
                        .redirectErrorStream(true)
                        .redirectOutput(Path.of("target", "docker-stage.log").toFile())
                        .start();
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "build.sh --stage-only still runs after 5 min");
        assertEquals(0, p.exitValue(), Files.readString(Path.of("target", "docker-stage.log")));
        Path context = DOCKER.resolve("target").resolve("cpu");
        try (Stream<Path> jars = Files.list(context.resolve("lib"))) {
            assertTrue(
                    jars.anyMatch(j -> j.getFileName().toString().startsWith("nd4j-native-")),
                    "ND4J's native backend staged for lib/");
        }
        return context;
    }
}
