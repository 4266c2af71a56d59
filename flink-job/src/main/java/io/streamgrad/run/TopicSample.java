package io.streamgrad.run;

import io.streamgrad.kafka.KafkaClientConfig;
import io.streamgrad.kafka.RawClients;
import io.streamgrad.schema.AvroDecodeException;
import io.streamgrad.schema.AvroSerde;
import io.streamgrad.schema.LabeledEvent;
import io.streamgrad.schema.LabeledEventDecoder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * What the first (or newest) events of a topic say about it before a job starts: their feature
 * count, the rate of event time they carry and the classes they are labelled with.
 *
 * @param featureCount features of the first decodable event, or null if none was found
 * @param eventsPerSecond events per second of event time, summed over partitions (each partition's
 *     events over its own event-time span), or NaN when no partition had a span to measure
 * @param sampled decodable events read
 * @param classCounts how many of them carry each int label (class index), by label; empty when none
 *     carried one
 */
public record TopicSample(
        Integer featureCount,
        double eventsPerSecond,
        long sampled,
        NavigableMap<Integer, Long> classCounts) {
    public TopicSample {
        classCounts = Collections.unmodifiableNavigableMap(new TreeMap<>(classCounts));
    }

    /** The largest int label (class index) sampled, -1 when none carried one. */
    public int largestClass() {
        return classCounts.isEmpty() ? -1 : classCounts.lastKey();
    }

    /** Sampled events carrying an int label. */
    public long labelled() {
        return classCounts.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Sampled events whose int label is no class index of a K-class model: below 0 or ≥ K. */
    public long outsideClasses(int k) {
        return classCounts.headMap(0, false).values().stream().mapToLong(Long::longValue).sum()
                + classCounts.tailMap(k, true).values().stream().mapToLong(Long::longValue).sum();
    }

    /** Events read at most (shared equally by the partitions), and how long to try. */
    static final int MAX_EVENTS = 4_096;

    static final long TIMEOUT_MS = 3_000;

    /**
     * Reads up to {@link #MAX_EVENTS} events, an equal share per partition, from the beginning of
     * each partition, or with {@code newest} its last events: what a bounded run reads first, or
     * the stream as it is now for a live run (whose windows meet the rate of today's events, not of
     * the topic's oldest).
     */
    public static TopicSample read(KafkaClientConfig kafka, String topic, boolean newest) {
        // The job's decoder: features straight into a float array, not boxed one by one (0.2 s
        // of a start for 4,096 MNIST images).
        LabeledEventDecoder decoder = new LabeledEventDecoder();
        Map<Integer, long[]> spans = new HashMap<>(); // partition -> {count, min, max}
        Integer features = null;
        long sampled = 0;
        NavigableMap<Integer, Long> classCounts = new TreeMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = TopicReader.consumer(kafka)) {
            List<TopicPartition> partitions = RawClients.fromBeginning(consumer, kafka, topic);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            // An equal share per partition: the rate is summed over partitions, so each must be
            // measured, however unevenly the fetches arrive.
            long share = Math.max(64, MAX_EVENTS / Math.max(1, partitions.size()));
            if (newest) {
                Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions);
                for (TopicPartition tp : partitions) {
                    consumer.seek(tp, Math.max(begin.get(tp), end.get(tp) - share));
                }
            }
            long deadline = System.currentTimeMillis() + TIMEOUT_MS;
            while (System.currentTimeMillis() < deadline && !done(consumer, end)) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                    long[] seen = spans.get(r.partition());
                    if (seen != null && seen[0] >= share) {
                        consumer.pause(List.of(tp));
                        continue;
                    }
                    LabeledEventDecoder.Event e;
                    try {
                        e = decoder.decode(r.value());
                    } catch (AvroDecodeException bad) {
                        continue; // the job will dead-letter it
                    }
                    if (features == null) {
                        features = e.features().length;
                    }
                    if (e.label() instanceof Integer k) {
                        classCounts.merge(k, 1L, Long::sum);
                    }
                    long t = e.eventTime();
                    spans.merge(
                            r.partition(),
                            new long[] {1, t, t},
                            (a, b) -> new long[] {a[0] + 1, Math.min(a[1], t), Math.max(a[2], t)});
                    sampled++;
                }
            }
        }
        return new TopicSample(features, eventsPerSecond(spans.values()), sampled, classCounts);
    }

    /**
     * The feature count of the first decodable event of the topic (whichever partition's comes
     * first), reading from the beginning for at most {@link #TIMEOUT_MS}; null when there is none.
     *
     * @throws org.apache.kafka.common.errors.AuthorizationException when the client may not read
     *     the topic
     */
    public static Integer firstFeatureCount(KafkaClientConfig kafka, String topic) {
        LabeledEventDecoder decoder = new LabeledEventDecoder();
        try (KafkaConsumer<byte[], byte[]> consumer = TopicReader.consumer(kafka)) {
            List<TopicPartition> partitions = RawClients.fromBeginning(consumer, kafka, topic);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.currentTimeMillis() + TIMEOUT_MS;
            while (System.currentTimeMillis() < deadline && !done(consumer, end)) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    try {
                        return decoder.decode(r.value()).features().length;
                    } catch (AvroDecodeException bad) {
                        // not an event: the next may be
                    }
                }
            }
        }
        return null;
    }

    /**
     * The event ids of each partition's first and last event, read_committed, within {@link
     * #TIMEOUT_MS}: with ids that count up within a producer's run ({@code syn-SEED-INDEX}), what
     * range of ids the topic holds without reading it all. A partition whose edge records are not
     * events (another writer's, or transaction markers) gives what it has.
     *
     * @throws org.apache.kafka.common.errors.AuthorizationException when the client may not read
     *     the topic
     */
    public static List<String> edgeEventIds(KafkaClientConfig kafka, String topic) {
        AvroSerde<LabeledEvent> serde = AvroSerde.of(LabeledEvent.class);
        List<String> ids = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = TopicReader.consumer(kafka)) {
            List<TopicPartition> partitions = RawClients.fromBeginning(consumer, kafka, topic);
            Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            for (TopicPartition tp : partitions) {
                long first = begin.get(tp);
                long last = end.get(tp) - 1;
                for (long offset : first < last ? new long[] {first, last} : new long[] {first}) {
                    if (offset < first || offset > last) {
                        continue; // empty partition
                    }
                    consumer.assign(List.of(tp));
                    consumer.seek(tp, offset);
                    long deadline = System.currentTimeMillis() + TIMEOUT_MS;
                    boolean got = false;
                    while (!got && System.currentTimeMillis() < deadline) {
                        for (ConsumerRecord<byte[], byte[]> r :
                                consumer.poll(Duration.ofMillis(200))) {
                            got = true;
                            try {
                                ids.add(serde.deserialize(r.value()).getEventId().toString());
                            } catch (AvroDecodeException bad) {
                                // not an event
                            }
                            break;
                        }
                        if (consumer.position(tp) >= end.get(tp)) {
                            break; // nothing more to come (a marker at the end)
                        }
                    }
                }
            }
        }
        return ids;
    }

    /** Every partition has given its share or has no more events. */
    private static boolean done(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (!consumer.paused().contains(e.getKey())
                    && consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    private static double eventsPerSecond(Iterable<long[]> spans) {
        double rate = 0;
        boolean measured = false;
        for (long[] s : spans) {
            if (s[0] >= 2 && s[2] > s[1]) {
                rate += (s[0] - 1) * 1000.0 / (s[2] - s[1]);
                measured = true;
            }
        }
        return measured ? rate : Double.NaN;
    }
}
