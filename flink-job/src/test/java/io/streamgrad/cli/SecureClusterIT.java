package io.streamgrad.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamgrad.kafka.EmbeddedKafkaBroker;
import io.streamgrad.run.TopicReader;
import io.streamgrad.schema.ModelSnapshot;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cluster that needs credentials: the in-process broker with a SASL_PLAINTEXT listener (PLAIN),
 * and the CLI given the client settings once with {@code --command-config}. The right password
 * produces and trains; a wrong one stops in seconds with one line; the password appears in no
 * output, log line, summary, snapshot or state file. And as managed services run it: SASL_SSL with
 * SCRAM-SHA-512 and a certificate the JVM does not trust by default, where the job's source, sinks
 * and transactions go through TLS, and a client without the truststore is told so.
 */
class SecureClusterIT {
    private static final String PASSWORD = "Tr41n-s3cret-8c1f";
    private static final String WRONG = "Wr0ng-s3cret-33aa";
    private static final long EVENTS = 2_048;

    private static EmbeddedKafkaBroker broker;
    private static EmbeddedKafkaBroker tlsBroker;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafkaBroker.startWithSaslPlain(Map.of("alice", PASSWORD));
        tlsBroker = EmbeddedKafkaBroker.startWithSaslSsl(Map.of("alice", PASSWORD));
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
        tlsBroker.close();
    }

    /** SCRAM-SHA-512 over TLS; with or without the truststore of the broker's certificate. */
    private static Path tlsClientFile(Path dir, String name, boolean trusting) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(
                f,
                "security.protocol=SASL_SSL\n"
                        + "sasl.mechanism=SCRAM-SHA-512\n"
                        + "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule"
                        + " required username=\"alice\" password=\""
                        + PASSWORD
                        + "\";\n"
                        + (trusting
                                ? "ssl.truststore.location="
                                        + tlsBroker.truststore()
                                        + "\nssl.truststore.password="
                                        + tlsBroker.truststorePassword()
                                        + "\n"
                                : ""));
        return f;
    }

    private static String[] trainArgs(String servers, Path client, String prefix, String... more) {
        List<String> args =
                new java.util.ArrayList<>(
                        List.of(
                                "train",
                                "--state-dir",
                                StateDirs.fresh(),
                                "--bootstrap-servers",
                                servers,
                                "--command-config",
                                client.toString(),
                                "--events-topic",
                                prefix + ".events",
                                "--metrics-topic",
                                prefix + ".metrics",
                                "--snapshots-topic",
                                prefix + ".snapshots",
                                "--dead-letter-topic",
                                prefix + ".dead",
                                "--bounded",
                                "--model",
                                "logistic",
                                "--features",
                                "8",
                                "--batch-size",
                                "64",
                                "--snapshot-every",
                                "8",
                                "--checkpoint-interval-ms",
                                "1000"));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    /** A snapshots topic read back (read committed) with the client settings of {@code client}. */
    private static List<ModelSnapshot> snapshots(String servers, Path client, String topic) {
        return TopicReader.readAll(
                io.streamgrad.run.flags.KafkaOptions.load(servers, client),
                topic,
                ModelSnapshot.class,
                x -> true);
    }

    private static Run produce(String servers, Path client, String topic) {
        return cli(
                "produce",
                "synthetic",
                "--bootstrap-servers",
                servers,
                "--command-config",
                client.toString(),
                "--topic",
                topic,
                "--features",
                "8",
                "--events",
                Long.toString(EVENTS),
                "--partitions",
                "2");
    }

    private static Path clientFile(Path dir, String name, String password) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(
                f,
                "# the SASL listener of the in-process broker\n"
                        + "security.protocol=SASL_PLAINTEXT\n"
                        + "sasl.mechanism=PLAIN\n"
                        + "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule"
                        + " required \\\n"
                        + "    username=\"alice\" password=\""
                        + password
                        + "\";\n");
        return f;
    }

    private record Run(int exit, String out, String err, String logs, double seconds) {}

    /** Runs the CLI in this JVM, capturing stdout, stderr and every INFO+ log line. */
    private static Run cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        StringWriter logs = new StringWriter();
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        WriterAppender capture =
                WriterAppender.newBuilder()
                        .setName("secure-it-capture")
                        .setTarget(logs)
                        .setLayout(PatternLayout.newBuilder().withPattern("%c %m%n").build())
                        .build();
        capture.start();
        ctx.getConfiguration().addAppender(capture);
        ctx.getConfiguration().getRootLogger().addAppender(capture, Level.INFO, null);
        // Kafka's clients log their whole configuration at INFO: the level where a secret would
        // show, whatever the CLI's own default (ERROR).
        Configurator.setAllLevels(LogManager.ROOT_LOGGER_NAME, Level.INFO);
        PrintStream stdout = System.out;
        long start = System.nanoTime();
        int exit;
        try {
            System.setOut(new PrintStream(tee(out, stdout), true, StandardCharsets.UTF_8));
            exit =
                    Streamgrad.execute(
                            args,
                            new PrintStream(tee(err, System.err), true, StandardCharsets.UTF_8));
        } finally {
            System.setOut(stdout);
            ctx.getConfiguration().getRootLogger().removeAppender("secure-it-capture");
            capture.stop();
            ctx.reconfigure();
        }
        return new Run(
                exit,
                out.toString(StandardCharsets.UTF_8),
                err.toString(StandardCharsets.UTF_8),
                logs.toString(),
                (System.nanoTime() - start) / 1e9);
    }

    private static OutputStream tee(OutputStream a, OutputStream b) {
        return new OutputStream() {
            @Override
            public void write(int x) throws IOException {
                a.write(x);
                b.write(x);
            }

            @Override
            public void write(byte[] buf, int off, int len) throws IOException {
                a.write(buf, off, len);
                b.write(buf, off, len);
            }
        };
    }

    @Test
    void theRightPasswordProducesAndTrainsAndTheSecretIsNowhere(@TempDir Path dir)
            throws Exception {
        Path client = clientFile(dir, "client.properties", PASSWORD);
        String servers = broker.saslBootstrapServers();
        Run produce = produce(servers, client, "sec.events");
        assertEquals(0, produce.exit(), produce.err());

        Path summary = dir.resolve("summary.json");
        String[] args = trainArgs(servers, client, "sec", "--summary-json", summary.toString());
        String stateDir = args[2];
        Run train = cli(args);
        assertEquals(0, train.exit(), train.err());

        JsonNode s = new ObjectMapper().readTree(summary.toFile());
        assertEquals(EVENTS, s.get("events_consumed").asLong());
        assertEquals(EVENTS, s.get("events_trained").asLong());
        assertEquals(EVENTS / 64, s.get("iterations").asLong());

        // The snapshots went through the SASL listener's transactions; their provenance names
        // the file and its keys, never a value.
        List<ModelSnapshot> snapshots = snapshots(servers, client, "sec.snapshots");
        assertFalse(snapshots.isEmpty());
        Map<String, String> provenance = snapshots.get(0).getProvenance();
        String kafka = provenance.get("kafka");
        assertTrue(kafka.contains(client.toString()), kafka);
        assertTrue(kafka.contains("sasl.jaas.config"), kafka);

        // Kafka logged its client configurations (so the capture saw them), secrets hidden.
        assertTrue(train.logs().contains("sasl.mechanism = PLAIN"), "no client config logged");
        for (Run r : List.of(produce, train)) {
            for (String text : List.of(r.out(), r.err(), r.logs())) {
                assertFalse(text.contains(PASSWORD), "the password is in a run's output");
            }
        }
        assertFalse(Files.readString(summary).contains(PASSWORD));
        assertFalse(provenance.toString().contains(PASSWORD), provenance.toString());
        assertFalse(provenance.toString().contains("alice"), provenance.toString());
        for (ModelSnapshot snapshot : snapshots) {
            assertFalse(snapshot.toString().contains(PASSWORD));
        }
        try (Stream<Path> files = Files.walk(Path.of(stateDir))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String bytes = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
                assertFalse(bytes.contains(PASSWORD), "the password is in " + f);
            }
        }
    }

    @Test
    void aWrongPasswordStopsInSecondsWithOneLine(@TempDir Path dir) throws Exception {
        Path client = clientFile(dir, "wrong.properties", WRONG);
        String servers = broker.saslBootstrapServers();
        // Named by a job file, as a deployment would.
        Path job = dir.resolve("job.yaml");
        Files.writeString(
                job, "bootstrap-servers: " + servers + "\ncommand-config: " + client + "\n");
        Run train =
                cli(
                        "train",
                        "--config",
                        job.toString(),
                        "--state-dir",
                        StateDirs.fresh(),
                        "--events-topic",
                        "sec.events",
                        "--bounded",
                        "--features",
                        "8");
        assertNotEquals(0, train.exit());
        assertTrue(train.seconds() < 30, "took " + train.seconds() + " s");
        String err = train.err().strip();
        assertFalse(err.contains("\n"), "one line: " + err);
        assertTrue(err.startsWith("streamgrad: Kafka at " + servers), err);
        assertTrue(err.contains("refused authentication"), err);
        assertTrue(err.contains("sasl.jaas.config"), err);
        assertTrue(err.contains(client.toString()), err);
        for (String text : List.of(train.out(), train.err(), train.logs())) {
            assertFalse(text.contains(WRONG), "the password is in a run's output");
        }
    }

    @Test
    void aFileThatSetsWhatTheJobOwnsIsRefusedBeforeAnythingStarts(@TempDir Path dir)
            throws Exception {
        Path client = clientFile(dir, "owned.properties", PASSWORD);
        Files.writeString(client, "group.id=mine\n", java.nio.file.StandardOpenOption.APPEND);
        Run train =
                cli(
                        "train",
                        "--bootstrap-servers",
                        broker.saslBootstrapServers(),
                        "--command-config",
                        client.toString(),
                        "--state-dir",
                        StateDirs.fresh(),
                        "--bounded");
        assertEquals(2, train.exit());
        assertEquals(
                "streamgrad: --command-config "
                        + client
                        + ":6: 'group.id' is set by streamgrad (use --group-id); delete it from"
                        + " the client settings",
                train.err().strip());
    }

    @Test
    void scramOverTlsProducesAndTrainsThroughTheJobsSourceAndTransactionalSinks(@TempDir Path dir)
            throws Exception {
        Path client = tlsClientFile(dir, "tls.properties", true);
        String servers = tlsBroker.saslBootstrapServers();
        Run produce = produce(servers, client, "tls.events");
        assertEquals(0, produce.exit(), produce.err());
        Path summary = dir.resolve("summary.json");
        Run train = cli(trainArgs(servers, client, "tls", "--summary-json", summary.toString()));
        assertEquals(0, train.exit(), train.err());
        JsonNode s = new ObjectMapper().readTree(summary.toFile());
        assertEquals(EVENTS, s.get("events_trained").asLong());
        assertEquals(EVENTS / 64, s.get("iterations").asLong());
        // The snapshots committed by the sink's transactions over TLS, read back over TLS.
        List<ModelSnapshot> snapshots = snapshots(servers, client, "tls.snapshots");
        assertEquals(EVENTS / 64, snapshots.get(snapshots.size() - 1).getVersion());
        assertTrue(train.logs().contains("sasl.mechanism = SCRAM-SHA-512"), "no client config");
        for (Run r : List.of(produce, train)) {
            for (String text : List.of(r.out(), r.err(), r.logs())) {
                assertFalse(text.contains(PASSWORD), "the password is in a run's output");
                assertFalse(
                        text.contains(tlsBroker.truststorePassword()),
                        "the truststore's password is in a run's output");
            }
        }
    }

    @Test
    void mutualTlsProducesAndTrainsWithTheClientsCertificateAsItsOnlyCredential(@TempDir Path dir)
            throws Exception {
        Path client = dir.resolve("mtls.properties");
        Files.writeString(
                client,
                "security.protocol=SSL\n"
                        + "ssl.truststore.location="
                        + tlsBroker.truststore()
                        + "\nssl.truststore.password="
                        + tlsBroker.truststorePassword()
                        + "\nssl.keystore.location="
                        + tlsBroker.clientKeystore()
                        + "\nssl.keystore.password="
                        + tlsBroker.clientKeystorePassword()
                        + "\nssl.key.password="
                        + tlsBroker.clientKeystorePassword()
                        + "\n");
        String servers = tlsBroker.sslBootstrapServers();
        Run produce = produce(servers, client, "mtls.events");
        assertEquals(0, produce.exit(), produce.err());
        Path summary = dir.resolve("summary.json");
        Run train = cli(trainArgs(servers, client, "mtls", "--summary-json", summary.toString()));
        assertEquals(0, train.exit(), train.err());
        JsonNode s = new ObjectMapper().readTree(summary.toFile());
        assertEquals(EVENTS, s.get("events_trained").asLong());
        List<ModelSnapshot> snapshots = snapshots(servers, client, "mtls.snapshots");
        assertEquals(EVENTS / 64, snapshots.get(snapshots.size() - 1).getVersion());
        for (Run r : List.of(produce, train)) {
            for (String text : List.of(r.out(), r.err(), r.logs())) {
                assertFalse(
                        text.contains(tlsBroker.clientKeystorePassword()),
                        "the keystore's password is in a run's output");
            }
        }
    }

    @Test
    void anUntrustedCertificateStopsInSecondsSayingTlsNotPasswords(@TempDir Path dir)
            throws Exception {
        Path client = tlsClientFile(dir, "untrusting.properties", false);
        String servers = tlsBroker.saslBootstrapServers();
        Run train = cli(trainArgs(servers, client, "untrusted"));
        assertNotEquals(0, train.exit());
        assertTrue(train.seconds() < 30, "took " + train.seconds() + " s");
        String err = train.err().strip();
        assertFalse(err.contains("\n"), "one line: " + err);
        assertTrue(err.startsWith("streamgrad: the TLS handshake with Kafka at " + servers), err);
        assertTrue(err.contains("ssl.truststore.location"), err);
        assertTrue(err.contains(client.toString()), err);
        assertFalse(err.contains("user name and password"), err);
    }
}
