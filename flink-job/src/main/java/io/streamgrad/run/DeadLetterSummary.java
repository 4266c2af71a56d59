package io.streamgrad.run;

import io.streamgrad.schema.DeadLetter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * What a dead-letter topic holds, gathered one dead letter at a time: per reason a count, the
 * source topics, the first and last offset per source partition, the time span and one example, in
 * constant memory besides the {@code keepLast} newest kept to list (without their values) and the
 * source records' coordinates, up to {@value #RECORDS_TRACKED}, so that records dead-lettered again
 * by later runs over the same offsets (a warm start, an evaluation, a backtest) are counted once as
 * records.
 *
 * <p>Not thread-safe.
 */
public final class DeadLetterSummary {
    /**
     * A dead letter as listed: what it says, without its value (up to 1 MiB) but the value's size.
     *
     * @param failedAt when it was written, wall clock ms since the epoch
     * @param timestamp the source record's Kafka timestamp, ms since the epoch
     * @param key the source record's key as text when it is printable UTF-8 of at most {@value
     *     #KEY_CHARS} characters, else "(N bytes)", or "null"
     * @param valueBytes the size of the value the dead letter carries (for {@code
     *     record-too-large}, its first 64 KiB), -1 for none
     */
    public record Listed(
            long failedAt,
            String reason,
            String topic,
            int partition,
            long offset,
            long timestamp,
            String key,
            int valueBytes,
            String detail) {
        /** Longest key shown as text. */
        public static final int KEY_CHARS = 32;

        static final Comparator<Listed> WRITTEN =
                Comparator.comparingLong(Listed::failedAt)
                        .thenComparing(Listed::topic)
                        .thenComparingInt(Listed::partition)
                        .thenComparingLong(Listed::offset);

        static Listed of(DeadLetter d) {
            return new Listed(
                    d.getFailedAt(),
                    d.getReason().toString(),
                    d.getTopic().toString(),
                    d.getPartition(),
                    d.getOffset(),
                    d.getTimestamp(),
                    keyText(d.getKey()),
                    d.getValue() == null ? -1 : d.getValue().remaining(),
                    d.getDetail().toString());
        }

        /** "topic/partition@offset" of the record it stands for. */
        public String coordinates() {
            return topic + "/" + partition + "@" + offset;
        }

        private static String keyText(java.nio.ByteBuffer key) {
            if (key == null) {
                return "null";
            }
            byte[] bytes = new byte[key.remaining()];
            key.duplicate().get(bytes);
            String text = new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
            boolean printable =
                    text.length() <= KEY_CHARS
                            && text.chars().allMatch(c -> c >= 0x20 && c != 0x7f && c != 0xfffd);
            return printable ? text : "(" + bytes.length + " bytes)";
        }
    }

    /** One reason's share of the topic. */
    public static final class Reason {
        private final String name;
        private long count;
        private long firstFailedAt = Long.MAX_VALUE;
        private long lastFailedAt = Long.MIN_VALUE;
        // "topic/partition" -> {lowest offset, highest offset}
        private final Map<String, long[]> offsets = new TreeMap<>();
        private String example;
        private String exampleAt;

        Reason(String name) {
            this.name = name;
        }

        /** The reason's wire name ({@link io.streamgrad.schema.DeadLetterReason}). */
        public String name() {
            return name;
        }

        /** Dead letters of this reason counted. */
        public long count() {
            return count;
        }

        /** Wall clock, ms since the epoch, of the first dead letter of this reason written. */
        public long firstFailedAt() {
            return firstFailedAt;
        }

        /** Wall clock, ms since the epoch, of the last one written. */
        public long lastFailedAt() {
            return lastFailedAt;
        }

        /**
         * "topic/partition" of the records dead-lettered, each with its lowest and highest offset.
         */
        public Map<String, long[]> offsets() {
            return offsets;
        }

        /** The first dead letter's detail. */
        public String example() {
            return example;
        }

        /** The first dead letter's coordinates, "topic/partition@offset". */
        public String exampleAt() {
            return exampleAt;
        }

        /** The fix, in the words of a run that trained nothing ({@link DeadLetterReport}). */
        public String fix() {
            return DeadLetterReport.fix(name);
        }
    }

    private final Predicate<DeadLetter> keep;
    private final int keepLast;
    private final Map<String, Reason> reasons = new LinkedHashMap<>();
    // The keepLast latest written (by failed_at): the oldest of them at the head.
    private final PriorityQueue<Listed> newest = new PriorityQueue<>(Listed.WRITTEN);
    private long read;
    private long total;

