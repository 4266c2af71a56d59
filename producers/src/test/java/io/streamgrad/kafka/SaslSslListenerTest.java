package io.streamgrad.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The in-process broker's SASL_SSL listener, as managed Kafka services offer it: TLS with a
 * certificate the JVM does not trust by default, and SCRAM or PLAIN credentials.
 */
class SaslSslListenerTest {
    private static final String PASSWORD = "bob-Pa55-4e1";
    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void start() {
        broker = EmbeddedKafkaBroker.startWithSaslSsl(Map.of("bob", PASSWORD));
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    private static Map<String, String> settings(String mechanism, String password) {
        String module =
                mechanism.equals("PLAIN")
                        ? "org.apache.kafka.common.security.plain.PlainLoginModule"
                        : "org.apache.kafka.common.security.scram.ScramLoginModule";
        Map<String, String> s = new HashMap<>();
        s.put("security.protocol", "SASL_SSL");
        s.put("sasl.mechanism", mechanism);
        s.put(
                "sasl.jaas.config",
                module + " required username=\"bob\" password=\"" + password + "\";");
        s.put("ssl.truststore.location", broker.truststore().toString());
        s.put("ssl.truststore.password", broker.truststorePassword());
        return s;
    }

    @ParameterizedTest
    @ValueSource(strings = {"SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN"})
    void eachMechanismWritesAndReadsOverTls(String mechanism) {
        KafkaClientConfig kafka =
                KafkaClientConfig.of(broker.saslBootstrapServers(), settings(mechanism, PASSWORD));
        writesAndReads(kafka, "tls." + mechanism.toLowerCase(java.util.Locale.ROOT));
    }

    /** Mutual TLS: no password, the client's certificate is its identity. */
    private static Map<String, String> mutualTls(boolean withClientCertificate) {
        Map<String, String> s = new HashMap<>();
        s.put("security.protocol", "SSL");
        s.put("ssl.truststore.location", broker.truststore().toString());
        s.put("ssl.truststore.password", broker.truststorePassword());
        if (withClientCertificate) {
            s.put("ssl.keystore.location", broker.clientKeystore().toString());
            s.put("ssl.keystore.password", broker.clientKeystorePassword());
            s.put("ssl.key.password", broker.clientKeystorePassword());
        }
        return s;
    }

    @Test
    void mutualTlsWithTheClientsCertificateWritesAndReads() {
        writesAndReads(
                KafkaClientConfig.of(broker.sslBootstrapServers(), mutualTls(true)), "mtls.ok");
    }

    @Test
    void mutualTlsWithoutAClientCertificateSaysToSetTheKeystore() {
        KafkaClientConfig kafka =
                KafkaClientConfig.of(broker.sslBootstrapServers(), mutualTls(false));
        try (TopicAdmin admin = new TopicAdmin(kafka.withTimeoutMs(30_000))) {
            var e = assertThrows(KafkaAuthenticationException.class, admin::requireReachable);
            String m = e.getMessage();
            assertTrue(
                    m.startsWith("the TLS handshake with Kafka at " + broker.sslBootstrapServers()),
                    m);
            assertTrue(m.contains("ssl.keystore.location"), m);
            assertFalse(m.contains("\n"), m);
        }
    }

    @Test
    void mutualTlsWithACertificateTheBrokersDoNotTrustSaysSo(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        SelfSignedTls stranger = SelfSignedTls.createClient(dir.resolve("stranger"), "stranger");
        Map<String, String> s = mutualTls(false);
        s.put("ssl.keystore.location", stranger.keystore().toString());
        s.put("ssl.keystore.password", stranger.password());
        s.put("ssl.key.password", stranger.password());
        KafkaClientConfig kafka = KafkaClientConfig.of(broker.sslBootstrapServers(), s);
        try (TopicAdmin admin = new TopicAdmin(kafka.withTimeoutMs(30_000))) {
            String m =
                    assertThrows(KafkaAuthenticationException.class, admin::requireReachable)
                            .getMessage();
            assertTrue(m.contains("the brokers did not accept the client certificate"), m);
            assertFalse(m.contains(stranger.password()), "no secret in: " + m);
        }
    }

    private static void writesAndReads(KafkaClientConfig kafka, String topic) {
        try (TopicAdmin admin = new TopicAdmin(kafka)) {
            admin.requireReachable();
            admin.ensureTopic(Topic.METRICS, topic, 1);
        }
        try (RecordWriter w = RecordWriter.to(kafka, "tls-test")) {
            w.send(new ProducerRecord<>(topic, new byte[] {1}, new byte[] {4, 2}));
        }
        try (KafkaConsumer<byte[], byte[]> c = RawClients.consumer(kafka, "tls-test")) {
            RawClients.fromBeginning(c, kafka, topic);
            List<ConsumerRecord<byte[], byte[]>> got = new ArrayList<>();
            long deadline = System.currentTimeMillis() + 20_000;
            while (got.isEmpty() && System.currentTimeMillis() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(got::add);
            }
            assertEquals(1, got.size());
            assertEquals(2, got.get(0).value()[1]);
        }
    }

    @Test
    void aWrongScramPasswordIsACredentialsErrorThatNeverShowsThePassword() {
        KafkaClientConfig kafka =
                KafkaClientConfig.of(
                        broker.saslBootstrapServers(), settings("SCRAM-SHA-512", "not-Pa55-31"));
        try (TopicAdmin admin = new TopicAdmin(kafka.withTimeoutMs(30_000))) {
            var e = assertThrows(KafkaAuthenticationException.class, admin::requireReachable);
            assertTrue(e.getMessage().contains("refused authentication"), e.getMessage());
            assertTrue(e.getMessage().contains("sasl.jaas.config"), e.getMessage());
            assertFalse(e.getMessage().contains("not-Pa55-31"), e.getMessage());
        }
    }

    @Test
    void withoutTheTruststoreTheHandshakeFailsAndTheMessageSaysSoNotPasswords() {
        Map<String, String> untrusting = settings("SCRAM-SHA-512", PASSWORD);
        untrusting.remove("ssl.truststore.location");
        untrusting.remove("ssl.truststore.password");
        KafkaClientConfig kafka = KafkaClientConfig.of(broker.saslBootstrapServers(), untrusting);
        long start = System.nanoTime();
        try (TopicAdmin admin = new TopicAdmin(kafka.withTimeoutMs(30_000))) {
            var e = assertThrows(KafkaAuthenticationException.class, admin::requireReachable);
            String m = e.getMessage();
            assertTrue(
                    m.startsWith(
                            "the TLS handshake with Kafka at " + broker.saslBootstrapServers()),
                    m);
            assertTrue(m.contains("ssl.truststore.location"), m);
            assertFalse(m.contains("user name and password"), m);
            assertFalse(m.contains("\n"), m);
        }
        // Kafka does not retry a failed handshake: no waiting out the 30-s timeout.
        assertTrue(
                (System.nanoTime() - start) / 1e9 < 20,
                "took " + (System.nanoTime() - start) / 1e9);
    }

    @Test
    void theTruststoreTrustsTheBrokerForItsNameAndNoMore() throws Exception {
        // The certificate names localhost and 127.0.0.1: hostname verification (Kafka's default)
        // passes for both, as the clients above show for localhost.
        java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
        try (var in = java.nio.file.Files.newInputStream(broker.truststore())) {
            trust.load(in, broker.truststorePassword().toCharArray());
        }
        var cert = (java.security.cert.X509Certificate) trust.getCertificate("broker");
        assertEquals("CN=localhost", cert.getSubjectX500Principal().getName());
        assertTrue(
                cert.getSubjectAlternativeNames().stream()
                        .anyMatch(n -> n.get(1).equals("127.0.0.1")));
        assertFalse(trust.isKeyEntry("broker"), "the truststore holds no private key");
    }

    @Test
    void aClientInTheOtherProtocolIsToldSoInSecondsNotAfterItsTimeout() {
        // No TLS at the TLS listener (the default security.protocol, PLAINTEXT).
        long start = System.nanoTime();
        try (TopicAdmin admin =
                new TopicAdmin(
                        KafkaClientConfig.plain(broker.saslBootstrapServers())
                                .withTimeoutMs(30_000))) {
            var e = assertThrows(KafkaUnreachableException.class, admin::requireReachable);
            assertTrue(
                    e.getMessage()
                            .contains(
                                    "the listener at "
                                            + broker.saslBootstrapServers()
                                            + " speaks TLS, but security.protocol is PLAINTEXT (the"
                                            + " default): set security.protocol=SSL"),
                    e.getMessage());
        }
        // TLS at the plaintext listener.
        try (TopicAdmin admin =
                new TopicAdmin(
                        KafkaClientConfig.of(
                                        broker.bootstrapServers(),
                                        settings("SCRAM-SHA-512", PASSWORD))
                                .withTimeoutMs(30_000))) {
            var e = assertThrows(KafkaUnreachableException.class, admin::requireReachable);
            assertTrue(
                    e.getMessage()
                            .contains(
                                    "does not speak TLS, but security.protocol is SASL_SSL: use"
                                            + " SASL_PLAINTEXT"),
                    e.getMessage());
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        assertTrue(seconds < 15, "both told in " + seconds + " s, not after 30 s each");
        // Where the protocols agree, the probe has nothing to say.
        long deadline = System.currentTimeMillis() + 5_000;
        assertEquals(
                BootstrapProbe.Listener.TLS,
                BootstrapProbe.speaks(
                        host(broker.saslBootstrapServers()),
                        port(broker.saslBootstrapServers()),
                        deadline));
        assertEquals(
                BootstrapProbe.Listener.NOT_TLS,
                BootstrapProbe.speaks(
                        host(broker.bootstrapServers()),
                        port(broker.bootstrapServers()),
                        deadline));
        assertEquals(
                null,
                BootstrapProbe.protocolMismatch(
                        KafkaClientConfig.of(
                                broker.saslBootstrapServers(), settings("PLAIN", PASSWORD)),
                        5_000),
                "a TLS client at the TLS listener");
        // Several servers: one that speaks the client's protocol is enough.
        assertEquals(
                null,
                BootstrapProbe.protocolMismatch(
                        KafkaClientConfig.plain(
                                broker.saslBootstrapServers() + "," + broker.bootstrapServers()),
                        5_000));
    }

    private static String host(String address) {
        return address.substring(0, address.lastIndexOf(':'));
    }

    private static int port(String address) {
        return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
    }
}
