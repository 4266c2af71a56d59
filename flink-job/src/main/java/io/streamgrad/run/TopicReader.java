package io.streamgrad.run;

import io.streamgrad.kafka.KafkaClientConfig;
import io.streamgrad.kafka.RawClients;
import io.streamgrad.schema.AvroDecodeException;
import io.streamgrad.schema.AvroSerde;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/** Reads a whole topic, from the beginning to the end offsets it has now, without a group. */
public final class TopicReader {
    private TopicReader() {}

    /** As {@link #readAll(KafkaClientConfig, String, Class, Predicate)} on a plaintext cluster. */
    public static <T extends SpecificRecord> List<T> readAll(
            String bootstrapServers, String topic, Class<T> type, Predicate<T> keep) {
        return readAll(KafkaClientConfig.plain(bootstrapServers), topic, type, keep);
    }

    /**
     * The topic's records of {@code type} that {@code keep} accepts, committed ones only.
     *
     * @throws io.streamgrad.kafka.KafkaAuthenticationException when the cluster refuses the
     *     client's credentials
     */
    public static <T extends SpecificRecord> List<T> readAll(
            KafkaClientConfig kafka, String topic, Class<T> type, Predicate<T> keep) {
        AvroSerde<T> serde = AvroSerde.of(type);
        List<T> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(kafka)) {
            List<TopicPartition> partitions = RawClients.fromBeginning(consumer, kafka, topic);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.currentTimeMillis() + 60_000;
            while (!reached(consumer, end) && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    try {
                        T value = serde.deserialize(r.value());
                        if (keep.test(value)) {
                            out.add(value);
                        }
                    } catch (AvroDecodeException e) {
                        // Someone else's record on a shared topic: not ours to count.
                    }
                }
            }
        }
        return out;
    }

    private static boolean reached(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    /** A group-less, read_committed consumer of byte records. */
    public static KafkaConsumer<byte[], byte[]> consumer(KafkaClientConfig kafka) {
        return RawClients.consumer(kafka, "streamgrad-reader");
    }
}
