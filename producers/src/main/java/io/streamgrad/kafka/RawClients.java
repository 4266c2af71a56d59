package io.streamgrad.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Byte-array Kafka clients as streamgrad's tools use them: the serde is applied by the caller. The
 * cluster's client settings ({@link KafkaClientConfig}) go over streamgrad's defaults here.
 */
public final class RawClients {
    private RawClients() {}

    /** An idempotent producer's properties, acknowledged by all in-sync replicas. */
    public static Properties producerProps(KafkaClientConfig kafka, String clientId) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        return kafka.properties(p);
    }

    /** As {@link #producerProps(KafkaClientConfig, String)} on a plaintext cluster. */
    public static Properties producerProps(String bootstrapServers, String clientId) {
        return producerProps(KafkaClientConfig.plain(bootstrapServers), clientId);
    }

    /**
     * A group-less consumer that reads only committed records, and never creates a topic by asking
     * for it; a call without a timeout of its own waits {@link KafkaClientConfig#timeoutMs}. Its
     * {@code close()} does not wait: such a reader keeps no group and commits nothing, and Kafka's
     * own {@code close()} waits for the fetch it has in flight, which the broker holds up to {@code
     * fetch.max.wait.ms} (500 ms by default) when there is nothing more to read: up to half a
     * second at the end of a read (a bounded {@code train} reads three topics so), as Kafka's own
     * tests have it (KAFKA-19884). Closed so, the consumer does not tell the broker to drop its
     * fetch session, which the broker evicts from its cache in time.
     */
    public static KafkaConsumer<byte[], byte[]> consumer(KafkaClientConfig kafka, String clientId) {
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        // Reading a missing topic must not create it: a broker that allows it (Kafka's default)
        // would make it with its own defaults, and a snapshots topic made so is not compacted.
        p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        // Calls given no timeout of their own (end offsets, positions) wait --kafka-timeout-ms,
        // not the client's 60-s default.
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) kafka.timeoutMs());
        return new KafkaConsumer<>(kafka.properties(p)) {
            @Override
            public void close() {
                close(CloseOptions.timeout(Duration.ZERO));
            }
        };
    }

    /** As {@link #consumer(KafkaClientConfig, String)} on a plaintext cluster. */
    public static KafkaConsumer<byte[], byte[]> consumer(String bootstrapServers, String clientId) {
        return consumer(KafkaClientConfig.plain(bootstrapServers), clientId);
    }

    /** An admin client's properties; requests give up after {@code timeoutMs}. */
    public static Properties adminProps(KafkaClientConfig kafka, String clientId, long timeoutMs) {
        Map<String, Object> p = new HashMap<>();
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeoutMs);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeoutMs);
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId);
        return kafka.properties(p);
    }

    /**
     * Assigns every partition of the topic and seeks to its beginning; returns the partitions.
     *
     * @throws KafkaAuthenticationException when the cluster refuses the client's credentials
     */
    public static List<TopicPartition> fromBeginning(
            KafkaConsumer<?, ?> consumer, KafkaClientConfig kafka, String topic) {
        List<TopicPartition> partitions;
        try {
            partitions =
                    consumer.partitionsFor(topic, Duration.ofMillis(kafka.timeoutMs())).stream()
                            .map(p -> new TopicPartition(topic, p.partition()))
                            .toList();
        } catch (AuthenticationException e) {
            throw new KafkaAuthenticationException(kafka, e);
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        return partitions;
    }
}
