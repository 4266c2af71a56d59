package io.streamgrad.producers;

import io.streamgrad.kafka.RawClients;
import io.streamgrad.kafka.RecordWriter;
import io.streamgrad.kafka.TopicAdmin;
import io.streamgrad.schema.AvroSerde;
import io.streamgrad.schema.LabeledEvent;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.function.LongConsumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes synthetic {@link LabeledEvent}s to Kafka. Event i goes to partition i mod P (P = the
 * configured partitions, capped by the topic's), keyed by the model, at an optional rate limit.
 */
public final class SyntheticProducer {
    private final String bootstrapServers;
    private final SyntheticConfig config;

    public SyntheticProducer(String bootstrapServers, SyntheticConfig config) {
        this.bootstrapServers = bootstrapServers;
        this.config = config;
    }

    /**
     * Creates the topic if needed, produces every event and waits until all are acknowledged.
     *
     * @param progress called with the count of events sent so far, every 10,000 events
     * @return the number of events written
     */
    public long run(LongConsumer progress) {
        int partitions;
        try (TopicAdmin admin = new TopicAdmin(bootstrapServers)) {
            admin.requireReachable();
            admin.ensureTopic(config.topic(), config.partitions(), TopicAdmin.Retention.UNLIMITED);
            partitions = Math.min(config.partitions(), admin.partitionCount(config.topic()));
        }
        SyntheticEvents events = new SyntheticEvents(config);
        AvroSerde<LabeledEvent> serde = AvroSerde.of(LabeledEvent.class);
        byte[] key = config.model().getBytes(StandardCharsets.UTF_8);
        long start = System.nanoTime();
        try (RecordWriter writer = new RecordWriter(producerProps())) {
            for (long i = 0; i < config.events(); i++) {
                long index = config.firstIndex() + i;
                LabeledEvent event = events.event(index);
                writer.send(
                        new ProducerRecord<>(
                                config.topic(),
                                (int) (index % partitions),
                                event.getEventTime(),
                                key,
                                serde.serialize(event)));
                if ((i + 1) % 10_000 == 0) {
                    progress.accept(i + 1);
                }
                pace(start, i + 1);
            }
        }
        progress.accept(config.events());
        return config.events();
    }

    private void pace(long startNanos, long sent) {
        if (config.ratePerSecond() <= 0) {
            return;
        }
        long due = startNanos + (long) (sent * 1e9 / config.ratePerSecond());
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
        Properties props = RawClients.producerProps(bootstrapServers, "streamgrad-synthetic");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        return props;
    }
}
