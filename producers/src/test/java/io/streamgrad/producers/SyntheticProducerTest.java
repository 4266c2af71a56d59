package io.streamgrad.producers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamgrad.kafka.EmbeddedKafkaBroker;
import io.streamgrad.kafka.KafkaUnreachableException;
import io.streamgrad.kafka.RecordWriter;
import io.streamgrad.kafka.Topic;
import io.streamgrad.kafka.TopicAdmin;
import io.streamgrad.schema.AvroSerde;
import io.streamgrad.schema.LabeledEvent;
import io.streamgrad.schema.Task;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The producer against Kafka's real KRaft broker, running in this JVM. */
class SyntheticProducerTest {
    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafkaBroker.start();
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
        broker.close(); // idempotent
    }

    @Test
    void everyEventArrivesDecodableOnItsPartition() {
        SyntheticConfig config =
                new SyntheticConfig(
                        "events-a", "m1", Task.MULTICLASS, 6, 3, 0.2, 1500, 0, 3, 7, 0, false);
        java.util.List<Long> progress = new java.util.ArrayList<>();
        long written = new SyntheticProducer(broker.bootstrapServers(), config).run(progress::add);
        assertEquals(1500, written);
        assertEquals(java.util.List.of(1500L), progress);

        SyntheticEvents expected = new SyntheticEvents(config);
        AvroSerde<LabeledEvent> serde = AvroSerde.of(LabeledEvent.class);
        Map<Integer, Integer> perPartition = new HashMap<>();
        int read = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
            consumer.subscribe(java.util.List.of("events-a"));
            long deadline = System.currentTimeMillis() + 30_000;
            while (read < 1500 && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    LabeledEvent e = serde.deserialize(r.value());
                    long index = Long.parseLong(e.getEventId().substring("syn-7-".length()));
                    assertEquals(expected.event(index), e);
                    assertEquals(index % 3, r.partition());
                    assertEquals(e.getEventTime(), r.timestamp());
                    perPartition.merge(r.partition(), 1, Integer::sum);
                    read++;
                }
            }
        }
        assertEquals(1500, read);
        assertEquals(Map.of(0, 500, 1, 500, 2, 500), perPartition);
    }

    @Test
    void progressIsReportedEveryTenThousandEventsAndOnceAtTheEnd() {
        SyntheticConfig config =
                new SyntheticConfig(
                        "events-progress", "m1", Task.BINARY, 2, 2, 0.2, 20_000, 0, 1, 7, 0, false);
        java.util.List<Long> progress = new java.util.ArrayList<>();
        new SyntheticProducer(broker.bootstrapServers(), config).run(progress::add);
        assertEquals(java.util.List.of(10_000L, 20_000L), progress);
    }

    @Test
    void historicalEventsSurviveTheBrokersTimeBasedRetention() throws Exception {
        // Event times from 2026-01-01 onwards: older than the broker's 7-day retention whenever
        // this runs after 2026-01-08. The events topic keeps them; a topic with the broker's
        // defaults, written with the same timestamps, shows that the retention check did run.
        SyntheticConfig config =
                new SyntheticConfig(
                        "events-old", "m1", Task.BINARY, 4, 2, 0.5, 300, 0, 2, 7, 0, false);
        assertTrue(
                System.currentTimeMillis() - SyntheticConfig.EPOCH_MS
                        > Duration.ofDays(8).toMillis());
        new SyntheticProducer(broker.bootstrapServers(), config).run(n -> {});
        try (TopicAdmin admin = new TopicAdmin(broker.bootstrapServers())) {
            admin.ensureTopic(Topic.METRICS, "control-old", 1);
            try (RecordWriter writer = RecordWriter.to(broker.bootstrapServers(), "test")) {
                for (int i = 0; i < 300; i++) {
                    writer.send(
                            new ProducerRecord<>(
                                    "control-old",
                                    0,
                                    SyntheticConfig.EPOCH_MS + i,
                                    null,
                                    new byte[] {(byte) i}));
                }
                writer.flush();
                assertEquals(300, writer.acknowledged());
            }
            long deadline = System.currentTimeMillis() + 30_000;
            while (admin.recordCount("control-old") > 0 && System.currentTimeMillis() < deadline) {
                Thread.sleep(200);
            }
            assertEquals(0, admin.recordCount("control-old"), "the retention check deleted them");
            assertEquals(300, admin.recordCount("events-old"), "the events topic kept them all");
        }
    }

    @Test
    void aFailedSendIsReportedNotLost() {
        try (TopicAdmin admin = new TopicAdmin(broker.bootstrapServers())) {
            admin.ensureTopic(Topic.METRICS, "one-partition", 1);
        }
        RecordWriter writer = RecordWriter.to(broker.bootstrapServers(), "test");
        // A timestamp a day ahead: brokers refuse records from the future (beyond an hour).
        writer.send(
                new ProducerRecord<>(
                        "one-partition",
                        0,
                        System.currentTimeMillis() + Duration.ofDays(1).toMillis(),
                        null,
                        new byte[] {1}));
        IllegalStateException e = assertThrows(IllegalStateException.class, writer::close);
        assertTrue(
                e.getMessage().startsWith("writing to topic one-partition failed: "),
                e.getMessage());
    }

    @Test
    void rateLimitIsHonoured() {
        SyntheticConfig config =
                new SyntheticConfig(
                        "events-b", "m1", Task.BINARY, 4, 2, 0.5, 200, 400, 1, 7, 0, false);
        long start = System.nanoTime();
        new SyntheticProducer(broker.bootstrapServers(), config).run(n -> {});
        double seconds = (System.nanoTime() - start) / 1e9;
        // 200 events at 400/s cannot take less than ~0.5 s.
        assertTrue(seconds >= 0.45, "took " + seconds + " s");
    }

    @Test
    void unreachableKafkaSaysWhatToDo() {
        SyntheticConfig config =
                new SyntheticConfig("x", "m", Task.BINARY, 4, 2, 0.5, 10, 0, 1, 7, 0, false);
        KafkaUnreachableException e =
                assertThrows(
                        KafkaUnreachableException.class,
                        () -> new SyntheticProducer("localhost:1", config).run(n -> {}));
        assertTrue(e.getMessage().contains("--bootstrap-servers"), e.getMessage());
    }

    private static KafkaConsumer<byte[], byte[]> consumer() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "verify");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName());
        return new KafkaConsumer<>(p);
    }
}
