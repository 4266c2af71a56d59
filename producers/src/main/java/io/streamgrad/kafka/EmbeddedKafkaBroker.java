package io.streamgrad.kafka;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * Kafka's own KRaft broker (combined broker + controller, one node) inside this JVM, on free
 * loopback ports and a temporary log directory. For the demo and the integration tests: the real
 * broker code, so clients, transactions and the Flink connector behave as in production.
 *
 * <p>Lifecycle: {@link #start()} formats the directory and waits until the broker answers; {@link
 * #close()} shuts it down and deletes the directory. Close is idempotent.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {
    private final Path logDir;
    private final int port;
    private final int controllerPort;
    private KafkaRaftServer server;
    private boolean closed;

    private EmbeddedKafkaBroker(Path logDir, int port, int controllerPort) {
        this.logDir = logDir;
        this.port = port;
        this.controllerPort = controllerPort;
    }

    /** Starts a broker and returns once it accepts admin requests. */
    public static EmbeddedKafkaBroker start() {
        try {
            EmbeddedKafkaBroker broker =
                    new EmbeddedKafkaBroker(
                            Files.createTempDirectory("streamgrad-kafka-"), freePort(), freePort());
            broker.run();
            return broker;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the embedded Kafka broker", e);
        }
    }

    public String bootstrapServers() {
        return "localhost:" + port;
    }

    private void run() {
        Properties props = new Properties();
        props.put("process.roles", "broker,controller");
        props.put("node.id", "1");
        props.put("controller.quorum.voters", "1@localhost:" + controllerPort);
        props.put(
                "listeners",
                "PLAINTEXT://localhost:" + port + ",CONTROLLER://localhost:" + controllerPort);
        props.put("advertised.listeners", "PLAINTEXT://localhost:" + port);
        props.put("controller.listener.names", "CONTROLLER");
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        props.put("inter.broker.listener.name", "PLAINTEXT");
        props.put("log.dirs", logDir.toString());
        // One node: every internal topic has exactly one replica.
        props.put("offsets.topic.replication.factor", "1");
        props.put("offsets.topic.num.partitions", "4");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("transaction.state.log.num.partitions", "4");
        props.put("share.coordinator.state.topic.replication.factor", "1");
        props.put("share.coordinator.state.topic.min.isr", "1");
        props.put("group.initial.rebalance.delay.ms", "0");
        props.put("auto.create.topics.enable", "false");
        props.put("log.flush.interval.messages", "1000000");
        // Kafka's default retention (7 days by record timestamp), applied from the first second
        // instead of 30 s after start: a topic that would lose replayed historical events on a
        // real cluster loses them here too, at once, rather than only on a slow machine.
        props.put("log.initial.task.delay.ms", "0");
        props.put("log.retention.check.interval.ms", "1000");
        props.put("unstable.api.versions.enable", "false");
        props.put("unstable.feature.versions.enable", "false");

        try {
            new Formatter()
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .setNodeId(1)
                    .setClusterId(Uuid.randomUuid().toString())
                    .setDirectories(List.of(logDir.toString()))
                    .setMetadataLogDirectory(logDir.toString())
                    .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                    .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
                    .setControllerListenerName("CONTROLLER")
                    .run();
        } catch (Exception e) {
            throw new IllegalStateException("cannot format the embedded Kafka log directory", e);
        }
        server = new KafkaRaftServer(new KafkaConfig(props, false), Time.SYSTEM);
        server.startup();
        try (TopicAdmin admin = new TopicAdmin(bootstrapServers(), 30_000)) {
            admin.requireReachable();
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (server != null) {
            server.shutdown();
            server.awaitShutdown();
        }
        deleteRecursively(logDir);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // A leftover temp directory is harmless; do not mask the caller's outcome.
        }
    }
}
