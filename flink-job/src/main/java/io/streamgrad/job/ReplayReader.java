package io.streamgrad.job;

import io.streamgrad.train.ReplayPlan;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.core.io.InputStatus;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a {@link ReplaySplit}'s range pass after pass with a plain consumer (assigned partitions,
 * read committed), emitting each record with its pass's timestamp shift. Position is kept per
 * record, so a checkpoint between two records restores to exactly the next one.
 *
 * <p>Memory: a pass read as blocks holds one group of blocks of raw records; a pass read in merge
 * order holds at most {@value #PAUSE_ABOVE} records per partition (fuller partitions are paused).
 */
final class ReplayReader implements SourceReader<KafkaRecord, ReplaySplit> {
    static final int PAUSE_ABOVE = 2_048;
    private static final int EMIT_PER_CALL = 256;
    private static final Duration POLL = Duration.ofMillis(200);
    private static final long STALL_MS = 120_000;

    private final Properties properties;
    private final String topic;
    private final ReplayPlan plan;

    private KafkaConsumer<byte[], byte[]> consumer;
    private CompletableFuture<Void> available = new CompletableFuture<>();
    private boolean noMoreSplits;

    // The position: what a checkpoint stores.
    private Map<Integer, long[]> range;
    private int pass;
    private int group;
    private long emitted;
    private final Map<Integer, Long> next = new TreeMap<>();

    // A pass read as blocks.
    private List<List<ReplayPlan.Block>> groups;
    private List<ConsumerRecord<byte[], byte[]>> groupRecords;

    // A pass read in merge order.
    private final Map<Integer, ArrayDeque<ConsumerRecord<byte[], byte[]>>> buffers =
            new TreeMap<>();
    private final Set<Integer> exhausted = new HashSet<>();
    private boolean passOpen;
    private long lastPositions = -1;

    // Commits once the first pass is covered by a completed checkpoint.
    private final Map<Long, Boolean> firstPassDoneAt = new TreeMap<>();
    private boolean committed;
    private boolean warnedTimestamp;

    private static final Logger LOG = LoggerFactory.getLogger(ReplayReader.class);

    ReplayReader(Properties properties, String topic, ReplayPlan plan) {
        this.properties = properties;
        this.topic = topic;
        this.plan = plan;
    }

    @Override
    public void start() {}

    @Override
    public void addSplits(List<ReplaySplit> splits) {
        if (splits.size() != 1 || range != null) {
            throw new IllegalStateException("a replay reads one split, got " + splits.size());
        }
        ReplaySplit s = splits.get(0);
        range = s.range();
        pass = s.pass();
        group = s.group();
        emitted = s.emitted();
        next.clear();
        range.forEach((p, r) -> next.put(p, s.next().getOrDefault(p, r[0])));
        consumer = new KafkaConsumer<>(properties);
        available.complete(null);
    }

    @Override
    public void notifyNoMoreSplits() {
        noMoreSplits = true;
        available.complete(null);
    }

    @Override
    public CompletableFuture<Void> isAvailable() {
        return available;
    }

    @Override
    public InputStatus pollNext(ReaderOutput<KafkaRecord> output) {
        if (range == null) {
            return noMoreSplits ? InputStatus.END_OF_INPUT : InputStatus.NOTHING_AVAILABLE;
        }
        for (int n = 0; n < EMIT_PER_CALL; ) {
            if (pass >= plan.passes()) {
                return InputStatus.END_OF_INPUT;
            }
            ConsumerRecord<byte[], byte[]> r =
                    plan.readsBlocks(pass) ? nextOfBlocks() : nextMerged();
            if (r == null) {
                startPass(pass + 1);
                continue;
            }
            long shifted = timestampOf(r) + plan.shift(pass);
            output.collect(
                    new KafkaRecord(
                            r.topic(), r.partition(), r.offset(), shifted, r.key(), r.value()),
                    shifted);
            n++;
        }
        return InputStatus.MORE_AVAILABLE;
    }

    /**
     * A record's timestamp within its pass: a timestamp before 1970 or from 2109 on (a producer
     * writing microseconds, say) is clamped into the pass, so it cannot pose as another pass's.
     */
    private long timestampOf(ConsumerRecord<byte[], byte[]> r) {
        long t = r.timestamp();
        if (t >= 0 && t < plan.unitMs()) {
            return t;
        }
        if (!warnedTimestamp) {
            warnedTimestamp = true;
            LOG.warn(
                    "{} partition {} offset {} has timestamp {}, outside 1970…2109 (ms): such"
                            + " timestamps are clamped into the pass; event-time windows over them"
                            + " are meaningless",
                    r.topic(),
                    r.partition(),
                    r.offset(),
                    t);
        }
        return Math.min(Math.max(0, t), plan.unitMs() - 1);
    }

    private void startPass(int p) {
        pass = p;
        group = 0;
        emitted = 0;
        range.forEach((partition, r) -> next.put(partition, r[0]));
        groups = null;
        groupRecords = null;
        buffers.clear();
        exhausted.clear();
        passOpen = false;
    }

    /** The next record of a pass read as blocks, null at its end. */
    private ConsumerRecord<byte[], byte[]> nextOfBlocks() {
        if (groups == null) {
            checkRetained();
            groups = plan.groups(pass, range);
        }
        while (groupRecords == null || emitted >= groupRecords.size()) {
            if (groupRecords != null) {
                group++;
                emitted = 0;
                groupRecords = null;
            }
            if (group >= groups.size()) {
                return null;
            }
            groupRecords = readGroup(groups.get(group));
        }
        return groupRecords.get((int) emitted++);
    }

    private record Keyed(long key, ConsumerRecord<byte[], byte[]> record) {}

    private List<ConsumerRecord<byte[], byte[]>> readGroup(List<ReplayPlan.Block> blocks) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (ReplayPlan.Block b : blocks) {
            TopicPartition tp = new TopicPartition(topic, b.partition());
            consumer.assign(List.of(tp));
            // A partition still assigned keeps its pause from a merge-order pass.
            consumer.resume(List.of(tp));
            consumer.seek(tp, b.from());
            long since = System.currentTimeMillis();
            while (consumer.position(tp) < b.to()) {
                long before = records.size() + consumer.position(tp);
                for (ConsumerRecord<byte[], byte[]> r : poll().records(tp)) {
                    if (r.offset() >= b.from() && r.offset() < b.to()) {
                        records.add(r);
                    }
                }
                since = stalled(records.size() + consumer.position(tp) > before, since, tp, b.to());
            }
        }
        // Each record's key is computed once, not once per comparison.
        List<Keyed> keyed = new ArrayList<>(records.size());
        for (ConsumerRecord<byte[], byte[]> r : records) {
            keyed.add(new Keyed(plan.recordKey(pass, r.partition(), r.offset()), r));
        }
        keyed.sort(Comparator.comparingLong(Keyed::key));
        records.clear();
        keyed.forEach(k -> records.add(k.record()));
        return records;
    }

    /**
     * The next record of a pass read in merge order (the smallest timestamp among the partitions'
     * heads, ties to the lower partition), null at its end.
     */
    private ConsumerRecord<byte[], byte[]> nextMerged() {
        if (!passOpen) {
            openMerge();
        }
        long since = System.currentTimeMillis();
        while (true) {
            ConsumerRecord<byte[], byte[]> best = null;
            boolean waiting = false;
            for (var b : buffers.entrySet()) {
                ConsumerRecord<byte[], byte[]> head = b.getValue().peekFirst();
                if (head == null) {
                    if (!exhausted.contains(b.getKey())) {
                        waiting = true;
                        break;
                    }
                } else if (best == null || head.timestamp() < best.timestamp()) {
                    best = head;
                }
            }
            if (!waiting) {
                if (best != null) {
                    buffers.get(best.partition()).pollFirst();
                    next.put(best.partition(), best.offset() + 1);
                }
                return best;
            }
            since = stalled(fetchMerged(), since, null, -1);
        }
    }

    private void openMerge() {
        checkRetained();
        List<TopicPartition> reading = new ArrayList<>();
        for (var r : range.entrySet()) {
            buffers.put(r.getKey(), new ArrayDeque<>());
            if (next.get(r.getKey()) >= r.getValue()[1]) {
                exhausted.add(r.getKey());
            } else {
                reading.add(new TopicPartition(topic, r.getKey()));
            }
        }
        consumer.assign(reading);
        consumer.resume(reading);
        for (TopicPartition tp : reading) {
            consumer.seek(tp, next.get(tp.partition()));
        }
        passOpen = true;
    }

    /** One fetch for the merge; whether it brought anything. */
    private boolean fetchMerged() {
        boolean got = false;
        var records = poll();
        for (TopicPartition tp : records.partitions()) {
            long to = range.get(tp.partition())[1];
            ArrayDeque<ConsumerRecord<byte[], byte[]>> buffer = buffers.get(tp.partition());
            for (ConsumerRecord<byte[], byte[]> r : records.records(tp)) {
                if (r.offset() < to) {
                    buffer.addLast(r);
                    got = true;
                }
            }
        }
        List<TopicPartition> pause = new ArrayList<>();
        List<TopicPartition> resume = new ArrayList<>();
        long positions = 0;
        for (TopicPartition tp : consumer.assignment()) {
            int p = tp.partition();
            positions += consumer.position(tp);
            if (!exhausted.contains(p) && consumer.position(tp) >= range.get(p)[1]) {
                // Read committed: transaction markers leave gaps, so the position tells the end.
                exhausted.add(p);
                got = true;
            }
            (exhausted.contains(p) || buffers.get(p).size() > PAUSE_ABOVE ? pause : resume).add(tp);
        }
        consumer.pause(pause);
        consumer.resume(resume);
        // Aborted transactions move the position without returning records: progress too.
        got |= positions != lastPositions;
        lastPositions = positions;
        return got;
    }

    private org.apache.kafka.clients.consumer.ConsumerRecords<byte[], byte[]> poll() {
        try {
            return consumer.poll(POLL);
        } catch (OffsetOutOfRangeException e) {
            checkRetained();
            throw e;
        }
    }

    /** Stops a read that has made no progress for two minutes, naming where it waits. */
    private long stalled(boolean progressed, long since, TopicPartition tp, long to) {
        long now = System.currentTimeMillis();
        if (progressed) {
            return now;
        }
        if (now - since > STALL_MS) {
            throw new IllegalStateException(
                    String.format(
                            "replay of %s pass %d read nothing for %d s%s: is the broker up?",
                            topic,
                            pass,
                            STALL_MS / 1000,
                            tp == null
                                    ? ""
                                    : " at partition " + tp.partition() + " before offset " + to));
        }
        return since;
    }

    /** Refuses a range whose head retention has deleted since the run fixed it. */
    private void checkRetained() {
        List<TopicPartition> partitions = new ArrayList<>();
        range.keySet().forEach(p -> partitions.add(new TopicPartition(topic, p)));
        Map<TopicPartition, Long> beginning = consumer.beginningOffsets(partitions);
        for (TopicPartition tp : partitions) {
            long first = range.get(tp.partition())[0];
            long last = range.get(tp.partition())[1] - 1;
            long begins = beginning.getOrDefault(tp, 0L);
            if (last >= first && begins > first) {
                throw new IllegalStateException(
                        String.format(
                                "topic %s partition %d: offsets %d-%d of this run's range were"
                                        + " deleted (retention) after the run fixed it; the"
                                        + " partition now begins at %d. Epoch %d would be"
                                        + " shorter, so the run stops: raise the topic's"
                                        + " retention.ms, or train on a range still retained",
                                topic,
                                tp.partition(),
                                first,
                                Math.min(last, begins - 1),
                                begins,
                                plan.epochOf(pass)));
            }
        }
    }

    @Override
    public List<ReplaySplit> snapshotState(long checkpointId) {
        if (range == null) {
            return List.of();
        }
        firstPassDoneAt.put(checkpointId, pass > 0);
        return List.of(new ReplaySplit(range, pass, group, emitted, new TreeMap<>(next)));
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
        Boolean done = firstPassDoneAt.get(checkpointId);
        firstPassDoneAt.keySet().removeIf(id -> id <= checkpointId);
        if (Boolean.TRUE.equals(done) && !committed && consumer != null) {
            // The group's position moves past the range once a checkpoint covers its first pass,
            // so the next bounded run of the group starts after it.
            Map<TopicPartition, OffsetAndMetadata> ends =
                    new TreeMap<>(Comparator.comparing(TopicPartition::partition));
            range.forEach(
                    (p, r) -> ends.put(new TopicPartition(topic, p), new OffsetAndMetadata(r[1])));
            try {
                consumer.commitSync(ends);
                committed = true;
            } catch (KafkaException e) {
                // The group's position is a convenience for the next run, not the job's state
                // (that is the checkpoint): retried at the next checkpoint, never fatal.
                LOG.warn("could not commit the end of the range to the group; will retry", e);
            }
        }
    }

    @Override
    public void close() {
        if (consumer != null) {
            consumer.close(Duration.ofSeconds(5));
        }
    }
}
