package io.streamgrad.run;

import io.streamgrad.kafka.KafkaClientConfig;
import io.streamgrad.kafka.RawClients;
import io.streamgrad.schema.AvroDecodeException;
import io.streamgrad.schema.AvroSerde;
import io.streamgrad.schema.LabeledEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/** Reads the first events of a topic (all partitions, from the beginning), without a group. */
public final class TopicEvents {
    /** How long to keep reading before returning what has arrived. */
    static final long TIMEOUT_MS = 30_000;

    private TopicEvents() {}

    /**
     * Up to {@code max} decodable events, stopping early at the topic's current end; records that
     * are not LabeledEvents are skipped (the job would dead-letter them).
     */
    public static List<LabeledEvent> first(KafkaClientConfig kafka, String topic, int max) {
        AvroSerde<LabeledEvent> serde = AvroSerde.of(LabeledEvent.class);
        List<LabeledEvent> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = TopicReader.consumer(kafka)) {
            List<TopicPartition> partitions = RawClients.fromBeginning(consumer, kafka, topic);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.currentTimeMillis() + TIMEOUT_MS;
            while (out.size() < max
                    && !reached(consumer, end)
                    && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (out.size() >= max) {
                        break;
                    }
                    try {
                        out.add(serde.deserialize(r.value()));
                    } catch (AvroDecodeException e) {
                        // not an event: skipped
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
}
