package io.streamgrad.run;

import io.streamgrad.config.InvalidSettingException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The offsets of a topic an evaluation scores: per partition, from (inclusive) to end (exclusive,
 * as Kafka's end offsets). Only partitions with a non-empty range are listed.
 *
 * @param topic the events topic
 * @param offsets partition → {from, end}
 */
public record EvaluationRange(String topic, SortedMap<Integer, long[]> offsets) {

    /** Records in the range (transaction markers included, so an upper bound of the events). */
    public long records() {
        return offsets.values().stream().mapToLong(o -> o[1] - o[0]).sum();
    }

    public Map<Integer, Long> from() {
        return offsets.entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue()[0]));
    }

    public Map<Integer, Long> to() {
        return offsets.entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue()[1]));
    }

    /**
     * "0:[0, 1000), 1:[0, 998)": partition, then its offsets as a half-open interval (the end is
     * the first offset not in the range, as Kafka's end offsets and {@code --to-offset} are).
     */
    public String describe() {
        return offsets.entrySet().stream()
                .map(e -> e.getKey() + ":" + interval(e.getValue()))
                .collect(Collectors.joining(", "));
    }

    /** "[first, end)". */
    static String interval(long[] firstAndEnd) {
        return "[" + firstAndEnd[0] + ", " + firstAndEnd[1] + ")";
    }

    /**
     * What the user asked for: each null when not given.
     *
     * @param fromOffset {@code P:OFFSET,...} or one offset for every partition
     * @param toOffset the same, exclusive
     * @param fromTime ISO-8601 or epoch milliseconds: the first record at or after it
     * @param toTime the same: records before it
     * @param last the newest N records of each partition
     */
    public record Request(
            String fromOffset, String toOffset, String fromTime, String toTime, Long last) {
        public static final Request WHOLE_TOPIC = new Request(null, null, null, null, null);

        /**
         * Checks what needs no Kafka (which flags go together, the times, {@code last}), so a
         * command refuses a bad range before it connects.
         *
         * @throws InvalidSettingException naming the flag
         */
        public Request {
            if (last != null && (fromOffset != null || fromTime != null)) {
                throw new InvalidSettingException(
                        "{last} picks the start of the range; leave out {from-offset} and"
                                + " {from-time}");
            }
            if (fromOffset != null && fromTime != null) {
                throw new InvalidSettingException("give {from-offset} or {from-time}, not both");
            }
            if (toOffset != null && toTime != null) {
                throw new InvalidSettingException("give {to-offset} or {to-time}, not both");
            }
            if (last != null && last < 1) {
                throw new InvalidSettingException("{last} must be at least 1, got " + last);
            }
            if (fromTime != null) {
                parseTime("from-time", fromTime);
            }
            if (toTime != null) {
                parseTime("to-time", toTime);
            }
        }
    }

    /** What Kafka can tell about a topic's partitions (a consumer, or a test's stand-in). */
    public interface Offsets {
        /** Partition → {beginning, end} (end: the last stable offset for read_committed). */
        SortedMap<Integer, long[]> bounds();

        /** Partition → the first offset whose record timestamp is at or after the time. */
        Map<Integer, Long> offsetsAt(long epochMillis);
    }

    /**
     * Resolves a request against the topic's offsets.
     *
     * @throws InvalidSettingException naming the flag and the topic's offsets when the request is
     *     malformed, outside what the topic holds, or empty
     */
    public static EvaluationRange resolve(String topic, Request r, Offsets kafka) {
        SortedMap<Integer, long[]> bounds = kafka.bounds();
        if (bounds.isEmpty()) {
            throw new InvalidSettingException(
                    "{events-topic} " + topic + " does not exist or has no partitions");
        }
        Map<Integer, Long> from = new HashMap<>();
        Map<Integer, Long> to = new HashMap<>();
        java.util.Set<Integer> chosen = new java.util.TreeSet<>(bounds.keySet());
        java.util.Set<Integer> named = new java.util.TreeSet<>();
        if (r.fromOffset() != null) {
            parseOffsets("from-offset", r.fromOffset(), bounds, from, named);
        }
        if (r.toOffset() != null) {
            parseOffsets("to-offset", r.toOffset(), bounds, to, named);
        }
        if (!named.isEmpty()) {
            // Listing partitions scores those partitions only.
            chosen.retainAll(named);
        }
        if (r.fromTime() != null) {
            from.putAll(atTime(kafka, bounds, "from-time", r.fromTime()));
        }
        if (r.toTime() != null) {
            to.putAll(atTime(kafka, bounds, "to-time", r.toTime()));
        }
        SortedMap<Integer, long[]> range = new TreeMap<>();
        for (int p : chosen) {
            long[] b = bounds.get(p);
            long end = to.getOrDefault(p, b[1]);
            long start =
                    r.last() != null ? Math.max(b[0], end - r.last()) : from.getOrDefault(p, b[0]);
            if (start < b[0] || start > b[1]) {
                throw outside(
                        r.fromOffset() != null ? "from-offset" : "from-time",
                        p,
                        start,
                        topic,
                        bounds);
            }
            if (end < b[0] || end > b[1]) {
                throw outside(
                        r.toOffset() != null ? "to-offset" : "to-time", p, end, topic, bounds);
            }
            if (start > end) {
                throw new InvalidSettingException(
                        "partition "
                                + p
                                + " of "
                                + topic
                                + ": the range starts at "
                                + start
                                + " after it ends at "
                                + end
                                + " (check {from-offset}/{from-time} against"
                                + " {to-offset}/{to-time})");
            }
            if (end > start) {
                range.put(p, new long[] {start, end});
            }
        }
        if (range.isEmpty()) {
            throw new InvalidSettingException(
                    "the range holds no records: "
                            + topic
                            + " holds "
                            + holds(bounds)
                            + "; widen {from-offset}/{to-offset}, {from-time}/{to-time} or"
                            + " {last}");
        }
        return new EvaluationRange(topic, Collections.unmodifiableSortedMap(range));
    }

    private static InvalidSettingException outside(
            String flag, int partition, long offset, String topic, SortedMap<Integer, long[]> b) {
        return new InvalidSettingException(
                "{"
                        + flag
                        + "} gives offset "
                        + offset
                        + " for partition "
                        + partition
                        + ", outside what "
                        + topic
                        + " holds: "
                        + holds(b));
    }

    /** "partition 0 offsets [0, 1000), partition 1 offsets [0, 998)" (see {@link #describe}). */
    public static String holds(SortedMap<Integer, long[]> bounds) {
        return bounds.entrySet().stream()
                .map(e -> "partition " + e.getKey() + " offsets " + interval(e.getValue()))
                .collect(Collectors.joining(", "));
    }

    /**
     * Parses {@code P:OFFSET[,P:OFFSET...]} or one offset for every partition, naming {@code flag}
     * in errors.
     *
     * @param named receives the partitions named explicitly
     */
    static void parseOffsets(
            String flag,
            String spec,
            SortedMap<Integer, long[]> bounds,
            Map<Integer, Long> into,
            java.util.Set<Integer> named) {
        String s = spec.trim();
        if (!s.contains(":")) {
            long offset = parseLong(flag, s, spec);
            for (int p : bounds.keySet()) {
                into.put(p, offset);
            }
            return;
        }
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (String part : s.split(",")) {
            String[] pv = part.trim().split(":", -1);
            if (pv.length != 2) {
                throw new InvalidSettingException(
                        "{" + flag + "} must be P:OFFSET[,P:OFFSET...] or one offset, got " + spec);
            }
            int p = (int) parseLong(flag, pv[0].trim(), spec);
            if (!bounds.containsKey(p)) {
                throw new InvalidSettingException(
                        "{"
                                + flag
                                + "} names partition "
                                + p
                                + "; the topic has "
                                + bounds.size()
                                + (bounds.size() == 1 ? " partition: " : " partitions: ")
                                + bounds.keySet().stream()
                                        .map(String::valueOf)
                                        .collect(java.util.stream.Collectors.joining(", ")));
            }
            if (!seen.add(p)) {
                // Which one was meant cannot be told: refused, not the last one kept.
                throw new InvalidSettingException(
                        "{" + flag + "} names partition " + p + " twice, in " + spec);
            }
            into.put(p, parseLong(flag, pv[1].trim(), spec));
            named.add(p);
        }
    }

    private static long parseLong(String flag, String value, String spec) {
        try {
            long v = Long.parseLong(value);
            if (v < 0) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new InvalidSettingException(
                    "{"
                            + flag
                            + "} must be P:OFFSET[,P:OFFSET...] or one offset (non-negative"
                            + " integers), got "
                            + spec);
        }
    }

    private static Map<Integer, Long> atTime(
            Offsets kafka, SortedMap<Integer, long[]> bounds, String flag, String value) {
        long t = parseTime(flag, value);
        Map<Integer, Long> found = kafka.offsetsAt(t);
        Map<Integer, Long> out = new HashMap<>();
        for (Map.Entry<Integer, long[]> e : bounds.entrySet()) {
            Long o = found.get(e.getKey());
            // No record at or after the time: the partition's end.
            out.put(e.getKey(), o == null ? e.getValue()[1] : o);
        }
        return out;
    }

    /** ISO-8601 (an instant, a date-time with offset, or a date at UTC midnight) or epoch ms. */
    public static long parseTime(String flag, String value) {
        String v = value.trim();
        if (v.matches("\\d+")) {
            return Long.parseLong(v);
        }
        try {
            return Instant.parse(v).toEpochMilli();
        } catch (DateTimeParseException ignored) {
            // try the other forms
        }
        try {
            return OffsetDateTime.parse(v).toInstant().toEpochMilli();
        } catch (DateTimeParseException ignored) {
            // try a date
        }
        try {
            return LocalDate.parse(v).atStartOfDay().toInstant(ZoneOffset.UTC).toEpochMilli();
        } catch (DateTimeParseException e) {
            throw new InvalidSettingException(
                    "{"
                            + flag
                            + "} must be ISO-8601 (2026-11-30T12:00:00Z, 2026-11-30) or epoch"
                            + " milliseconds, got "
                            + value);
        }
    }
}
