package io.streamgrad.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamgrad.kafka.EmbeddedKafkaBroker;
import io.streamgrad.kafka.KafkaClientConfig;
import io.streamgrad.kafka.RawClients;
import io.streamgrad.kafka.Topic;
import io.streamgrad.kafka.TopicAdmin;
import io.streamgrad.schema.AvroSerde;
import io.streamgrad.schema.MetricKind;
import io.streamgrad.schema.TrainingMetric;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A run's readers of a shared metrics topic start where the run began, never at the topic's
 * history: the progress follower from the topic's end when it was created (earlier runs' metrics,
 * and anything written before it, are skipped, not decoded; the run's own later metrics arrive in
 * order), and the outcome reader from a recorded {@link OutputStart}, through a transaction another
 * producer left open. A real broker (in-process KRaft).
 */
class RunOutputReadersIT {
    private static final String TOPIC = "metrics-follower-it";
    private static final String SHARED = "run-outputs-it";
    private static final String HELD = "held-by-open-transaction-it";
    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafkaBroker.start();
        try (TopicAdmin admin = new TopicAdmin(broker.bootstrapServers())) {
            admin.ensureTopic(Topic.METRICS, TOPIC, 1);
            admin.ensureTopic(Topic.METRICS, SHARED, 2);
            admin.ensureTopic(Topic.METRICS, HELD, 2);
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
        write(producer, TOPIC, 0, metrics);
    }

    private static void write(
            KafkaProducer<byte[], byte[]> producer,
            String topic,
            int partition,
            TrainingMetric... metrics) {
        AvroSerde<TrainingMetric> serde = AvroSerde.of(TrainingMetric.class);
        for (TrainingMetric m : metrics) {
            producer.send(new ProducerRecord<>(topic, partition, null, serde.serialize(m)));
        }
        producer.flush();
    }

    private static KafkaProducer<byte[], byte[]> producer() {
        var props = RawClients.producerProps(broker.bootstrapServers(), "run-outputs-it");
        props.put("key.serializer", ByteArraySerializer.class.getName());
        props.put("value.serializer", ByteArraySerializer.class.getName());
        return new KafkaProducer<>(props);
    }

    @Test
    void theOutcomeIsReadFromWhereTheRunsOutputsBegan() {
        KafkaClientConfig kafka = KafkaClientConfig.plain(broker.bootstrapServers());
        Map<Integer, Long> start;
        try (KafkaProducer<byte[], byte[]> producer = producer();
                TopicAdmin admin = new TopicAdmin(broker.bootstrapServers())) {
            assertEquals(Map.of(), admin.endOffsets("no-such-topic"));
            // History on both partitions, this run id's too (an earlier attempt that started over).
            write(producer, SHARED, 0, metric("old", 1), metric("r2", 1), metric("old", 2));
            write(producer, SHARED, 1, metric("old", 3));
            start = admin.endOffsets(SHARED);
            assertEquals(Map.of(0, 3L, 1, 1L), start);
            write(producer, SHARED, 1, metric("r2", 2), metric("other", 1));
            write(producer, SHARED, 0, metric("r2", 3));
        }
        assertEquals(List.of(2L, 3L), r2Iterations(kafka, start));
        // A partition not named is read from its beginning: r2's first metric is on partition 0.
        assertEquals(List.of(1L, 2L, 3L), r2Iterations(kafka, Map.of(1, 1L)));
        // An offset the topic no longer has (past its end, as after the topic was deleted and
        // created again) reads that partition from its start.
        assertEquals(List.of(1L, 2L, 3L), r2Iterations(kafka, Map.of(0, 1_000L, 1, 1L)));
    }

    /** The iterations of run r2's metrics on the shared topic, read from {@code from}, sorted. */
    private static List<Long> r2Iterations(KafkaClientConfig kafka, Map<Integer, Long> from) {
        return TopicReader.readAll(
                        kafka, SHARED, from, TrainingMetric.class, m -> "r2".equals(m.getRunId()))
                .stream()
                .map(TrainingMetric::getIteration)
                .sorted()
                .toList();
    }

    private static KafkaProducer<byte[], byte[]> transactional(String id) {
        var props = RawClients.producerProps(broker.bootstrapServers(), id);
        props.put("key.serializer", ByteArraySerializer.class.getName());
        props.put("value.serializer", ByteArraySerializer.class.getName());
        props.put("transactional.id", id);
        KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(props);
        p.initTransactions();
        return p;
    }

