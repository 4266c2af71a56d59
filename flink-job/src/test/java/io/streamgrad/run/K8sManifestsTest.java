package io.streamgrad.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.streamgrad.job.JobConfig;
import io.streamgrad.kafka.Topic;
import io.streamgrad.kafka.TopicAdmin;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The Kubernetes manifests of deploy/k8s/ against the operators' published CRDs (the OpenAPI v3
 * schemas of the Flink Kubernetes Operator's and Strimzi's released api jars, see {@link
 * CrdSchemas}), and their settings against what the job needs: the topic registry's topic settings,
 * ClusterJob's flags, the image's paths. The docker-compose file's topics and job flags are checked
 * the same way. Nothing here talks to a Kubernetes cluster.
 */
class K8sManifestsTest {
    private static final Path DEPLOY = Path.of("..", "deploy").toAbsolutePath().normalize();
    private static final Path K8S = DEPLOY.resolve("k8s");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final String JAR_IN_IMAGE = "/opt/flink/usrlib/streamgrad-flink-job.jar";

    @Test
    void everyManifestValidatesAgainstItsOperatorsCrd() throws Exception {
        CrdSchemas crds = CrdSchemas.load();
        int validated = 0;
        List<String> kinds = new ArrayList<>();
        for (Path file : manifestFiles()) {
            for (JsonNode doc : documents(file)) {
                String apiVersion = doc.path("apiVersion").asText();
                String kind = doc.path("kind").asText();
                if (!apiVersion.contains("/") || apiVersion.startsWith("apps/")) {
                    // Kubernetes' own kinds (a PersistentVolumeClaim): no CRD to check against.
                    assertEquals("PersistentVolumeClaim", kind, file + ": an unchecked kind");
                    continue;
                }
                List<String> errors = new ArrayList<>(crds.validate(doc));
                if (kind.equals("FlinkDeployment")) {
                    // The newest operator on Maven Central (1.10.0) knows Flink up to v1_20: its
                    // CRD rejects v2_2, and only that (see deploy/README.md, "Kubernetes").
                    List<String> version =
                            errors.stream().filter(e -> e.contains("flinkVersion")).toList();
                    assertEquals(1, version.size(), file + ": " + errors);
                    assertEquals("v2_2", doc.path("spec").path("flinkVersion").asText());
                    errors.removeAll(version);
                }
                assertTrue(errors.isEmpty(), file.getFileName() + " " + kind + ": " + errors);
                kinds.add(kind);
                validated++;
            }
        }
        assertEquals(8, validated, "2 FlinkDeployments, Kafka, KafkaNodePool, 4 KafkaTopics");
        assertTrue(
                kinds.containsAll(
                        List.of("FlinkDeployment", "Kafka", "KafkaNodePool", "KafkaTopic")),
                kinds.toString());
    }

    /** The schemas are strict enough to catch what the API server would refuse or drop. */
    @Test
    void theValidationRejectsWrongManifests() throws Exception {
        CrdSchemas crds = CrdSchemas.load();
        JsonNode deployment = documents(K8S.resolve("flink-deployment.yaml")).get(0);

        ObjectNode valid = deployment.deepCopy();
        ((ObjectNode) valid.path("spec")).put("flinkVersion", "v1_20");
        assertEquals(List.of(), crds.validate(valid), "valid but for the Flink version");

        ObjectNode badMode = valid.deepCopy();
        ((ObjectNode) badMode.path("spec").path("job")).put("upgradeMode", "sometimes");
        assertFalse(crds.validate(badMode).isEmpty(), "an upgradeMode outside the enum");

        ObjectNode typo = valid.deepCopy();
        ((ObjectNode) typo.path("spec").path("job")).put("upgradeMod", "savepoint");
        assertFalse(crds.validate(typo).isEmpty(), "an unknown field (pruned by the API server)");

        JsonNode topic = documents(K8S.resolve("topics.yaml")).get(0);
        ObjectNode badPartitions = topic.deepCopy();
        ((ObjectNode) badPartitions.path("spec")).set("partitions", new TextNode("twelve"));
        assertFalse(crds.validate(badPartitions).isEmpty(), "partitions not an integer");

        JsonNode kafka = documents(K8S.resolve("kafka.yaml")).get(1);
        ObjectNode noListeners = kafka.deepCopy();
        ((ObjectNode) noListeners.path("spec").path("kafka")).remove("listeners");
        assertFalse(crds.validate(noListeners).isEmpty(), "a Kafka without listeners");
    }

