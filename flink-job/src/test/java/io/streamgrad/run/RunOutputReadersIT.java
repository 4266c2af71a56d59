package io.streamgrad.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamgrad.kafka.EmbeddedKafkaBroker;
import io.streamgrad.kafka.KafkaClientConfig;
import io.streamgrad.kafka.RawClients;
import io.streamgrad.kafka.Topic;
import io.streamgrad.kafka.TopicAdmin;
import io.streamgrad.schema.AvroSerde;
import io.streamgrad.schema.MetricKind;
import io.streamgrad.schema.TrainingMetric;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The progress follower reads a shared metrics topic from where it stood when the follower was
 * created: earlier runs' metrics (and anything written before it) are skipped, not decoded, and the
 * run's own later metrics arrive in order. A real broker (in-process KRaft).
 */
class MetricsFollowerIT {
    private static final String TOPIC = "metrics-follower-it";
    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafkaBroker.start();
        try (TopicAdmin admin = new TopicAdmin(broker.bootstrapServers())) {
            admin.ensureTopic(Topic.METRICS, TOPIC, 1);
        }
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    private static TrainingMetric metric(String runId, long iteration) {
        return TrainingMetric.newBuilder()
                .setRunId(runId)
                .setModel("m")
                .setIteration(iteration)
                .setKind(MetricKind.ITERATION)
                .setBatchSize(1)
                .setLoss(0)
                .setSmoothedLoss(0)
                .setExamplesSeen(iteration)
                .setBatchEventTimeMin(0)
                .setBatchEventTimeMax(0)
                .setEmittedAt(iteration)
                .build();
    }

    private static void write(KafkaProducer<byte[], byte[]> producer, TrainingMetric... metrics) {
        AvroSerde<TrainingMetric> serde = AvroSerde.of(TrainingMetric.class);
        for (TrainingMetric m : metrics) {
            producer.send(new ProducerRecord<>(TOPIC, serde.serialize(m)));
        }
        producer.flush();
    }

    @Test
    void followsFromTheTopicsEndAtCreationOnly() throws Exception {
        var props = RawClients.producerProps(broker.bootstrapServers(), "metrics-follower-it");
        props.put("key.serializer", ByteArraySerializer.class.getName());
        props.put("value.serializer", ByteArraySerializer.class.getName());
        List<Long> seen = new CopyOnWriteArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
            // Another run's history, and one metric of this run id from before the follower.
            write(producer, metric("old", 1), metric("old", 2), metric("r1", 99));
            try (MetricsFollower follower =
                    new MetricsFollower(
                            KafkaClientConfig.plain(broker.bootstrapServers()),
                            TOPIC,
                            "r1",
                            m -> seen.add(m.getIteration()),
                            () -> {})) {
                write(producer, metric("r1", 1), metric("other", 1), metric("r1", 2));
                long deadline = System.currentTimeMillis() + 30_000;
                while (seen.size() < 2 && System.currentTimeMillis() < deadline) {
                    Thread.sleep(50);
                }
                // A little longer: anything else that would arrive, arrives.
                Thread.sleep(500);
            }
        }
        assertEquals(List.of(1L, 2L), seen);
        // The skipped records were there to be read (the test tests something).
        assertEquals(
                6,
                TopicReader.readAll(
                                broker.bootstrapServers(), TOPIC, TrainingMetric.class, m -> true)
                        .size());
    }
}