    /**
     * A run killed while writing leaves its transaction open on a shared output topic; the next
     * run's outputs, committed after it, are invisible to a read to the committed end (the last
     * stable offset), and the run's summary said it "received no events". Read to the end written,
     * they are there once the open transaction ends (here aborted when the reader says it waits, as
     * Kafka aborts it at its timeout), and the reader said once what held it.
     */
    @Test
    void aRunsOutcomeIsReadThroughATransactionAnotherProducerLeftOpen() throws Exception {
        KafkaClientConfig kafka = KafkaClientConfig.plain(broker.bootstrapServers());
        try (KafkaProducer<byte[], byte[]> killed = transactional("killed-run-it");
                KafkaProducer<byte[], byte[]> run = transactional("next-run-it")) {
            run.beginTransaction();
            write(run, HELD, 1, metric("before", 1));
            run.commitTransaction();
            killed.beginTransaction();
            write(killed, HELD, 0, metric("killed", 1));
            run.beginTransaction();
            write(run, HELD, 0, metric("r3", 1));
            write(run, HELD, 1, metric("r3", 2));
            run.commitTransaction();

            // To the committed end: partition 0 stops at the open transaction, before r3's metric.
            assertEquals(
                    List.of(2L),
                    TopicReader.readAll(kafka, HELD, Map.of(), TrainingMetric.class, this::isR3)
                            .stream()
                            .map(TrainingMetric::getIteration)
                            .toList());

            // A command that reads what is committed now says what it cannot show.
            String held = TopicReader.heldBack(kafka, HELD).orElseThrow();
            assertTrue(held.contains("behind a transaction still open at {0=0}"), held);

            List<String> said = new CopyOnWriteArrayList<>();
            long start = System.nanoTime();
            // Kafka aborts such a transaction at its timeout; here, once the reader says it waits.
            List<TrainingMetric> all =
                    TopicReader.readAllWritten(
                            kafka,
                            HELD,
                            Map.of(),
                            TrainingMetric.class,
                            m -> true,
                            message -> {
                                said.add(message);
                                killed.abortTransaction();
                            });
            double waited = (System.nanoTime() - start) / 1e9;

            // Every committed metric, r3's both; the aborted one skipped.
            assertEquals(
                    List.of("before/1", "r3/1", "r3/2"),
                    all.stream().map(m -> m.getRunId() + "/" + m.getIteration()).sorted().toList());
            assertTrue(waited >= 2, "it waited for the transaction to end: " + waited + " s");
            assertEquals(1, said.size(), "said once: " + said);
            assertEquals(java.util.Optional.empty(), TopicReader.heldBack(kafka, HELD));
            assertTrue(
                    said.get(0).contains("reading " + HELD)
                            && said.get(0).contains("holds it at {0=0}")
                            && said.get(0).contains("transaction still open"),
                    said.get(0));
        }
    }

    private boolean isR3(TrainingMetric m) {
        return "r3".equals(m.getRunId());
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
            try (TopicFollower<TrainingMetric> follower =
                    new TopicFollower<>(
                            KafkaClientConfig.plain(broker.bootstrapServers()),
                            TOPIC,
                            TrainingMetric.class,
                            m -> "r1".equals(m.getRunId().toString()),
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

        // Closed right after the run's last metrics were written: they are read, not cut off.
        List<Long> last = new CopyOnWriteArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
            TopicFollower<TrainingMetric> follower =
                    new TopicFollower<>(
                            KafkaClientConfig.plain(broker.bootstrapServers()),
                            TOPIC,
                            TrainingMetric.class,
                            m -> "r2".equals(m.getRunId().toString()),
                            m -> last.add(m.getIteration()),
                            () -> {});
            write(producer, metric("r2", 1), metric("r2", 2), metric("r2", 3));
            follower.close();
        }
        assertEquals(List.of(1L, 2L, 3L), last);
        // The skipped records were there to be read (the test tests something).
        assertEquals(
                9,
                TopicReader.readAll(
                                broker.bootstrapServers(), TOPIC, TrainingMetric.class, m -> true)
                        .size());
    }
}
