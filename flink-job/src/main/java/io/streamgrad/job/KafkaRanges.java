package io.streamgrad.job;

import io.streamgrad.kafka.KafkaClientConfig;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.TopicPartition;

/**
 * Sources over a fixed offset range of a topic, fixed before the job starts (evaluation,
 * backtests): each partition from its first offset to the offset after its last, read committed,
 * committing nothing back to the group.
 */
public final class KafkaRanges {
    private KafkaRanges() {}

    /**
     * @param from per partition, the first offset read
     * @param to per partition, the offset after the last one read (exclusive, as Kafka's end
     *     offsets); only the partitions of {@code from} are read
     */
    public static KafkaSource<KafkaRecord> source(
            KafkaClientConfig kafka,
            String topic,
            String groupId,
            Map<Integer, Long> from,
            Map<Integer, Long> to) {
        Set<TopicPartition> partitions =
                from.keySet().stream()
                        .map(p -> new TopicPartition(topic, p))
                        .collect(Collectors.toSet());
        Map<TopicPartition, Long> start = new HashMap<>();
        Map<TopicPartition, Long> stop = new HashMap<>();
        from.forEach((p, o) -> start.put(new TopicPartition(topic, p), o));
        to.forEach((p, o) -> stop.put(new TopicPartition(topic, p), o));
        return KafkaSource.<KafkaRecord>builder()
                // The cluster's client settings (--command-config) first; the job's own after.
                .setProperties(kafka.properties(Map.of()))
                .setBootstrapServers(kafka.bootstrapServers())
                .setPartitions(partitions)
                .setGroupId(groupId)
                .setStartingOffsets(OffsetsInitializer.offsets(start))
                .setBounded(OffsetsInitializer.offsets(stop))
                .setDeserializer(new RawKafkaRecordDeserializationSchema())
                .setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")
                .setProperty(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false")
                .setProperty("commit.offsets.on.checkpoint", "false")
                .build();
    }
}
