package io.streamgrad.run;

import io.streamgrad.kafka.KafkaClientConfig;
import io.streamgrad.kafka.RawClients;
import io.streamgrad.schema.AvroDecodeException;
import io.streamgrad.schema.AvroSerde;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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
     * The topic's records of {@code type} that {@code keep} accepts, committed ones only, from its
     * beginning to the end offsets it has now.
     *
     * @throws io.streamgrad.kafka.KafkaAuthenticationException when the cluster refuses the
     *     client's credentials
     * @throws IllegalStateException when the read makes no progress for {@link #STALL_MS} short of
     *     the end, naming the topic and how far it got
     */
    public static <T extends SpecificRecord> List<T> readAll(
            KafkaClientConfig kafka, String topic, Class<T> type, Predicate<T> keep) {
        return readAll(kafka, topic, Map.of(), type, keep);
    }

    /**
     * As {@link #readAll(KafkaClientConfig, String, Class, Predicate)}, from {@code from}
     * (partition → offset; a partition not named from its beginning). An offset the topic no longer
     * has (retention deleted it, or the topic was deleted and created again since it was recorded)
     * reads the partition from its beginning: what is there is newer than the offset.
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
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            Map<TopicPartition, Long> first = consumer.beginningOffsets(partitions);
            for (TopicPartition tp : partitions) {
                Long offset = from.get(tp.partition());
                if (offset != null && offset >= first.get(tp) && offset <= end.get(tp)) {
                    consumer.seek(tp, offset);
                }
            }
            long progressed = System.currentTimeMillis();
            long at = positions(consumer, partitions);
            while (!reached(consumer, end)) {
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
                long now = System.currentTimeMillis();
                long position = positions(consumer, partitions);
                if (position != at) {
                    at = position;
                    progressed = now;
                } else if (now - progressed > STALL_MS) {
                    // A partial read would be a silently wrong answer.
                    Map<TopicPartition, Long> where = new LinkedHashMap<>();
                    partitions.forEach(tp -> where.put(tp, consumer.position(tp)));
                    throw new IllegalStateException(
                            String.format(
                                    "reading %s made no progress for %d s at offsets %s, short of"
                                            + " its end offsets %s: check that every partition"
                                            + " has a leader and the brokers answer"
                                            + " (kafka-topics.sh --describe --topic %s)",
                                    topic, STALL_MS / 1000, where, end, topic));
                }
            }
        }
        return out;
    }

    /** How long a read may go without progress before it fails. */
    static final long STALL_MS = 60_000;

    private static long positions(KafkaConsumer<?, ?> consumer, List<TopicPartition> partitions) {
        long sum = 0;
        for (TopicPartition tp : partitions) {
            sum += consumer.position(tp);
        }
        return sum;
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
