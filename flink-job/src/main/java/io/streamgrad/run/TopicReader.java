package io.streamgrad.run;

import io.streamgrad.kafka.KafkaClientConfig;
import io.streamgrad.kafka.RawClients;
import io.streamgrad.kafka.TopicAdmin;
import io.streamgrad.schema.AvroDecodeException;
import io.streamgrad.schema.AvroSerde;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads a topic, from its beginning or from given offsets to the end offsets it has now, without a
 * group, committed records only: to its committed end ({@link #readAll}), or through transactions
 * still open to the end written ({@link #readAllWritten}).
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
        return read(kafka, topic, from, type, keep, null);
    }

    /**
     * As {@link #readAll(KafkaClientConfig, String, Map, Class, Predicate)}, but to the end offsets
     * written when the read starts (each partition's high watermark), not the committed ones (its
     * last stable offset): records of a transaction still open are waited for, then kept if it
     * commits and skipped if it aborts. What a run reads back at its end: its own last transaction
     * is committed, but any producer's transaction open on a shared output topic holds every
     * read_committed reader below its first record: a live run's until its next checkpoint, and one
     * a run killed while writing (kill -9; Ctrl-C cancels the job, which aborts its current
     * transactions) left until Kafka aborts it after its transaction timeout (streamgrad's: three
     * checkpoint intervals, 1 to 15 min). Reading to the committed end then returned none of the
     * run's own records behind it.
     *
     * @param onWait told once, after {@link #WAIT_NOTICE_MS} held by an open transaction, which
     *     partitions and offsets hold the read and why
     * @throws IllegalStateException as {@code readAll}; and when an open transaction holds the read
     *     for longer than {@link #TRANSACTION_WAIT_MS}, naming the partitions and offsets and how
     *     to abort it
     */
    public static <T extends SpecificRecord> List<T> readAllWritten(
            KafkaClientConfig kafka,
            String topic,
            Map<Integer, Long> from,
            Class<T> type,
            Predicate<T> keep,
            Consumer<String> onWait) {
        return read(kafka, topic, from, type, keep, onWait);
    }

    /**
     * As {@link #readAll(KafkaClientConfig, String, Map, Class, Predicate)}, handing each record to
     * {@code each} in the order read instead of keeping it: for a topic too large to hold (a
     * dead-letter topic may hold a tenth of a stream).
     *
     * @return the records read that are not of {@code type} (skipped): all of them on a topic of
     *     another kind
     */
    public static <T extends SpecificRecord> long forEach(
            KafkaClientConfig kafka,
            String topic,
            Map<Integer, Long> from,
            Class<T> type,
            Consumer<T> each) {
        return readEach(kafka, topic, from, type, each, null);
    }

    private static <T extends SpecificRecord> List<T> read(
            KafkaClientConfig kafka,
            String topic,
            Map<Integer, Long> from,
            Class<T> type,
            Predicate<T> keep,
            Consumer<String> onWait) {
        List<T> out = new ArrayList<>();
        readEach(
                kafka,
                topic,
                from,
                type,
                value -> {
                    if (keep.test(value)) {
                        out.add(value);
                    }
                },
                onWait);
        return out;
    }

    /** Reads the topic to its end, returning how many records were not of {@code type}. */
    private static <T extends SpecificRecord> long readEach(
            KafkaClientConfig kafka,
            String topic,
            Map<Integer, Long> from,
            Class<T> type,
            Consumer<T> each,
            Consumer<String> onWait) {
        AvroSerde<T> serde = AvroSerde.of(type);
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(kafka)) {
            List<TopicPartition> partitions = RawClients.fromBeginning(consumer, kafka, topic);
            Map<TopicPartition, Long> end =
                    onWait == null
                            ? consumer.endOffsets(partitions)
                            : highWatermarks(kafka, topic, partitions);
            Map<TopicPartition, Long> first = consumer.beginningOffsets(partitions);
            for (TopicPartition tp : partitions) {
                Long offset = from.get(tp.partition());
                if (offset != null && offset >= first.get(tp) && offset <= end.get(tp)) {
                    consumer.seek(tp, offset);
                }
            }
            long progressed = System.currentTimeMillis();
            long at = positions(consumer, partitions);
            boolean told = false;
            Map<TopicPartition, Long> held = Map.of();
            long heldSince = -1;
            long checkedHeld = 0;
            long skipped = 0;
            while (!reached(consumer, end)) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    T value;
                    try {
                        value = serde.deserialize(r.value());
                    } catch (AvroDecodeException e) {
                        // Someone else's record on a shared topic: not ours to count.
                        skipped++;
                        continue;
                    }
                    each.accept(value);
                }
                long now = System.currentTimeMillis();
                long position = positions(consumer, partitions);
                if (position != at) {
                    at = position;
                    progressed = now;
                    held = Map.of();
                    heldSince = -1;
                    continue;
                }
                if (onWait != null && now - checkedHeld >= 1_000) {
                    checkedHeld = now;
                    held = heldByOpenTransactions(consumer, end);
                    if (!held.isEmpty() && heldSince < 0) {
                        heldSince = now;
                    } else if (held.isEmpty()) {
                        heldSince = -1;
                    }
                }
                if (!held.isEmpty()) {
                    // Waiting for a transaction is not a stall: the stall clock starts again
                    // when it ends (its records may take a poll to arrive).
                    progressed = now;
                    String why =
                            String.format(
                                    "reading %s: a transaction still open holds it at %s (partition"
                                            + " → offset), short of the end written, %s: a run"
                                            + " stopped while writing (kill -9) leaves one open"
                                            + " until Kafka aborts it after its transaction"
                                            + " timeout; a live run's ends at its next checkpoint",
                                    topic, offsets(held), offsets(end));
                    if (!told && now - heldSince >= WAIT_NOTICE_MS) {
                        onWait.accept(
                                why
                                        + "; what was written after it waits with it:"
                                        + " waiting for it to end (at most "
                                        + TRANSACTION_WAIT_MS / 60_000
                                        + " min)");
                        told = true;
                    }
                    if (now - heldSince > TRANSACTION_WAIT_MS) {
                        throw new IllegalStateException(
                                why
                                        + String.format(
                                                ", and it stayed open for %d min: Kafka's"
                                                        + " bin/kafka-transactions.sh (in the"
                                                        + " Kafka distribution, not in"
                                                        + " streamgrad) --bootstrap-server"
                                                        + " SERVERS"
                                                        + " find-hanging --topic %s lists it;"
                                                        + " abort --topic %s --partition P"
                                                        + " --start-offset OFFSET aborts it,"
                                                        + " with each partition and offset"
                                                        + " above",
                                                TRANSACTION_WAIT_MS / 60_000, topic, topic));
                    }
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
            return skipped;
        }
    }

    /**
     * Says a reader's notice on standard error, prefixed {@code streamgrad:}, apart from the
     * command's output: a wait for an open transaction ({@link #readAllWritten}), records it hides
     * ({@link #sayIfHeldBack}).
     */
    public static void sayOnStandardError(String message) {
        System.err.println("streamgrad: " + message);
    }

    /** {@link #heldBack}, said on standard error when a transaction hides records of the topic. */
    public static void sayIfHeldBack(KafkaClientConfig kafka, String topic) {
        heldBack(kafka, topic).ifPresent(TopicReader::sayOnStandardError);
    }

    /**
     * Why a read of the topic to its committed end now misses records: each partition whose last
     * stable offset is below its end written, held by a transaction still open; empty when none is.
     * For commands that read what is committed now ({@code snapshots list}, {@code plot}, {@code
     * evaluate}), to say so instead of showing less in silence.
     */
    public static Optional<String> heldBack(KafkaClientConfig kafka, String topic) {
        Map<Integer, Long> stable;
        Map<Integer, Long> written;
        try (TopicAdmin admin = new TopicAdmin(kafka)) {
            stable = admin.stableOffsets(topic);
            written = admin.endOffsets(topic);
        }
        Map<Integer, Long> held = new java.util.TreeMap<>();
        long behind = 0;
        for (Map.Entry<Integer, Long> e : stable.entrySet()) {
            long end = written.getOrDefault(e.getKey(), e.getValue());
            if (e.getValue() < end) {
                held.put(e.getKey(), e.getValue());
                behind += end - e.getValue();
            }
        }
        if (held.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(
                String.format(
                        "%s: up to %,d %s behind a transaction still open at %s"
                                + " (partition → offset) and are not shown until it ends: a live"
                                + " run's ends at its next checkpoint; one a run killed while"
                                + " writing (kill -9) left, when Kafka aborts it after its"
                                + " transaction timeout",
                        topic, behind, behind == 1 ? "record is" : "records are", held));
    }

    /** How long a read may go without progress before it fails. */
    static final long STALL_MS = 60_000;

    /** How long {@link #readAllWritten} waits quietly for an open transaction before it says so. */
    static final long WAIT_NOTICE_MS = 2_000;

    /**
     * How long {@link #readAllWritten} waits for an open transaction: the broker's default longest
     * transaction timeout ({@code transaction.max.timeout.ms}, 15 min), the most any producer's
     * transaction stays open on a broker left at its defaults, and a minute more.
     */
    static final long TRANSACTION_WAIT_MS = 16 * 60_000L;

    /** Each partition's end offset written so far (its high watermark), read uncommitted. */
    private static Map<TopicPartition, Long> highWatermarks(
            KafkaClientConfig kafka, String topic, List<TopicPartition> partitions) {
        Map<Integer, Long> ends;
        try (TopicAdmin admin = new TopicAdmin(kafka)) {
            ends = admin.endOffsets(topic);
        }
        Map<TopicPartition, Long> out = new LinkedHashMap<>();
        for (TopicPartition tp : partitions) {
            out.put(tp, ends.getOrDefault(tp.partition(), 0L));
        }
        return out;
    }

    /**
     * The partitions whose reader has read all that is committed (a read_committed consumer's end
     * offset is the last stable offset) and is still short of {@code end}: an open transaction
     * begins there. Partition → that offset.
     */
    private static Map<TopicPartition, Long> heldByOpenTransactions(
            KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> end) {
        Map<TopicPartition, Long> stable = consumer.endOffsets(end.keySet());
        Map<TopicPartition, Long> held = new LinkedHashMap<>();
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            long lso = stable.get(e.getKey());
            if (lso < e.getValue() && consumer.position(e.getKey()) >= lso) {
                held.put(e.getKey(), lso);
            }
        }
        return held;
    }

    private static Map<Integer, Long> offsets(Map<TopicPartition, Long> byPartition) {
        Map<Integer, Long> out = new java.util.TreeMap<>();
        byPartition.forEach((tp, o) -> out.put(tp.partition(), o));
        return out;
    }

    private static long positions(KafkaConsumer<?, ?> consumer, List<TopicPartition> partitions) {
        long sum = 0;
        for (TopicPartition tp : partitions) {
            sum += consumer.position(tp);
        }
        return sum;
    }

    /** Whether the consumer's position has reached {@code end} in every partition of it. */
    static boolean reached(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> end) {
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
