package io.streamgrad.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The in-process broker's SASL/PLAIN listener, used through {@link KafkaClientConfig}. */
class SaslListenerTest {
    private static final String PASSWORD = "alice-Pa55-9f3";
    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void start() {
        broker = EmbeddedKafkaBroker.startWithSaslPlain(Map.of("alice", PASSWORD));
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    private static KafkaClientConfig as(String user, String password) {
        return KafkaClientConfig.of(
                broker.saslBootstrapServers(),
                Map.of(
                        "security.protocol", "SASL_PLAINTEXT",
                        "sasl.mechanism", "PLAIN",
                        "sasl.jaas.config",
                                "org.apache.kafka.common.security.plain.PlainLoginModule required"
                                        + " username=\""
                                        + user
                                        + "\" password=\""
                                        + password
                                        + "\";"));
    }

    @Test
    void theRightPasswordWritesAndReadsWithEveryKindOfClient() {
        KafkaClientConfig kafka = as("alice", PASSWORD);
        try (TopicAdmin admin = new TopicAdmin(kafka)) {
            admin.requireReachable();
            admin.ensureTopic(Topic.METRICS, "sasl.t", 1);
        }
        try (RecordWriter w = RecordWriter.to(kafka, "sasl-test")) {
            w.send(new ProducerRecord<>("sasl.t", new byte[] {1}, new byte[] {2, 3}));
        }
        try (KafkaConsumer<byte[], byte[]> c = RawClients.consumer(kafka, "sasl-test")) {
            RawClients.fromBeginning(c, kafka, "sasl.t");
            List<ConsumerRecord<byte[], byte[]>> got = new java.util.ArrayList<>();
            long deadline = System.currentTimeMillis() + 20_000;
            while (got.isEmpty() && System.currentTimeMillis() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(got::add);
            }
            assertEquals(1, got.size());
            assertEquals(3, got.get(0).value()[1]);
        }
    }

    @Test
    void aWrongPasswordIsRefusedWithAMessageThatNamesTheFixAndNotThePassword() {
        KafkaClientConfig kafka = as("alice", "wrong-Pa55-77");
        try (TopicAdmin admin = new TopicAdmin(kafka, 30_000)) {
            var e = assertThrows(KafkaAuthenticationException.class, admin::requireReachable);
            assertTrue(e.getMessage().startsWith("Kafka at " + broker.saslBootstrapServers()));
            assertTrue(e.getMessage().contains("refused authentication"), e.getMessage());
            assertTrue(e.getMessage().contains("sasl.jaas.config"), e.getMessage());
            assertFalse(e.getMessage().contains("wrong-Pa55-77"), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
        }
        try (KafkaConsumer<byte[], byte[]> c = RawClients.consumer(kafka, "sasl-test")) {
            assertThrows(
                    KafkaAuthenticationException.class,
                    () -> RawClients.fromBeginning(c, kafka, "sasl.t"));
        }
    }

    @Test
    void thePlaintextListenerStillNeedsNoCredentials() {
        try (TopicAdmin admin = new TopicAdmin(broker.bootstrapServers())) {
            admin.requireReachable();
        }
    }
}