    /**
     * Distinct source records whose coordinates are kept, at most: 8 bytes and a set entry each.
     */
    public static final int RECORDS_TRACKED = 1_000_000;

    // "topic/partition" -> offsets of the records dead-lettered, until RECORDS_TRACKED of them
    private final Map<String, Set<Long>> records = new HashMap<>();
    private long recordsSeen;
    private boolean recordsOverflowed;

    /**
     * @param keep which dead letters count (the others are read and skipped)
     * @param keepLast how many of the newest counted ones to keep for {@link #newest()}; 0 none
     * @throws IllegalArgumentException when {@code keepLast} is negative
     */
    public DeadLetterSummary(Predicate<DeadLetter> keep, int keepLast) {
        if (keepLast < 0) {
            throw new IllegalArgumentException("keepLast must be ≥ 0, got " + keepLast);
        }
        this.keep = keep;
        this.keepLast = keepLast;
    }

    /** Counts one dead letter, in the order the topic is read. */
    public void add(DeadLetter d) {
        read++;
        if (!keep.test(d)) {
            return;
        }
        total++;
        String name = d.getReason().toString();
        Reason r = reasons.computeIfAbsent(name, Reason::new);
        r.count++;
        r.firstFailedAt = Math.min(r.firstFailedAt, d.getFailedAt());
        r.lastFailedAt = Math.max(r.lastFailedAt, d.getFailedAt());
        long[] range =
                r.offsets.computeIfAbsent(
                        d.getTopic() + "/" + d.getPartition(),
                        k -> new long[] {Long.MAX_VALUE, Long.MIN_VALUE});
        range[0] = Math.min(range[0], d.getOffset());
        range[1] = Math.max(range[1], d.getOffset());
        if (!recordsOverflowed) {
            Set<Long> offsets =
                    records.computeIfAbsent(
                            d.getTopic() + "/" + d.getPartition(), k -> new HashSet<>());
            if (offsets.add(d.getOffset()) && ++recordsSeen >= RECORDS_TRACKED) {
                // Past the cap the count stops: records() says at least, not how many.
                recordsOverflowed = true;
                records.clear();
            }
        }
        if (r.example == null) {
            r.example = d.getDetail().toString();
            r.exampleAt = coordinates(d);
        }
        if (keepLast > 0) {
            // By when written, not by where read: the partitions of a dead-letter topic with
            // several are read interleaved.
            Listed l = Listed.of(d);
            if (newest.size() < keepLast) {
                newest.add(l);
            } else if (Listed.WRITTEN.compare(l, newest.peek()) > 0) {
                newest.poll();
                newest.add(l);
            }
        }
    }

    /** "topic/partition@offset" of the record a dead letter stands for. */
    public static String coordinates(DeadLetter d) {
        return d.getTopic() + "/" + d.getPartition() + "@" + d.getOffset();
    }

    /** Dead letters read, counted or not. */
    public long read() {
        return read;
    }

    /** Dead letters counted. */
    public long total() {
        return total;
    }

    /**
     * Distinct source records (topic, partition, offset) of the dead letters counted: below {@link
     * #total()} when later runs dead-lettered the same records again. {@value #RECORDS_TRACKED} at
     * least when {@link #recordsExact()} is false.
     */
    public long records() {
        return recordsOverflowed ? RECORDS_TRACKED : recordsSeen;
    }

    /** Whether {@link #records()} is exact: at most {@value #RECORDS_TRACKED} were seen. */
    public boolean recordsExact() {
        return !recordsOverflowed;
    }

    /** The reasons counted, most frequent first (ties by name). */
    public List<Reason> reasons() {
        List<Reason> out = new ArrayList<>(reasons.values());
        out.sort(Comparator.comparingLong(Reason::count).reversed().thenComparing(Reason::name));
        return out;
    }

    /** The source topics of the dead letters counted. */
    public Set<String> sourceTopics() {
        Set<String> topics = new TreeSet<>();
        for (Reason r : reasons.values()) {
            for (String tp : r.offsets.keySet()) {
                topics.add(tp.substring(0, tp.lastIndexOf('/')));
            }
        }
        return topics;
    }

    /**
     * The {@code keepLast} counted dead letters written last (by {@code failed_at}; ties by source
     * topic, partition and offset), oldest first.
     */
    public List<Listed> newest() {
        List<Listed> out = new ArrayList<>(newest);
        out.sort(Listed.WRITTEN);
        return out;
    }
}
