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

/**
 * Reads a topic, from its beginning or from given offsets to the end offsets it has now, without a
 * group.
 */
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
        return readAll(kafka, topic, Map.of(), type, keep);
    }

    /**
     * The topic's records of {@code type} that {@code keep} accepts, committed ones only, from
     * {@code from} (partition → offset; a partition not named from its beginning) to the end
     * offsets the topic has now.
     *
     * @throws io.streamgrad.kafka.KafkaAuthenticationException when the cluster refuses the
     *     client's credentials
     * @throws IllegalStateException when the records are not all read within {@link #DEADLINE_MS},
     *     naming the topic and how far the reader got
     */
    public static <T extends SpecificRecord> List<T> readAll(
            KafkaClientConfig kafka,
            String topic,
            Map<Integer, Long> from,
            Class<T> type,
            Predicate<T> keep) {
        AvroSerde<T> serde = AvroSerde.of(type);
        List<T> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(kafka)) {
            List<TopicPartition> partitions = RawClients.fromBeginning(consumer, kafka, topic);
            for (TopicPartition tp : partitions) {
                Long offset = from.get(tp.partition());
                if (offset != null) {
                    consumer.seek(tp, offset);
                }
            }
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.currentTimeMillis() + DEADLINE_MS;
            while (!reached(consumer, end)) {
                if (System.currentTimeMillis() > deadline) {
                    // A partial read would be a silently wrong summary.
                    throw new IllegalStateException(
                            String.format(
                                    "read %,d records of %s in %d s and had not reached its end"
                                            + " offsets %s (at %s): is the cluster overloaded?",
                                    out.size(),
                                    topic,
                                    DEADLINE_MS / 1000,
                                    end,
                                    positions(consumer, partitions)));
                }
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

    /**
     * How long {@link #readAll} may take: its reads are one run's records, not a topic's history.
     */
    static final long DEADLINE_MS = 120_000;

    private static Map<TopicPartition, Long> positions(
            KafkaConsumer<?, ?> consumer, List<TopicPartition> partitions) {
        Map<TopicPartition, Long> at = new java.util.LinkedHashMap<>();
        partitions.forEach(tp -> at.put(tp, consumer.position(tp)));
        return at;
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
