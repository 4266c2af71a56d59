package io.streamgrad.producers;

import io.streamgrad.kafka.KafkaClientConfig;
import io.streamgrad.kafka.RawClients;
import io.streamgrad.kafka.RecordWriter;
import io.streamgrad.kafka.Topic;
import io.streamgrad.kafka.TopicAdmin;
import io.streamgrad.schema.AvroSerde;
import io.streamgrad.schema.LabeledEvent;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.function.LongConsumer;
import java.util.function.LongFunction;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes numbered {@link LabeledEvent}s to a topic, the one way every producer does it: event k
 * goes to partition k mod P (P = the partitions asked for, capped by the topic's), keyed by its
 * model, stamped with its event time, at an optional rate; the topic is created if missing, with
 * unlimited retention (see {@link TopicAdmin.Retention#UNLIMITED}); every record is acknowledged or
 * the run fails.
 */
public final class EventProducer {
    private final KafkaClientConfig kafka;
    private final String topic;
    private final int partitions;
    private final double ratePerSecond;

    /** On a plaintext cluster. */
    public EventProducer(
            String bootstrapServers, String topic, int partitions, double ratePerSecond) {
        this(KafkaClientConfig.plain(bootstrapServers), topic, partitions, ratePerSecond);
    }

    public EventProducer(
            KafkaClientConfig kafka, String topic, int partitions, double ratePerSecond) {
        this.kafka = kafka;
        this.topic = topic;
        this.partitions = partitions;
        this.ratePerSecond = ratePerSecond;
    }

    /**
     * Writes events {@code first} to {@code first + count - 1}.
     *
     * @param progress called with the count sent so far, every 10,000 events, and with the count
     *     once at the end, after the writer has flushed them
     * @return the number of events written
     */
    public long run(
            long first, long count, LongFunction<LabeledEvent> eventAt, LongConsumer progress) {
        int p;
        try (TopicAdmin admin = new TopicAdmin(kafka)) {
            admin.requireReachable();
            admin.ensureTopic(Topic.EVENTS, topic, partitions);
            p = Math.min(partitions, admin.partitionCount(topic));
        }
        AvroSerde<LabeledEvent> serde = AvroSerde.of(LabeledEvent.class);
        long start = System.nanoTime();
        try (RecordWriter writer = new RecordWriter(producerProps())) {
            for (long i = 0; i < count; i++) {
                long k = first + i;
                LabeledEvent event = eventAt.apply(k);
                writer.send(
                        new ProducerRecord<>(
                                topic,
                                (int) (k % p),
                                event.getEventTime(),
                                event.getModel().getBytes(StandardCharsets.UTF_8),
                                serde.serialize(event)));
                if ((i + 1) % 10_000 == 0 && i + 1 < count) {
                    progress.accept(i + 1);
                }
                pace(start, i + 1);
            }
        }
        // Once the writer's close has flushed them: every event counted here is in Kafka.
        progress.accept(count);
        return count;
    }

    private void pace(long startNanos, long sent) {
        if (ratePerSecond <= 0) {
            return;
        }
        long due = startNanos + (long) (sent * 1e9 / ratePerSecond);
        long wait = due - System.nanoTime();
        if (wait > 1_000_000) {
            try {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while producing", e);
            }
        }
    }

    private Properties producerProps() {
        Properties props = RawClients.producerProps(kafka, "streamgrad-producer");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        return props;
    }
}
