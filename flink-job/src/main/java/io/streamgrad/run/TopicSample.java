package io.streamgrad.run;

import io.streamgrad.kafka.KafkaClientConfig;
import io.streamgrad.kafka.RawClients;
import io.streamgrad.schema.AvroDecodeException;
import io.streamgrad.schema.AvroSerde;
import io.streamgrad.schema.LabeledEvent;
import io.streamgrad.schema.LabeledEventDecoder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
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
 * @param newest whether the sample is of each partition's last events (a live run's), not its first
 * @param from partition → the offset the sample began at, for the partitions not sampled from their
 *     beginning (a run's {@code --from-offset}); empty when none was
 */
public record TopicSample(
        Integer featureCount,
        double eventsPerSecond,
        long sampled,
        NavigableMap<Integer, Long> classCounts,
        boolean newest,
        NavigableMap<Integer, Long> from) {
    public TopicSample {
        classCounts = Collections.unmodifiableNavigableMap(new TreeMap<>(classCounts));
        from = Collections.unmodifiableNavigableMap(new TreeMap<>(from));
    }

    /** A sample of each partition's first events, from its beginning. */
    public TopicSample(
            Integer featureCount,
            double eventsPerSecond,
            long sampled,
            NavigableMap<Integer, Long> classCounts) {
        this(featureCount, eventsPerSecond, sampled, classCounts, false, new TreeMap<>());
    }

    /**
     * What was sampled, for messages: "the first 4,096 events of T", "the last 4,096 events of T",
     * "the first 4,096 events of T from partition 0's offset 6,000".
     *
     * @param n the events counted (all sampled, or those labelled)
     * @param kind "" or an adjective with its trailing space ("labelled ")
     */
    public String describe(long n, String kind, String topic) {
        String said =
                String.format(
                        "the %s %,d %sevents of %s", newest ? "last" : "first", n, kind, topic);
        if (newest || from.isEmpty()) {
            return said;
        }
        return said
                + " from "
                + from.entrySet().stream()
                        .map(
                                e ->
                                        String.format(
                                                "partition %d's offset %,d",
                                                e.getKey(), e.getValue()))
                        .collect(java.util.stream.Collectors.joining(", "));
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
     * each partition (or from {@code from}'s offset for the partitions it names), or with {@code
     * newest} its last events: what a bounded run reads first, or the stream as it is now for a
     * live run (whose windows meet the rate of today's events, not of the topic's oldest).
     *
     * @param from partition → first offset to sample (a run's {@code --from-offset}); null or
     *     partitions not named: the partition's beginning. Ignored with {@code newest}
     * @param to partition → the first offset not to sample (a backtest's range end); null: each
     *     partition's end. With it, partitions it does not name are not sampled. Ignored with
     *     {@code newest}
     */
    public static TopicSample read(
            KafkaClientConfig kafka,
            String topic,
            boolean newest,
            Map<Integer, Long> from,
            Map<Integer, Long> to) {
        // The job's decoder: features straight into a float array, not boxed one by one (0.2 s
        // of a start for 4,096 MNIST images).
        LabeledEventDecoder decoder = new LabeledEventDecoder();
        Map<Integer, long[]> times = new HashMap<>(); // partition -> event times, first in [0]
        Map<Integer, Integer> counts = new HashMap<>();
        Integer features = null;
        long sampled = 0;
        NavigableMap<Integer, Long> classCounts = new TreeMap<>();
        NavigableMap<Integer, Long> sampledFrom = new TreeMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = TopicReader.consumer(kafka)) {
            List<TopicPartition> partitions = RawClients.fromBeginning(consumer, kafka, topic);
            Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(partitions));
            Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions);
            // Where each partition's sample starts; its end narrowed to the range's.
            Map<TopicPartition, Long> start = new HashMap<>();
            for (TopicPartition tp : partitions) {
                Long at = from == null ? null : from.get(tp.partition());
                if (!newest && to != null) {
                    end.put(tp, Math.min(end.get(tp), to.getOrDefault(tp.partition(), 0L)));
                }
                start.put(
                        tp,
                        !newest && at != null && at > begin.get(tp) && at <= end.get(tp)
                                ? at
                                : begin.get(tp));
            }
            // An equal share per partition sampled: the rate is summed over partitions, so each
            // must be measured, however unevenly the fetches arrive; partitions with nothing to
            // sample (outside a range, or empty) take no share.
            long sampledPartitions =
                    partitions.stream().filter(tp -> start.get(tp) < end.get(tp)).count();
            long share = Math.max(64, MAX_EVENTS / Math.max(1, sampledPartitions));
            for (TopicPartition tp : partitions) {
                if (newest) {
                    consumer.seek(tp, Math.max(begin.get(tp), end.get(tp) - share));
                    continue;
                }
                if (start.get(tp) > begin.get(tp)) {
                    consumer.seek(tp, start.get(tp));
                    sampledFrom.put(tp.partition(), start.get(tp));
                }
                if (start.get(tp) >= end.get(tp)) {
                    consumer.pause(List.of(tp));
                }
            }
            long deadline = System.currentTimeMillis() + TIMEOUT_MS;
            while (System.currentTimeMillis() < deadline && !done(consumer, end)) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                    int seen = counts.getOrDefault(r.partition(), 0);
                    if (seen >= share || r.offset() >= end.get(tp)) {
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
                    long[] ts = times.computeIfAbsent(r.partition(), k -> new long[(int) share]);
                    ts[seen] = e.eventTime();
                    counts.put(r.partition(), seen + 1);
                    sampled++;
                }
            }
        }
        List<long[]> sampledTimes = new ArrayList<>();
        times.forEach(
                (partition, ts) -> sampledTimes.add(Arrays.copyOf(ts, counts.get(partition))));
        return new TopicSample(
                features, eventsPerSecond(sampledTimes), sampled, classCounts, newest, sampledFrom);
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

    /**
     * Events per second of event time, summed over partitions: each partition's sampled events over
     * the span of their event times, its earliest and latest hundredth left out (at least one each
     * way once there are {@value #TRIMMED_FROM} events) so that a few events stamped far from the
     * others (an old timestamp re-sent, a clock off by hours) do not stretch the span.
     *
     * @param times per partition, the sampled events' times (ms), in any order
     * @return NaN when no partition has two distinct times to measure
     */
    static double eventsPerSecond(List<long[]> times) {
        double rate = 0;
        boolean measured = false;
        for (long[] partition : times) {
            long[] t = partition.clone();
            Arrays.sort(t);
            int n = t.length;
            int trim = n >= TRIMMED_FROM ? Math.max(1, n / 100) : 0;
            int first = trim;
            int last = n - 1 - trim;
            if (last > first && t[last] > t[first]) {
                rate += (last - first) * 1000.0 / (t[last] - t[first]);
                measured = true;
            }
        }
        return measured ? rate : Double.NaN;
    }

    /** Sampled events of a partition from which its extreme times are left out of its span. */
    static final int TRIMMED_FROM = 20;
}
