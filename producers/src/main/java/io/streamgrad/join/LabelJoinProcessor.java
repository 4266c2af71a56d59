package io.streamgrad.join;

import io.streamgrad.schema.AvroSerde;
import io.streamgrad.schema.DeadLetter;
import io.streamgrad.schema.DeadLetterReason;
import io.streamgrad.schema.FeatureEvent;
import io.streamgrad.schema.LabelEvent;
import io.streamgrad.schema.LabeledEvent;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The join step, one instance per task (a partition of the co-partitioned features and labels,
 * keyed by event id).
 *
 * <p>Join time: the decode step stamps records with payload times (event time, label time) and
 * their input partition. With T_p the largest time seen from input partition p (of either topic),
 * join time is {@code max(min_p T_p, max_p T_p − maxSkew)}, like a watermark: every partition of
 * this task's repartition topics mixes records of all input partitions, so an input partition read
 * faster than another (a lagging consumer, a bounded replay) does not close windows the slower one
 * has not reached, unless it is more than {@code maxSkew} ahead. These maxima live in memory: after
 * a restart windows close later, never earlier.
 *
 * <p>State, all in changelogged stores so a restarted task resumes exactly:
 *
 * <ul>
 *   <li>{@value #EVENTS}: event id → status (open, joined, negative, dropped), event time, and
 *       while open the FeatureEvent bytes;
 *   <li>{@value #EARLY_LABELS}: labels that came before their features, as the DeadLetter they
 *       become if the features never come;
 *   <li>{@value #DEADLINES}: an index (time, kind, event id) of when each of the above must be
 *       acted on, scanned in time order as join time passes.
 * </ul>
 *
 * <p>Rules: a label counts if {@code label_time <= event_time + window}, and the first such label
 * wins (later ones are counted as duplicates). The window closes once join time passes {@code
 * event_time + window}: an unlabeled event becomes a negative (class 0) or is dropped. A label
 * whose features have not come is held until join time passes {@code label_time + window}, then
 * dead-lettered as {@code unknown-event}. A label after its window, or for an event already closed,
 * is dead-lettered as {@code late-label}. Closed events are remembered for {@link
 * JoinConfig#closedRetention()} to tell such labels from unknown ones.
 */
final class LabelJoinProcessor implements Processor<String, byte[], byte[], Routed> {
    static final String EVENTS = "join-events";
    static final String EARLY_LABELS = "join-early-labels";
    static final String DEADLINES = "join-deadlines";

    static final DeadLetterReason LATE_LABEL = DeadLetterReason.LATE_LABEL;
    static final DeadLetterReason UNKNOWN_EVENT = DeadLetterReason.UNKNOWN_EVENT;
    static final DeadLetterReason DUPLICATE_EVENT = DeadLetterReason.DUPLICATE_EVENT;

    private static final byte OPEN = 'o';
    private static final byte JOINED = 'j';
    private static final byte NEGATIVE = 'n';
    private static final byte DROPPED = 'd';

    private static final byte CLOSE_WINDOW = 'F';
    private static final byte EXPIRE_LABEL = 'L';
    private static final byte FORGET_EVENT = 'C';

    private final JoinConfig config;
    private final long windowMs;
    private final long closedMs;
    private final JoinCounters counters;
    private final AvroSerde<FeatureEvent> featureSerde = AvroSerde.of(FeatureEvent.class);
    private final AvroSerde<LabelEvent> labelSerde = AvroSerde.of(LabelEvent.class);
    private final AvroSerde<LabeledEvent> eventSerde = AvroSerde.of(LabeledEvent.class);
    private final AvroSerde<DeadLetter> letterSerde = AvroSerde.of(DeadLetter.class);

    private ProcessorContext<byte[], Routed> context;
    private KeyValueStore<String, byte[]> events;
    private KeyValueStore<String, byte[]> earlyLabels;
    private KeyValueStore<Bytes, byte[]> deadlines;

    /** Lower bound of the earliest deadline; MIN_VALUE = unknown (after a restore): scan. */
    private long nextDeadline = Long.MIN_VALUE;

    /**
     * No deadline is earlier than this (MIN_VALUE = unknown: from the store's start). A scan starts
     * here, not at the store's start: every deadline it acted on was deleted, and RocksDB still
     * walks over what was deleted until it compacts, so scans from the start grew with the
     * deadlines already done and a bounded join slowed down as its input grew.
     */
    private long scanFrom = Long.MIN_VALUE;

    private final long maxSkewMs;

    /** Largest payload time seen per input partition ("topic/partition"), from provenance. */
    private final java.util.Map<String, Long> inputTimes = new java.util.HashMap<>();

    LabelJoinProcessor(JoinConfig config, JoinCounters counters) {
        this.config = config;
        this.windowMs = config.window().toMillis();
        this.closedMs = config.closedRetention().toMillis();
        this.maxSkewMs = config.maxSkew() == null ? Long.MAX_VALUE : config.maxSkew().toMillis();
        this.counters = counters;
    }

    @Override
    public void init(ProcessorContext<byte[], Routed> context) {
        this.context = context;
        this.events = context.getStateStore(EVENTS);
        this.earlyLabels = context.getStateStore(EARLY_LABELS);
        this.deadlines = context.getStateStore(DEADLINES);
        // Also on a revived task: its state was restored, the cache is not.
        this.nextDeadline = Long.MIN_VALUE;
        this.scanFrom = Long.MIN_VALUE;
        // The end of a bounded run: close every window, whatever stream time says.
        context.schedule(
                Duration.ofMillis(100),
                PunctuationType.WALL_CLOCK_TIME,
                now -> {
                    if (counters.closeAllRequested()) {
                        closeExpired(Long.MAX_VALUE);
                        counters.taskClosedAll(context.taskId().toString());
                    }
                });
    }

    @Override
    public void process(Record<String, byte[]> record) {
        if (Provenance.isFeatures(record.headers())) {
            counters.featuresArrived.incrementAndGet();
            onFeatures(record);
        } else {
            counters.labelsArrived.incrementAndGet();
            onLabel(record);
        }
        Provenance from = Provenance.readFrom(record.headers());
        inputTimes.merge(from.topic + "/" + from.partition, record.timestamp(), Math::max);
        // Windows close strictly after event_time + window.
        long now = joinTime();
        if (now != Long.MIN_VALUE) {
            closeExpired(now - 1);
        }
    }

    /** See the class comment; MIN_VALUE while no record has come. */
    long joinTime() {
        long lo = Long.MAX_VALUE;
        long hi = Long.MIN_VALUE;
        for (long t : inputTimes.values()) {
            lo = Math.min(lo, t);
            hi = Math.max(hi, t);
        }
        if (inputTimes.size() < config.inputPartitions()) {
            lo = Long.MIN_VALUE; // a partition not heard from yet holds every window open
        }
        long ahead = hi - maxSkewMs;
        if (maxSkewMs == Long.MAX_VALUE || hi == Long.MIN_VALUE || ahead > hi) {
            return lo; // no skew limit, nothing seen yet, or an overflow
        }
        return Math.max(lo, ahead);
    }

    private void onFeatures(Record<String, byte[]> record) {
        String id = record.key();
        FeatureEvent f = featureSerde.deserialize(record.value());
        long eventTime = f.getEventTime();
        if (events.get(id) != null) {
            counters.duplicateFeatures.incrementAndGet();
            deadLetter(
                    record,
                    DUPLICATE_EVENT,
                    "features for event " + id + " came twice; the first is kept");
            return;
        }
        counters.features.incrementAndGet();
        byte[] early = earlyLabels.get(id);
        if (early != null) {
            earlyLabels.delete(id);
            counters.earlyLabelsPending.decrementAndGet();
            DeadLetter held = letterSerde.deserialize(early);
            LabelEvent label = labelSerde.deserialize(bytes(held.getValue()));
            if (label.getLabelTime() <= eventTime + windowMs) {
                emitJoined(f, label.getLabel());
                return;
            }
            counters.lateLabels.incrementAndGet();
            counters.deadLettered.incrementAndGet();
            held.setReason(LATE_LABEL.wireName());
            held.setDetail(lateDetail(id, label.getLabelTime(), eventTime));
            held.setFailedAt(context.currentSystemTimeMs());
            forwardLetter(letterSerde.serialize(held));
        }
        events.put(id, state(OPEN, eventTime, record.value()));
        schedule(eventTime + windowMs, CLOSE_WINDOW, id);
    }

    private void onLabel(Record<String, byte[]> record) {
        String id = record.key();
        LabelEvent label = labelSerde.deserialize(record.value());
        counters.labels.incrementAndGet();
        byte[] state = events.get(id);
        if (state == null) {
            if (earlyLabels.get(id) != null) {
                counters.duplicateLabels.incrementAndGet();
                return;
            }
            Provenance from = Provenance.readFrom(record.headers());
            byte[] letter =
                    from.deadLetter(
                            id.getBytes(StandardCharsets.UTF_8),
                            record.value(),
                            UNKNOWN_EVENT,
                            "no features for event "
                                    + id
                                    + " within "
                                    + windowMs
                                    + " ms of its label time "
                                    + label.getLabelTime(),
                            context.currentSystemTimeMs());
            earlyLabels.put(id, letter);
            counters.earlyLabelsPending.incrementAndGet();
            schedule(label.getLabelTime() + windowMs, EXPIRE_LABEL, id);
            return;
        }
        byte status = state[0];
        long eventTime = ByteBuffer.wrap(state, 1, 8).getLong();
        if (status == JOINED) {
            counters.duplicateLabels.incrementAndGet();
        } else if (status == OPEN && label.getLabelTime() <= eventTime + windowMs) {
            FeatureEvent f = featureSerde.deserialize(Arrays.copyOfRange(state, 9, state.length));
            emitJoined(f, label.getLabel());
        } else {
            counters.lateLabels.incrementAndGet();
            deadLetter(record, LATE_LABEL, lateDetail(id, label.getLabelTime(), eventTime));
        }
    }

    private String lateDetail(String id, long labelTime, long eventTime) {
        return "label for event "
                + id
                + " at label_time "
                + labelTime
                + " is "
                + (labelTime - eventTime)
                + " ms after its event_time "
                + eventTime
                + (labelTime - eventTime > windowMs
                        ? "; the window is " + windowMs + " ms"
                        : "; it arrived after the window closed (join time had passed it)");
    }

    private void emitJoined(FeatureEvent f, Object label) {
        counters.joined.incrementAndGet();
        emit(f, label, f.getSource());
        String id = f.getEventId();
        events.put(id, state(JOINED, f.getEventTime(), null));
        schedule(f.getEventTime() + windowMs + closedMs, FORGET_EVENT, id);
    }

    private void emit(FeatureEvent f, Object label, String source) {
        LabeledEvent e =
                LabeledEvent.newBuilder()
                        .setModel(f.getModel())
                        .setEventId(f.getEventId())
                        .setEventTime(f.getEventTime())
                        .setFeatures(f.getFeatures())
                        .setLabel(label)
                        .setSource(source)
                        .build();
        context.forward(
                new Record<>(
                        f.getModel().getBytes(StandardCharsets.UTF_8),
                        new Routed(false, eventSerde.serialize(e)),
                        f.getEventTime()));
    }

    /** Acts on every deadline at or before {@code limit}, in time order. */
    private void closeExpired(long limit) {
        if (nextDeadline > limit) {
            return;
        }
        List<Bytes> due = new ArrayList<>();
        long next = Long.MAX_VALUE;
        long last = scanFrom;
        try (KeyValueIterator<Bytes, byte[]> it =
                scanFrom == Long.MIN_VALUE
                        ? deadlines.all()
                        : deadlines.range(timePrefix(scanFrom), null)) {
            while (it.hasNext()) {
                Bytes key = it.next().key;
                long t = timeOf(key.get());
                if (t > limit) {
                    next = t;
                    break;
                }
                due.add(key);
                last = t;
            }
        }
        nextDeadline = next;
        // Everything before the last deadline acted on is gone; its own time may get more.
        scanFrom = last;
        for (Bytes key : due) {
            deadlines.delete(key);
            byte[] k = key.get();
            String id = new String(k, 9, k.length - 9, StandardCharsets.UTF_8);
            switch (k[8]) {
                case CLOSE_WINDOW -> closeWindow(id);
                case EXPIRE_LABEL -> expireLabel(id);
                case FORGET_EVENT -> events.delete(id);
                default -> throw new IllegalStateException("unknown deadline kind " + k[8]);
            }
        }
    }

    private void closeWindow(String id) {
        byte[] state = events.get(id);
        if (state == null || state[0] != OPEN) {
            return; // joined: forgotten on its own deadline
        }
        FeatureEvent f = featureSerde.deserialize(Arrays.copyOfRange(state, 9, state.length));
        byte status;
        if (config.missingLabel() == MissingLabel.NEGATIVE) {
            counters.negatives.incrementAndGet();
            String src = f.getSource();
            emit(f, 0, (src == null ? "" : src + ";") + "label=missing");
            status = NEGATIVE;
        } else {
            counters.dropped.incrementAndGet();
            status = DROPPED;
        }
        events.put(id, state(status, f.getEventTime(), null));
        schedule(f.getEventTime() + windowMs + closedMs, FORGET_EVENT, id);
    }

    private void expireLabel(String id) {
        byte[] letter = earlyLabels.get(id);
        if (letter == null) {
            return; // joined with features that came later
        }
        earlyLabels.delete(id);
        counters.earlyLabelsPending.decrementAndGet();
        counters.unknownEvents.incrementAndGet();
        counters.deadLettered.incrementAndGet();
        forwardLetter(letter);
    }

    private void deadLetter(Record<String, byte[]> record, DeadLetterReason reason, String detail) {
        counters.deadLettered.incrementAndGet();
        Provenance from = Provenance.readFrom(record.headers());
        forwardLetter(
                from.deadLetter(
                        record.key().getBytes(StandardCharsets.UTF_8),
                        record.value(),
                        reason,
                        detail,
                        context.currentSystemTimeMs()));
    }

    /**
     * Dead letters are stamped with the wall clock, not the input's time: event times may lie
     * months back, and the dead-letter topic keeps the broker's time-based retention.
     */
    private void forwardLetter(byte[] letter) {
        context.forward(
                new Record<>(null, new Routed(true, letter), context.currentSystemTimeMs()));
    }

    private void schedule(long time, byte kind, String id) {
        byte[] idBytes = id.getBytes(StandardCharsets.UTF_8);
        ByteBuffer key = ByteBuffer.allocate(9 + idBytes.length);
        // Flipping the sign bit makes unsigned byte order (the stores' order) match time order.
        key.putLong(time ^ Long.MIN_VALUE).put(kind).put(idBytes);
        deadlines.put(Bytes.wrap(key.array()), new byte[0]);
        nextDeadline = Math.min(nextDeadline, time);
        scanFrom = Math.min(scanFrom, time);
    }

    /** The first key at {@code time}: its 8 time bytes, in the store's order (see schedule). */
    private static Bytes timePrefix(long time) {
        return Bytes.wrap(ByteBuffer.allocate(8).putLong(time ^ Long.MIN_VALUE).array());
    }

    private static long timeOf(byte[] key) {
        return ByteBuffer.wrap(key, 0, 8).getLong() ^ Long.MIN_VALUE;
    }

    private static byte[] state(byte status, long eventTime, byte[] features) {
        int n = features == null ? 0 : features.length;
        ByteBuffer b = ByteBuffer.allocate(9 + n).put(status).putLong(eventTime);
        if (features != null) {
            b.put(features);
        }
        return b.array();
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer b = buffer.duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }
}
