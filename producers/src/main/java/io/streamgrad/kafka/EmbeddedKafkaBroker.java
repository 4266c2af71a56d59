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
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
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
    private final Map<String, String> saslUsers;
    private final int saslPort;
    private final boolean tls;
    private final boolean autoCreateTopics;
    private SelfSignedTls certificates;
    private SelfSignedTls clientCertificates;
    private int sslPort = -1;
    private KafkaRaftServer server;
    private boolean closed;

    private EmbeddedKafkaBroker(
            Path logDir,
            int port,
            int controllerPort,
            Map<String, String> saslUsers,
            int saslPort,
            boolean tls,
            boolean autoCreateTopics) {
        this.logDir = logDir;
        this.port = port;
        this.controllerPort = controllerPort;
        this.saslUsers = saslUsers;
        this.saslPort = saslPort;
        this.tls = tls;
        this.autoCreateTopics = autoCreateTopics;
    }

    /** Starts a broker and returns once it accepts admin requests. */
    public static EmbeddedKafkaBroker start() {
        return start(Map.of(), false, false);
    }

    /**
     * Starts a broker that, as Kafka's brokers do by default ({@code
     * auto.create.topics.enable=true}), creates a missing topic when a client's metadata request
     * allows it: for tests that streamgrad's clients never create one by reading it (a topic made
     * so gets the broker's defaults, not the registry's cleanup policy).
     */
    public static EmbeddedKafkaBroker startCreatingTopicsOnRequest() {
        return start(Map.of(), false, true);
    }

    /**
     * Starts a broker with, besides its plaintext listener, a SASL_PLAINTEXT listener that
     * authenticates clients with the PLAIN mechanism against {@code users} ({@link
     * #saslBootstrapServers}). The controller and inter-broker listeners stay plaintext.
     *
     * @param users user name to password; none for no SASL listener
     */
    public static EmbeddedKafkaBroker startWithSaslPlain(Map<String, String> users) {
        return start(requireUsers(users), false, false);
    }

    /**
     * Starts a broker with, besides its plaintext listener, a SASL_SSL listener, as managed Kafka
     * services offer: TLS with a self-signed certificate for {@code localhost} and 127.0.0.1
     * (clients trust it through {@link #truststore}), and user names and passwords checked by the
     * PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512 mechanisms alike ({@link #saslBootstrapServers}). The
     * SCRAM credentials are written into the cluster's metadata when its log directory is
     * formatted, as {@code kafka-storage.sh format --add-scram} does. It also opens an SSL listener
     * that requires a client certificate (mutual TLS, {@code ssl.client.auth=required}; {@link
     * #sslBootstrapServers}), which trusts the one in {@link #clientKeystore}.
     *
     * @param users user name to password, at least one
     * @throws IllegalStateException when the certificate cannot be made ({@link SelfSignedTls})
     */
    public static EmbeddedKafkaBroker startWithSaslSsl(Map<String, String> users) {
        return start(requireUsers(users), true, false);
    }

    private static Map<String, String> requireUsers(Map<String, String> users) {
        if (users.isEmpty()) {
            throw new IllegalArgumentException("a SASL listener needs at least one user");
        }
        return users;
    }

    private static EmbeddedKafkaBroker start(
            Map<String, String> saslUsers, boolean tls, boolean autoCreateTopics) {
        try {
            int[] ports = freePorts(4);
            EmbeddedKafkaBroker broker =
                    new EmbeddedKafkaBroker(
                            Files.createTempDirectory("streamgrad-kafka-"),
                            ports[0],
                            ports[1],
                            Map.copyOf(saslUsers),
                            saslUsers.isEmpty() ? -1 : ports[2],
                            tls,
                            autoCreateTopics);
            if (tls) {
                broker.sslPort = ports[3];
            }
            try {
                broker.run();
            } catch (RuntimeException e) {
                broker.close();
                throw e;
            }
            return broker;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the embedded Kafka broker", e);
        }
    }

    /** The plaintext listener: no authentication. */
    public String bootstrapServers() {
        return "localhost:" + port;
    }

    /**
     * Deletes a topic and waits until the broker no longer lists it (a topic made again before that
     * would be refused as existing), as an operator's {@code kafka-topics.sh --delete} would.
     *
     * @throws IllegalStateException when the topic is still listed after 30 s
     */
    public void deleteTopic(String name) throws Exception {
        try (org.apache.kafka.clients.admin.Admin admin =
                org.apache.kafka.clients.admin.Admin.create(
                        Map.<String, Object>of("bootstrap.servers", bootstrapServers()))) {
            admin.deleteTopics(List.of(name)).all().get();
            long deadline = System.currentTimeMillis() + 30_000;
            while (admin.listTopics().names().get().contains(name)) {
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException("topic " + name + " still listed after 30 s");
                }
                Thread.sleep(50);
            }
        }
    }

    /**
     * The SASL listener: SASL_PLAINTEXT (mechanism PLAIN) of a broker started by {@link
     * #startWithSaslPlain}, SASL_SSL (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512) of one started by {@link
     * #startWithSaslSsl}.
     */
    public String saslBootstrapServers() {
        if (saslPort < 0) {
            throw new IllegalStateException("this broker was started without a SASL listener");
        }
        return "localhost:" + saslPort;
    }

    /** The SSL listener that requires a client certificate, of a broker started with TLS. */
    public String sslBootstrapServers() {
        if (sslPort < 0) {
            throw new IllegalStateException("this broker was started without TLS");
        }
        return "localhost:" + sslPort;
    }

    /**
     * A PKCS12 keystore with a client certificate that {@link #sslBootstrapServers} accepts, for a
     * client's {@code ssl.keystore.location}; its password (also the key's) is {@link
     * #clientKeystorePassword}.
     */
    public Path clientKeystore() {
        tlsFiles();
        return clientCertificates.keystore();
    }

    /** The password of {@link #clientKeystore}, and of its key. */
    public String clientKeystorePassword() {
        tlsFiles();
        return clientCertificates.password();
    }

    /**
     * The PKCS12 truststore that holds the SASL_SSL listener's certificate, for a client's {@code
     * ssl.truststore.location}; its password is {@link #truststorePassword}.
     *
     * @throws IllegalStateException for a broker started without TLS
     */
    public Path truststore() {
        return tlsFiles().truststore();
    }

    /** The password of {@link #truststore}. */
    public String truststorePassword() {
        return tlsFiles().password();
    }

    private SelfSignedTls tlsFiles() {
        if (certificates == null) {
            throw new IllegalStateException("this broker was started without TLS");
        }
        return certificates;
    }

    private void run() {
        Properties props = new Properties();
        props.put("process.roles", "broker,controller");
        props.put("node.id", "1");
        props.put("controller.quorum.voters", "1@localhost:" + controllerPort);
        String saslProtocol = tls ? "SASL_SSL" : "SASL_PLAINTEXT";
        String sasl = saslUsers.isEmpty() ? "" : "," + saslProtocol + "://localhost:" + saslPort;
        if (tls) {
            sasl += ",SSL://localhost:" + sslPort;
        }
        props.put(
                "listeners",
                "PLAINTEXT://localhost:"
                        + port
                        + sasl
                        + ",CONTROLLER://localhost:"
                        + controllerPort);
        props.put("advertised.listeners", "PLAINTEXT://localhost:" + port + sasl);
        props.put("controller.listener.names", "CONTROLLER");
        props.put(
                "listener.security.protocol.map",
                "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,"
                        + saslProtocol
                        + ":"
                        + saslProtocol
                        + (tls ? ",SSL:SSL" : ""));
        props.put("inter.broker.listener.name", "PLAINTEXT");
        String listener = "listener.name." + saslProtocol.toLowerCase(java.util.Locale.ROOT) + ".";
        List<String> scram = List.of();
        if (!saslUsers.isEmpty()) {
            // Kafka's per-listener form, listener.name.{listener}.{mechanism}.sasl.jaas.config
            // (Kafka 4.2 docs, "Authentication using SASL"): the PLAIN server module checks
            // clients against its user_NAME="PASSWORD" options.
            props.put(listener + "plain.sasl.jaas.config", plainJaas(saslUsers));
            props.put("sasl.enabled.mechanisms", "PLAIN");
        }
        if (tls) {
            certificates =
                    SelfSignedTls.create(logDir.resolveSibling(logDir.getFileName() + "-tls"));
            props.put(listener + "ssl.keystore.type", "PKCS12");
            props.put(listener + "ssl.keystore.location", certificates.keystore().toString());
            props.put(listener + "ssl.keystore.password", certificates.password());
            props.put(listener + "ssl.key.password", certificates.password());
            // SCRAM's server module takes no options: the credentials are cluster metadata.
            for (String mechanism : SCRAM_MECHANISMS) {
                props.put(
                        listener
                                + mechanism.toLowerCase(java.util.Locale.ROOT)
                                + ".sasl.jaas.config",
                        "org.apache.kafka.common.security.scram.ScramLoginModule required;");
            }
            props.put("sasl.enabled.mechanisms", "PLAIN," + String.join(",", SCRAM_MECHANISMS));
            // Mutual TLS: the same server certificate, and a client certificate required.
            clientCertificates =
                    SelfSignedTls.createClient(
                            logDir.resolveSibling(logDir.getFileName() + "-client-tls"),
                            "streamgrad-client");
            String ssl = "listener.name.ssl.";
            props.put(ssl + "ssl.keystore.type", "PKCS12");
            props.put(ssl + "ssl.keystore.location", certificates.keystore().toString());
            props.put(ssl + "ssl.keystore.password", certificates.password());
            props.put(ssl + "ssl.key.password", certificates.password());
            props.put(ssl + "ssl.truststore.type", "PKCS12");
            props.put(ssl + "ssl.truststore.location", clientCertificates.truststore().toString());
            props.put(ssl + "ssl.truststore.password", clientCertificates.password());
            props.put(ssl + "ssl.client.auth", "required");
            scram = scramArguments(saslUsers);
        }
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
        props.put("auto.create.topics.enable", Boolean.toString(autoCreateTopics));
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
                    .setScramArguments(scram)
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

    private static final List<String> SCRAM_MECHANISMS = List.of("SCRAM-SHA-256", "SCRAM-SHA-512");

    /**
     * Each user's credentials for each SCRAM mechanism, in {@code kafka-storage.sh format
     * --add-scram}'s syntax: {@code SCRAM-SHA-512=[name=alice,password=secret]}.
     */
    private static List<String> scramArguments(Map<String, String> users) {
        List<String> out = new java.util.ArrayList<>();
        new TreeMap<>(users)
                .forEach(
                        (user, password) -> {
                            requireSimple(user, password);
                            if (password.matches(".*[,\\[\\]=].*")) {
                                throw new IllegalArgumentException(
                                        "SCRAM passwords here have no comma, bracket or '='");
                            }
                            for (String mechanism : SCRAM_MECHANISMS) {
                                out.add(
                                        mechanism
                                                + "=[name="
                                                + user
                                                + ",password="
                                                + password
                                                + "]");
                            }
                        });
        return out;
    }

    private static void requireSimple(String user, String password) {
        if (!user.matches("[A-Za-z0-9_-]+") || password.contains("\"")) {
            throw new IllegalArgumentException(
                    "SASL user names are letters, digits, _ and -; passwords have no double"
                            + " quote");
        }
    }

    private static String plainJaas(Map<String, String> users) {
        StringBuilder sb =
                new StringBuilder(
                        "org.apache.kafka.common.security.plain.PlainLoginModule required");
        new TreeMap<>(users)
                .forEach(
                        (user, password) -> {
                            requireSimple(user, password);
                            sb.append(" user_")
                                    .append(user)
                                    .append("=\"")
                                    .append(password)
                                    .append('"');
                        });
        return sb.append(';').toString();
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
        if (certificates != null) {
            deleteRecursively(certificates.directory());
        }
        if (clientCertificates != null) {
            deleteRecursively(clientCertificates.directory());
        }
    }

    /**
     * {@code n} distinct free ports: their sockets are all open while the kernel picks them, so it
     * cannot hand the same port out twice (one at a time, a port just closed may come back: a CI
     * run once got "Each listener must have a different port").
     */
    private static int[] freePorts(int n) throws IOException {
        ServerSocket[] sockets = new ServerSocket[n];
        try {
            int[] ports = new int[n];
            for (int i = 0; i < n; i++) {
                sockets[i] = new ServerSocket(0);
                sockets[i].setReuseAddress(true);
                ports[i] = sockets[i].getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket socket : sockets) {
                if (socket != null) {
                    socket.close();
                }
            }
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