    @Test
    void kafkaTopicsCarryTheTopicRegistrysSettings() throws Exception {
        Map<String, Map<String, String>> topics = new TreeMap<>();
        for (JsonNode doc : documents(K8S.resolve("topics.yaml"))) {
            assertEquals(
                    "streamgrad",
                    doc.path("metadata").path("labels").path("strimzi.io/cluster").asText());
            Map<String, String> config = new TreeMap<>();
            doc.path("spec")
                    .path("config")
                    .fields()
                    .forEachRemaining(e -> config.put(e.getKey(), e.getValue().asText()));
            topics.put(doc.path("spec").path("topicName").asText(), config);
        }
        assertEquals(expectedTopics(), topics);

        // The brokers accept the largest record any topic does.
        JsonNode brokerConfig =
                documents(K8S.resolve("kafka.yaml"))
                        .get(1)
                        .path("spec")
                        .path("kafka")
                        .path("config");
        long largest =
                Long.parseLong(
                        topics.get(Topic.SNAPSHOTS.defaultName())
                                .get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG));
        assertTrue(brokerConfig.path("message.max.bytes").asLong() >= largest);
        assertTrue(brokerConfig.path("replica.fetch.max.bytes").asLong() >= largest);
    }

    @Test
    void composeCreatesTheSameTopics() throws Exception {
        JsonNode compose = YAML.readTree(DEPLOY.resolve("docker/docker-compose.yml").toFile());
        String script =
                compose.path("services").path("create-topics").path("command").get(0).asText();
        Map<String, Map<String, String>> topics = new TreeMap<>();
        Matcher line = Pattern.compile("(?m)^t --topic (\\S+)(.*)$").matcher(script);
        while (line.find()) {
            Map<String, String> config = new TreeMap<>();
            Matcher c = Pattern.compile("--config (\\S+)=(\\S+)").matcher(line.group(2));
            while (c.find()) {
                config.put(c.group(1), c.group(2));
            }
            topics.put(line.group(1), config);
        }
        assertEquals(expectedTopics(), topics);
        assertTrue(
                compose.path("services")
                                .path("kafka")
                                .path("environment")
                                .path("KAFKA_MESSAGE_MAX_BYTES")
                                .asLong()
                        >= Long.parseLong(
                                topics.get(Topic.SNAPSHOTS.defaultName())
                                        .get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG)));
    }

    @Test
    void flinkDeploymentsRunClusterJobFromTheImageWithSavepointUpgrades() throws Exception {
        JsonNode kafka = documents(K8S.resolve("kafka.yaml")).get(1);
        String bootstrap =
                kafka.path("metadata").path("name").asText()
                        + "-kafka-bootstrap:"
                        + kafka.path("spec")
                                .path("kafka")
                                .path("listeners")
                                .get(0)
                                .path("port")
                                .asInt();
        for (String file : List.of("flink-deployment.yaml", "flink-deployment-gpu.yaml")) {
            JsonNode spec = documents(K8S.resolve(file)).get(0).path("spec");
            JsonNode job = spec.path("job");
            assertEquals("local://" + JAR_IN_IMAGE, job.path("jarURI").asText(), file);
            assertEquals(ClusterJob.class.getName(), job.path("entryClass").asText(), file);
            assertEquals("savepoint", job.path("upgradeMode").asText(), file);
            JsonNode conf = spec.path("flinkConfiguration");
            assertEquals("filesystem", conf.path("execution.checkpointing.storage").asText(), file);
            assertTrue(
                    conf.path("execution.checkpointing.dir")
                            .asText()
                            .startsWith("file:///flink-data/"));
            assertTrue(
                    conf.path("execution.checkpointing.savepoint-dir")
                            .asText()
                            .startsWith("file:///flink-data/"));

            List<String> args = new ArrayList<>();
            job.path("args").forEach(a -> args.add(a.asText()));
            JobConfig c = parseClusterJob(args, file);
            assertEquals(job.path("parallelism").asInt(), c.parallelism(), file);
            assertEquals(bootstrap, c.kafka().bootstrapServers(), file);
            assertEquals(
                    new JobConfig.Topics(
                            Topic.EVENTS.defaultName(),
                            Topic.METRICS.defaultName(),
                            Topic.SNAPSHOTS.defaultName(),
                            Topic.DEAD_LETTER.defaultName()),
                    c.topics(),
                    file);
        }
        JsonNode gpu =
                documents(K8S.resolve("flink-deployment-gpu.yaml"))
                        .get(0)
                        .path("spec")
                        .path("taskManager")
                        .path("podTemplate")
                        .path("spec")
                        .path("containers")
                        .get(0);
        assertEquals("flink-main-container", gpu.path("name").asText());
        assertTrue(
                gpu.path("resources").path("limits").path("nvidia.com/gpu").asInt() >= 1,
                gpu.toString());
    }

    @Test
    void composeSubmitsClusterJobWithFlagsItTakes() throws Exception {
        JsonNode compose = YAML.readTree(DEPLOY.resolve("docker/docker-compose.yml").toFile());
        List<String> command = new ArrayList<>();
        compose.path("services")
                .path("submit")
                .path("command")
                .forEach(a -> command.add(a.asText()));
        int jar = command.indexOf(JAR_IN_IMAGE);
        assertTrue(jar > 0, command.toString());
        assertEquals(List.of("flink", "run"), command.subList(0, 2));
        JobConfig c =
                parseClusterJob(command.subList(jar + 1, command.size()), "docker-compose.yml");
        assertEquals("kafka:9092", c.kafka().bootstrapServers());
        assertTrue(c.bounded());
    }

    /** What TopicAdmin.ensureTopic creates, with max.message.bytes as the producers send. */
    private static Map<String, Map<String, String>> expectedTopics() {
        Map<String, Map<String, String>> out = new TreeMap<>();
        for (Topic t : List.of(Topic.EVENTS, Topic.METRICS, Topic.SNAPSHOTS, Topic.DEAD_LETTER)) {
            Map<String, String> config = new TreeMap<>();
            if (t.retention() == TopicAdmin.Retention.UNLIMITED) {
                config.put(TopicConfig.RETENTION_MS_CONFIG, "-1");
            } else if (t.retention() == TopicAdmin.Retention.COMPACTED) {
                config.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
            }
            if (t.maxRecordBytes() != Topic.DEFAULT_RECORD_BYTES) {
                // The largest request the job's producers send: record, batch header and key.
                config.put(
                        TopicConfig.MAX_MESSAGE_BYTES_CONFIG,
                        t.producerLimits().getProperty(ProducerConfig.MAX_REQUEST_SIZE_CONFIG));
            }
            out.put(t.defaultName(), config);
        }
        return out;
    }

    /** Parses job arguments as {@code flink run} hands them to ClusterJob, and validates them. */
    private static JobConfig parseClusterJob(List<String> args, String where) {
        ClusterJob job = new ClusterJob();
        new CommandLine(job).parseArgs(args.toArray(String[]::new));
        assertTrue(job.restartAttempts >= 1, where);
        JobConfig c = job.options.toJobConfig("manifest-test");
        assertNotNull(c, where);
        return c;
    }

    private static List<Path> manifestFiles() throws Exception {
        try (Stream<Path> files = Files.list(K8S)) {
            return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
        }
    }

    static List<JsonNode> documents(Path file) throws Exception {
        List<JsonNode> docs = new ArrayList<>();
        try (InputStream in = Files.newInputStream(file)) {
            Iterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(in);
            while (it.hasNext()) {
                JsonNode d = it.next();
                if (d != null && !d.isNull() && !d.isMissingNode()) {
                    docs.add(d);
                }
            }
        }
        return docs;
    }
}
