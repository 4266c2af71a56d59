package io.streamgrad.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The byte-array clients against Kafka's real KRaft broker, running in this JVM. */
class RawClientsTest {
    private static final String TOPIC = "raw-clients-close";
    private static final int RECORDS = 20;

    /**
     * How long the broker holds a fetch with nothing to return: longer than Kafka's default (500
     * ms), so that a close waiting for that fetch is told apart from one that does not.
     */
    private static final int FETCH_MAX_WAIT_MS = 4_000;

    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void startBroker() throws Exception {
        // As Kafka's brokers are by default: a metadata request may create a missing topic.
        broker = EmbeddedKafkaBroker.startCreatingTopicsOnRequest();
        try (Admin admin =
                Admin.create(
                        Map.<String, Object>of("bootstrap.servers", broker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get();
        }
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(
                        RawClients.producerProps(broker.bootstrapServers(), "raw-clients-test"))) {
            for (int i = 0; i < RECORDS; i++) {
                producer.send(new ProducerRecord<>(TOPIC, ("v" + i).getBytes())).get();
            }
        }
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @Test
    void readingAMissingTopicDoesNotCreateIt() throws Exception {
        KafkaClientConfig kafka = KafkaClientConfig.plain(broker.bootstrapServers());
        try (KafkaConsumer<byte[], byte[]> reader = RawClients.consumer(kafka, "t")) {
            assertEquals(List.of(), RawClients.fromBeginning(reader, kafka, "mistyped-snapshots"));
        }
        // The broker would have: a plain consumer's request creates it, with its defaults.
        try (KafkaConsumer<byte[], byte[]> plain =
                        new KafkaConsumer<>(
                                Map.<String, Object>of(
                                        "bootstrap.servers", broker.bootstrapServers(),
                                        "key.deserializer", ByteArrayDeserializer.class.getName(),
                                        "value.deserializer",
                                                ByteArrayDeserializer.class.getName()));
                TopicAdmin admin = new TopicAdmin(broker.bootstrapServers())) {
            plain.partitionsFor("created-by-asking", Duration.ofSeconds(10));
            long deadline = System.currentTimeMillis() + 10_000;
            while (!admin.topicExists("created-by-asking")
                    && System.currentTimeMillis() < deadline) {
                Thread.sleep(100);
            }
            assertTrue(admin.topicExists("created-by-asking"), "the broker creates on request");
            // Asked for before the one the broker did create: had the reader's request created
            // it, it would be there by now.
            assertTrue(!admin.topicExists("mistyped-snapshots"), "not created by the reader");
        }
    }

    private static KafkaClientConfig holdingFetches() {
        return KafkaClientConfig.of(
                broker.bootstrapServers(),
                Map.of(
                        ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG,
                        Integer.toString(FETCH_MAX_WAIT_MS)));
    }

    /** Reads the topic to its end, then polls once more: a fetch is left waiting at the broker. */
    private static void readToTheEnd(KafkaConsumer<byte[], byte[]> consumer, KafkaClientConfig c) {
        List<TopicPartition> partitions = RawClients.fromBeginning(consumer, c, TOPIC);
        long read = 0;
        for (int i = 0; i < 100 && read < RECORDS; i++) {
            read += consumer.poll(Duration.ofMillis(200)).count();
        }
        assertEquals(RECORDS, read);
        assertEquals(RECORDS, consumer.position(partitions.get(0)));
        assertEquals(0, consumer.poll(Duration.ofMillis(200)).count());
    }

    private static long closeMillis(KafkaConsumer<byte[], byte[]> consumer) {
        long start = System.nanoTime();
        consumer.close();
        return (System.nanoTime() - start) / 1_000_000;
    }

    @Test
    void aReaderClosesWithoutWaitingForTheFetchTheBrokerHolds() {
        KafkaClientConfig c = holdingFetches();
        // Kafka's own consumer waits for it (KAFKA-19884): what the reader's close avoids.
        KafkaConsumer<byte[], byte[]> plain =
                new KafkaConsumer<>(
                        c.properties(
                                Map.of(
                                        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                                        org.apache.kafka.common.serialization.ByteArrayDeserializer
                                                .class
                                                .getName(),
                                        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                                        org.apache.kafka.common.serialization.ByteArrayDeserializer
                                                .class
                                                .getName())));
        long plainMs;
        try {
            readToTheEnd(plain, c);
        } finally {
            plainMs = closeMillis(plain);
        }
        assertTrue(
                plainMs >= FETCH_MAX_WAIT_MS / 2,
                "Kafka's close took "
                        + plainMs
                        + " ms: if it no longer waits for its fetch, RawClients need not override"
                        + " close()");

        KafkaConsumer<byte[], byte[]> reader = RawClients.consumer(c, "raw-clients-test");
        long readerMs;
        try {
            readToTheEnd(reader, c);
        } finally {
            readerMs = closeMillis(reader);
        }
        assertTrue(readerMs < FETCH_MAX_WAIT_MS / 2, "the reader's close took " + readerMs + " ms");
    }
}
