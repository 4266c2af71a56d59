package io.streamgrad.job;

import io.streamgrad.kafka.KafkaClientConfig;
import io.streamgrad.kafka.KafkaUnreachableException;
import io.streamgrad.kafka.TopicAdmin;
import io.streamgrad.train.ReplayPlan;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;
import org.apache.flink.connector.base.source.reader.RecordsBySplits;
import org.apache.flink.connector.base.source.reader.RecordsWithSplitIds;
import org.apache.flink.connector.base.source.reader.splitreader.SplitReader;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsAddition;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsChange;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a {@link ReplaySplit}'s range pass after pass with a plain consumer (assigned partitions,
 * read committed), on the source's fetcher thread: while the task thread decodes and trains one
 * batch of records, this thread reads and orders the next. Each {@link #fetch} returns, in the
 * pass's order, the records tagged with where they are in it ({@link Fetched}), so the reader's
 * position can advance per emitted record and a checkpoint restores to exactly the next one.
 *
 * <p>A pass read as blocks returns one group of blocks per fetch, read whole and sorted by each
 * record's seeded key; a pass read in merge order returns up to {@value #MERGE_BATCH} records per
 * fetch, the smallest timestamp among the partitions' heads first (ties to the lower partition).
 * Memory: one group of raw records being read here (merge order: at most {@value #PAUSE_ABOVE}
 * records per partition; fuller partitions are paused), plus what the reader's queue holds. Groups
 * the task thread has emitted come back to be filled again while a pass reads blocks, and are let
 * go when a pass reads in merge order or the range is read.
 */
final class ReplayFetcher implements SplitReader<ReplayFetcher.Fetched, ReplaySplit> {
    static final int PAUSE_ABOVE = 2_048;
    static final int MERGE_BATCH = 2_048;
    private static final Duration POLL = Duration.ofMillis(200);
    private static final long STALL_MS = 120_000;
    // A read without progress this long asks whether its topic is still there, and again as long
    // as it waits: a deleted topic stops the run in seconds, not after STALL_MS per attempt.
    static final long TOPIC_PROBE_MS = 5_000;
    // How long a topic reported unknown is given before it counts as deleted.
    static final long CONFIRM_MS = 2_000;
    private static final Logger LOG = LoggerFactory.getLogger(ReplayFetcher.class);

    /**
     * A record read, with its place in the replay.
     *
     * @param record the record, its timestamp already shifted into its pass
     * @param pass the pass it belongs to
     * @param group in a pass read as blocks, its group; 0 in merge order
     * @param index in a pass read as blocks, its index within the group (sorted); -1 in merge order
     */
    record Fetched(KafkaRecord record, int pass, int group, long index) {}

    private final KafkaClientConfig kafka;
    private final Properties properties;
    private final String topic;
    private final ReplayPlan plan;
    // How long the consumer waits for a request given no timeout of its own, ms.
    private final long apiTimeoutMs;
    // Written on the fetcher thread; wakeUp reads it from the task thread.
    private volatile KafkaConsumer<ByteBuffer, ByteBuffer> consumer;

    // Where the next fetch reads: ahead of what the task thread has emitted.
    private Map<Integer, long[]> range;
    private int pass;
    private int group;
    private long skip;
    private final Map<Integer, Long> next = new TreeMap<>();

    // A pass read as blocks.
    private List<List<ReplayPlan.Block>> groups;

    // A pass read in merge order.
    // Each record copied out of its fetched batch as it is buffered, so the buffers do not keep
    // the consumer's fetch buffers alive.
    private final Map<Integer, ArrayDeque<Buffered>> buffers = new TreeMap<>();

    /** A record buffered in merge order: its bytes copied, its timestamp shifted into the pass. */
    private record Buffered(int partition, long offset, long timestamp, byte[] key, byte[] value) {
        /** The job's record, received when the read that emits it began. */
        KafkaRecord toRecord(String topic, long receivedAtMs) {
            return new KafkaRecord(topic, partition, offset, timestamp, key, value, receivedAtMs);
        }
    }

    private final Set<Integer> exhausted = new HashSet<>();
    private boolean passOpen;
    private long lastPositions = -1;
    // When the read under way began: every record it returns carries it (KafkaRecord#receivedAtMs).
    private long readStartedMs;
    // The key and value bytes of the last group read: the next one's start.
    private int lastKeyBytes;
    private int lastValueBytes;
    // Groups whose records the task thread has all emitted (GroupBatch#recycle), for the next read
    // to fill again: at most ReplaySource.GROUPS_HELD groups exist at once.
    private final Queue<GroupRecords> recycled = new ConcurrentLinkedQueue<>();
    // Whether the pass being read reads blocks: groups emitted later are not kept (written here,
    // read by the task thread's recycle).
    private volatile boolean keepRecycled;
    // The largest array length every JVM allows.
    private static final int MAX_ARRAY = Integer.MAX_VALUE - 8;
    private long waitingSince = -1;
    private boolean warnedTimestamp;
    // The topic's id when the range was fixed ("" until known: a split of an older build).
    private String topicId = "";
    private TopicAdmin admin;
    private long lastTopicProbe;
    // Since when the broker has said it does not know the topic; -1 while it knows it.
    private long unknownSince = -1;
    // Set by wakeUp (another thread): a pass start's confirming wait ends.
    private volatile boolean wokenUp;

    /**
     * @param kafka the cluster, for the admin requests that tell whether the topic is still the one
     *     the range was fixed in
     * @param properties the consumer's
     */
    ReplayFetcher(KafkaClientConfig kafka, Properties properties, String topic, ReplayPlan plan) {
        this.kafka = kafka;
        this.properties = properties;
        this.topic = topic;
        this.plan = plan;
        this.apiTimeoutMs = apiTimeoutMs(properties);
    }

    @Override
    public void handleSplitsChanges(SplitsChange<ReplaySplit> change) {
        if (!(change instanceof SplitsAddition)) {
            throw new UnsupportedOperationException("a replay only adds splits: " + change);
        }
        List<ReplaySplit> splits = change.splits();
        if (splits.size() != 1 || range != null) {
            throw new IllegalStateException("a replay reads one split, got " + splits.size());
        }
        ReplaySplit s = splits.get(0);
        range = s.range();
        pass = s.pass();
        keepRecycled = pass < plan.passes() && plan.readsBlocks(pass);
        group = s.group();
        skip = s.emitted();
        next.putAll(s.nextOffsets());
        topicId = s.topicId();
        consumer = new KafkaConsumer<>(properties);
    }

    @Override
    public RecordsWithSplitIds<Fetched> fetch() {
        RecordsBySplits.Builder<Fetched> out = new RecordsBySplits.Builder<>();
        if (range == null) {
            return out.build();
        }
        try {
            while (pass < plan.passes()) {
                if (plan.readsBlocks(pass)) {
                    GroupBatch group = nextGroup();
                    if (group != null) {
                        return group;
                    }
                } else {
                    List<Fetched> records = nextMerged(MERGE_BATCH);
                    if (records != null) {
                        out.addAll(ReplaySplit.ID, records);
                        return out.build();
                    }
                }
                startPass(pass + 1);
            }
            out.addFinishedSplit(ReplaySplit.ID);
        } catch (WakeupException e) {
            // Woken to return (a new split, a pause, closing): a group half read is read again.
        }
        return out.build();
    }

    @Override
    public void wakeUp() {
        wokenUp = true;
        if (consumer != null) {
            consumer.wakeup();
        }
    }

    @Override
    public void close() {
        try {
            if (consumer != null) {
                consumer.close(Duration.ofSeconds(5));
            }
        } finally {
            if (admin != null) {
                admin.close();
            }
        }
    }

    private void startPass(int p) {
        keepRecycled = p < plan.passes() && plan.readsBlocks(p);
        if (!keepRecycled) {
            recycled.clear(); // what merge order and a finished range do not need
        }
        pass = p;
        group = 0;
        skip = 0;
        next.putAll(ReplaySplit.starts(range));
        groups = null;
        buffers.clear();
        exhausted.clear();
        passOpen = false;
    }

    /** The next group of a pass read as blocks, sorted; null at the pass's end. */
    private GroupBatch nextGroup() {
        if (groups == null) {
            checkRetained();
            groups = plan.groups(pass, range);
            // Every partition stays assigned for the pass, and a block reads its own by pausing
            // the others: assigning one partition per block would register and drop the
            // consumer's per-partition metrics (JMX beans) at every block.
            List<TopicPartition> all = new ArrayList<>();
            range.keySet().forEach(p -> all.add(new TopicPartition(topic, p)));
            consumer.assign(all);
            // Paused partitions need a position too (the consumer has no reset policy).
            all.forEach(tp -> consumer.seek(tp, range.get(tp.partition())[0]));
        }
        while (group < groups.size()) {
            GroupRecords read = readGroup(groups.get(group));
            long from = skip;
            skip = 0;
            group++;
            if (from < read.size()) {
                return new GroupBatch(read, pass, group - 1, (int) from, plan.shift(pass));
            }
            recycled.add(read); // emitted before the restore
        }
        return null;
    }

    /**
     * The order of a group's records: by seeded key; ties (practically never) to the lower
     * partition and offset, as {@link ReplayPlan#order}.
     *
     * <p>The keys are sorted as primitives: each key's low {@code b} bits are replaced by the
     * record's index ({@code b} bits hold {@code n - 1}), the longs are sorted, and the rare runs
     * that agree in the remaining bits are ordered by the full key, partition and offset. Sorting
     * record objects with a comparator read two of them per comparison, in random memory order: 9 %
     * of the fetcher thread's samples in a bounded logistic run.
     *
     * @param keys the records' seeded keys, at least {@code n}
     * @param partitions the records' partitions, at least {@code n}
     * @param offsets the records' offsets, at least {@code n}
     * @param n the number of records
     * @return the records' indexes in group order, {@code n} of them
     */
    static int[] groupOrder(long[] keys, int[] partitions, long[] offsets, int n) {
        int bits = 32 - Integer.numberOfLeadingZeros(Math.max(1, n - 1));
        long low = (1L << bits) - 1;
        long[] packed = new long[n];
        for (int i = 0; i < n; i++) {
            packed[i] = (keys[i] & ~low) | i;
        }
        Arrays.sort(packed);
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = (int) (packed[i] & low);
        }
        int run = 0;
        for (int i = 1; i <= n; i++) {
            if (i == n || (packed[i] & ~low) != (packed[run] & ~low)) {
                if (i - run > 1) {
                    Integer[] tied = new Integer[i - run];
                    for (int j = run; j < i; j++) {
                        tied[j - run] = order[j];
                    }
                    Arrays.sort(
                            tied,
                            (x, y) -> {
                                int c = Long.compare(keys[x], keys[y]);
                                if (c != 0) {
                                    return c;
                                }
                                c = Integer.compare(partitions[x], partitions[y]);
                                return c != 0 ? c : Long.compare(offsets[x], offsets[y]);
                            });
                    for (int j = run; j < i; j++) {
                        order[j] = tied[j - run];
                    }
                }
                run = i;
            }
        }
        return order;
    }

    /**
     * Reads a group's blocks, every partition's at once: the order blocks are read in does not
     * matter (the group is sorted afterwards), so each partition reads its blocks in offset order,
     * and one poll fetches from all of them instead of a round trip per block.
     *
     * <p>The loop runs once per poll and hands each partition's records to {@link
     * GroupRecords#collect}, a small method of its own: with the per-record loop inline, C2
     * compiled this method (and all of {@code KafkaConsumer.poll} inlined into it) four times in a
     * run, 3 to 5 s of a compiler thread on a 2-core machine.
     */
    private GroupRecords readGroup(List<ReplayPlan.Block> blocks) {
        Map<TopicPartition, ArrayDeque<ReplayPlan.Block>> todo = new HashMap<>();
        blocks.stream()
                .sorted(Comparator.comparingLong(ReplayPlan.Block::from))
                .forEach(
                        b ->
                                todo.computeIfAbsent(
                                                new TopicPartition(topic, b.partition()),
                                                tp -> new ArrayDeque<>())
                                        .addLast(b));
        consumer.pause(consumer.assignment());
        todo.forEach((tp, q) -> consumer.seek(tp, q.peekFirst().from()));
        consumer.resume(todo.keySet());
        long since = System.currentTimeMillis();
        readStartedMs = since;
        long span = 0;
        for (ReplayPlan.Block b : blocks) {
            span += b.to() - b.from();
        }
        GroupRecords read = groupRecords((int) Math.min(span, MAX_ARRAY - 1));
        long before = positions(todo.keySet());
        while (!todo.isEmpty()) {
            var polled = poll();
            for (TopicPartition tp : polled.partitions()) {
                read.collect(polled.records(tp), todo.get(tp));
            }
            long after = read.size() + positions(todo.keySet());
            ReplayPlan.Block waitingFor = dropReadBlocks(todo);
            if (waitingFor != null) {
                since =
                        stalled(
                                after > before,
                                since,
                                new TopicPartition(topic, waitingFor.partition()),
                                waitingFor.to());
            }
            before = read.size() + positions(todo.keySet());
        }
        read.sort();
        lastKeyBytes = read.keyBytesUsed();
        lastValueBytes = read.valueBytesUsed();
        return read;
    }

    /**
     * After a poll: drops each partition's blocks its position has passed, pauses a partition with
     * none left, and seeks one whose position is before its next block.
     *
     * @return a block still to read, or null when the group is read
     */
    private ReplayPlan.Block dropReadBlocks(
            Map<TopicPartition, ArrayDeque<ReplayPlan.Block>> todo) {
        ReplayPlan.Block waitingFor = null;
        for (var it = todo.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            long position = consumer.position(e.getKey());
            ArrayDeque<ReplayPlan.Block> q = e.getValue();
            // Read committed: transaction markers leave gaps, so the position tells the end.
            while (!q.isEmpty() && q.peekFirst().to() <= position) {
                q.pollFirst();
            }
            if (q.isEmpty()) {
                consumer.pause(List.of(e.getKey()));
                it.remove();
            } else {
                waitingFor = q.peekFirst();
                if (position < q.peekFirst().from()) {
                    consumer.seek(e.getKey(), q.peekFirst().from());
                }
            }
        }
        return waitingFor;
    }

    /**
     * An emptied group to read {@code maxRecords} into: one the task thread has emitted, if any,
     * else a new one, so at most as many exist as are ever held at once. Reusing them skips
     * allocating and zeroing a group's arrays (about 60 MB for 16 blocks of 8,192 records of 100
     * features) for every group: 6 to 7 % of the fetcher thread's samples in a bounded logistic
     * run, 1.6 % with reuse.
     */
    private GroupRecords groupRecords(int maxRecords) {
        GroupRecords g = recycled.poll();
        if (g == null) {
            g = new GroupRecords();
        }
        g.clear(maxRecords);
        return g;
    }

    /**
     * A group's records as they arrive, packed: their keys and values in two byte arrays, their
     * coordinates in primitive arrays, and the sort key of each. A group is held from its read to
     * its last record's emission, long enough to outlive young collections: as one object per
     * record (a {@link KafkaRecord} with its own byte arrays) a group of 131,072 records cost G1
     * 3.8 s of CPU per 2 M-event pass against 0.7 s at 16,384. The job's records are made as they
     * are emitted ({@link GroupBatch}), and die young.
     */
    private final class GroupRecords {
        private int n;
        private long[] keys;
        private int[] partitions;
        private long[] offsets;
        private long[] timestamps;
        // Record i's key is keyBytes[keyStart[i], keyStart[i + 1]), null when keyNull[i]; values
        // alike.
        private int[] keyStart;
        private int[] valueStart;
        private boolean[] keyNull;
        private boolean[] valueNull;
        private byte[] keyBytes;
        private byte[] valueBytes;
        private int[] order;
        private long receivedAtMs;

        /**
         * Empties it for a group read from now on, its arrays kept when large enough.
         *
         * @param maxRecords the offsets its blocks span: at most that many records (read committed
         *     skips transaction markers and aborted records), so the per-record arrays never grow
         */
        void clear(int maxRecords) {
            int c = Math.max(1, maxRecords);
            n = 0;
            order = null;
            receivedAtMs = readStartedMs;
            if (keys == null || keys.length < c) {
                keys = new long[c];
                partitions = new int[c];
                offsets = new long[c];
                timestamps = new long[c];
                keyStart = new int[c + 1];
                valueStart = new int[c + 1];
                keyNull = new boolean[c];
                valueNull = new boolean[c];
            }
            keyStart[0] = 0;
            valueStart[0] = 0;
            // New arrays: the bytes of the group before and an eighth (groups of a pass are
            // alike), so a group rarely grows and holds little it does not use. A reused array is
            // kept while it has at most a quarter spare, as the shuffle's memory check counts;
            // one that grew past that (the first group's, grown from 4 KiB by halves) is replaced.
            if (keyBytes == null || !spareFits(keyBytes.length, lastKeyBytes)) {
                keyBytes = new byte[grown(lastKeyBytes, lastKeyBytes / 8)];
            }
            if (valueBytes == null || !spareFits(valueBytes.length, lastValueBytes)) {
                valueBytes = new byte[grown(lastValueBytes, lastValueBytes / 8)];
            }
        }

        int size() {
            return n;
        }

        int keyBytesUsed() {
            return keyStart[n];
        }

        int valueBytesUsed() {
            return valueStart[n];
        }

        /** Keeps the polled records of one partition that lie in its blocks still to read. */
        void collect(
                List<ConsumerRecord<ByteBuffer, ByteBuffer>> records,
                ArrayDeque<ReplayPlan.Block> q) {
            for (ConsumerRecord<ByteBuffer, ByteBuffer> r : records) {
                while (q != null && !q.isEmpty() && q.peekFirst().to() <= r.offset()) {
                    q.pollFirst();
                }
                if (q != null && !q.isEmpty() && r.offset() >= q.peekFirst().from()) {
                    add(r);
                }
            }
        }

        private void add(ConsumerRecord<ByteBuffer, ByteBuffer> r) {
            int i = n;
            // Each record's sort key is computed once, not once per comparison.
            keys[i] = plan.recordKey(pass, r.partition(), r.offset());
            partitions[i] = r.partition();
            offsets[i] = r.offset();
            timestamps[i] = timestampOf(r);
            keyNull[i] = r.key() == null;
            valueNull[i] = r.value() == null;
            keyBytes = append(keyBytes, keyStart, i, r.key());
            valueBytes = append(valueBytes, valueStart, i, r.value());
            n++;
        }

        /**
         * Appends {@code b}'s remaining bytes (null: nothing; its position unchanged) as record i's
         * bytes; the array, grown if need be.
         */
        private static byte[] append(byte[] packed, int[] start, int i, ByteBuffer b) {
            int from = start[i];
            int len = b == null ? 0 : b.remaining();
            long need = (long) from + len;
            if (need > packed.length) {
                if (need > MAX_ARRAY) {
                    throw new IllegalStateException(
                            "a group of blocks holds more than 2 GiB of keys or values: lower"
                                    + " --shuffle-block or --shuffle-group");
                }
                packed =
                        Arrays.copyOf(
                                packed,
                                (int) Math.max(need, grown(packed.length, packed.length / 2)));
            }
            if (len > 0) {
                b.get(b.position(), packed, from, len);
            }
            start[i + 1] = from + len;
            return packed;
        }

        void sort() {
            order = groupOrder(keys, partitions, offsets, n);
        }

        /**
         * The job's record of the {@code k}-th in group order, its timestamp shifted by {@code
         * shift}.
         */
        KafkaRecord record(int k, long shift) {
            int i = order[k];
            return new KafkaRecord(
                    topic,
                    partitions[i],
                    offsets[i],
                    timestamps[i] + shift,
                    keyNull[i] ? null : Arrays.copyOfRange(keyBytes, keyStart[i], keyStart[i + 1]),
                    valueNull[i]
                            ? null
                            : Arrays.copyOfRange(valueBytes, valueStart[i], valueStart[i + 1]),
                    receivedAtMs);
        }
    }

    /** Whether an array of {@code length} holds {@code used} bytes with at most a quarter spare. */
    static boolean spareFits(int length, int used) {
        return length >= used && length <= grown(used, used / 4);
    }

    /** An array length of {@code size + more}, at least 4 KiB, at most what a Java array holds. */
    static int grown(long size, long more) {
        return (int) Math.min(Math.max(1 << 12, size + more), MAX_ARRAY);
    }

    /**
     * A sorted group handed to the reader, from its {@code from}-th record on (a restored position
     * skips what was emitted): each {@link Fetched} is made as the task thread takes it.
     */
    private final class GroupBatch implements RecordsWithSplitIds<Fetched> {
        private final GroupRecords records;
        private final int pass;
        private final int group;
        private final long shift;
        private int next;
        private boolean splitGiven;

        GroupBatch(GroupRecords records, int pass, int group, int from, long shift) {
            this.records = records;
            this.pass = pass;
            this.group = group;
            this.next = from;
            this.shift = shift;
        }

        @Override
        public String nextSplit() {
            if (splitGiven) {
                return null;
            }
            splitGiven = true;
            return ReplaySplit.ID;
        }

        @Override
        public Fetched nextRecordFromSplit() {
            if (next >= records.size()) {
                return null;
            }
            Fetched f = new Fetched(records.record(next, shift), pass, group, next);
            next++;
            return f;
        }

        @Override
        public Set<String> finishedSplits() {
            return Set.of();
        }

        /**
         * Called by the reader once every record has been emitted: the records made from the group
         * hold copies of its bytes, so the fetcher may fill it again.
         */
        @Override
        public void recycle() {
            if (keepRecycled) {
                recycled.add(records);
            }
        }
    }

    private long positions(Collection<TopicPartition> partitions) {
        long sum = 0;
        for (TopicPartition tp : partitions) {
            sum += consumer.position(tp);
        }
        return sum;
    }

    /**
     * Up to {@code max} records of a pass read in merge order; null at its end. Returns early with
     * what it has when a partition's buffer runs dry, so the task thread never waits for a full
     * batch.
     */
    private List<Fetched> nextMerged(int max) {
        readStartedMs = System.currentTimeMillis();
        if (!passOpen) {
            openMerge();
        }
        List<Fetched> out = new ArrayList<>();
        while (out.size() < max) {
            Buffered best = null;
            boolean waiting = false;
            for (var b : buffers.entrySet()) {
                Buffered head = b.getValue().peekFirst();
                if (head == null) {
                    if (!exhausted.contains(b.getKey())) {
                        waiting = true;
                        break;
                    }
                } else if (best == null || head.timestamp() < best.timestamp()) {
                    best = head;
                }
            }
            if (waiting) {
                if (!out.isEmpty()) {
                    return out;
                }
                waitingSince = waitingSince < 0 ? System.currentTimeMillis() : waitingSince;
                if (fetchMerged()) {
                    waitingSince = -1;
                } else {
                    stalled(false, waitingSince, null, -1);
                }
                continue;
            }
            if (best == null) {
                return out.isEmpty() ? null : out;
            }
            waitingSince = -1;
            buffers.get(best.partition()).pollFirst();
            next.put(best.partition(), best.offset() + 1);
            out.add(new Fetched(best.toRecord(topic, readStartedMs), pass, 0, -1));
        }
        return out;
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
        waitingSince = -1;
    }

    /** One fetch for the merge; whether it brought anything. */
    private boolean fetchMerged() {
        boolean got = false;
        var records = poll();
        for (TopicPartition tp : records.partitions()) {
            long to = range.get(tp.partition())[1];
            ArrayDeque<Buffered> buffer = buffers.get(tp.partition());
            for (ConsumerRecord<ByteBuffer, ByteBuffer> r : records.records(tp)) {
                if (r.offset() < to) {
                    buffer.addLast(buffered(r));
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

    /**
     * The record copied out of its fetched batch (which the buffer must not keep alive), its
     * timestamp shifted into the current pass.
     */
    private Buffered buffered(ConsumerRecord<ByteBuffer, ByteBuffer> r) {
        long t = timestampOf(r) + plan.shift(pass);
        return new Buffered(r.partition(), r.offset(), t, bytes(r.key()), bytes(r.value()));
    }

    /** A copy of {@code b}'s remaining bytes (its position unchanged); null for null. */
    private static byte[] bytes(ByteBuffer b) {
        if (b == null) {
            return null;
        }
        byte[] out = new byte[b.remaining()];
        b.get(b.position(), out);
        return out;
    }

    /**
     * A record's timestamp within its pass: a timestamp before 1970 or from 2109 on (a producer
     * writing microseconds, say) is clamped into the pass, so it cannot pose as another pass's.
     */
    private long timestampOf(ConsumerRecord<ByteBuffer, ByteBuffer> r) {
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

    private ConsumerRecords<ByteBuffer, ByteBuffer> poll() {
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
        long probeEvery = unknownSince >= 0 ? CONFIRM_MS : TOPIC_PROBE_MS;
        if (now - since >= TOPIC_PROBE_MS && now - lastTopicProbe >= probeEvery) {
            requireSameTopic(false);
            // After the answer, which may take the admin's timeout: the read polls in between.
            lastTopicProbe = System.currentTimeMillis();
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

    /**
     * Refuses a range whose head retention has deleted since the run fixed it, naming every
     * partition that lost offsets, or whose topic now ends before it (made again, truncated).
     * Restarting cannot bring them back, so the job fails at once ({@link
     * SuppressRestartsException}) instead of after its restart strategy's attempts.
     */
    private void checkRetained() {
        requireSameTopic(true);
        List<TopicPartition> partitions = new ArrayList<>();
        range.keySet().forEach(p -> partitions.add(new TopicPartition(topic, p)));
        Map<Integer, Long> beginning = new HashMap<>();
        listOffsets(d -> consumer.beginningOffsets(partitions, d))
                .forEach((tp, o) -> beginning.put(tp.partition(), o));
        List<String> lost = ReplaySource.lostHead(range, beginning);
        if (!lost.isEmpty()) {
            throw unrecoverable(
                    String.format(
                            "topic %s: offsets of this run's range were deleted"
                                    + " (by retention, or a delete-records request) after"
                                    + " the run fixed it: %s. Reading on would make an"
                                    + " epoch shorter, so the run stops: train on what is"
                                    + " left with --start-over, and keep what a run's"
                                    + " epochs read (the topic's retention.ms) while it"
                                    + " runs (a run resumed from this state would read"
                                    + " the same range)",
                            topic, String.join(", ", lost)));
        }
        // The other way a fixed range can vanish: the topic was deleted and made again (or
        // truncated), and now ends before the range does.
        List<String> cut = new ArrayList<>();
        listOffsets(d -> consumer.endOffsets(partitions, d))
                .forEach(
                        (tp, end) -> {
                            long to = range.get(tp.partition())[1];
                            if (end < to) {
                                cut.add(
                                        String.format(
                                                "partition %d ends at %d, before the range's end"
                                                        + " %d",
                                                tp.partition(), end, to));
                            }
                        });
        if (!cut.isEmpty()) {
            throw unrecoverable(
                    String.format(
                            "topic %s no longer holds this run's range (was it deleted"
                                    + " and made again?): %s. The run stops: train on it"
                                    + " afresh with --start-over",
                            topic, String.join(", ", cut)));
        }
    }

    /**
     * Asks for offsets in tries that each end with the question whether the topic is still there,
     * within the consumer's own timeout for a request ({@code default.api.timeout.ms}: Kafka's 60 s
     * unless the client configuration sets it). The consumer waits that whole timeout for a topic
     * deleted under the request (answered by the broker's metadata a moment before the deletion
     * reached it): asked in one try, a pass that started as its topic went failed after it and a
     * restart, instead of in seconds.
     */
    private Map<TopicPartition, Long> listOffsets(
            Function<Duration, Map<TopicPartition, Long>> request) {
        return listOffsets(request, apiTimeoutMs, () -> requireSameTopic(true));
    }

    /** The consumer's {@code default.api.timeout.ms} as Kafka reads it from its properties, ms. */
    static long apiTimeoutMs(Properties consumer) {
        Object ms =
                ConsumerConfig.configDef()
                        .parse(consumer)
                        .get(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG);
        return ((Number) ms).longValue();
    }

    /**
     * Runs {@code request} in tries of {@link #CONFIRM_MS}, then twice as long each time, calling
     * {@code between} after every try that times out, until {@code timeoutMs} has passed in all.
     *
     * @param request the Kafka request, given how long this try may take
     * @param between what to do when a try timed out: may throw to end the request for good
     * @throws org.apache.kafka.common.errors.TimeoutException when no try answered within {@code
     *     timeoutMs}
     */
    static <T> T listOffsets(Function<Duration, T> request, long timeoutMs, Runnable between) {
        long deadline = System.currentTimeMillis() + timeoutMs;
        long tryMs = CONFIRM_MS;
        while (true) {
            long left = deadline - System.currentTimeMillis();
            try {
                return request.apply(Duration.ofMillis(Math.max(1, Math.min(tryMs, left))));
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                if (deadline - System.currentTimeMillis() <= 0) {
                    throw e;
                }
                between.run();
                tryMs *= 2;
            }
        }
    }

    /**
     * Refuses a topic deleted since the run fixed its range, or deleted and made again (another
     * topic id: its offsets name other records, even where the new topic reaches past the range).
     * Only definite answers count: a broker that does not answer leaves the question to the
     * consumer's own requests, which wait for it as they did before this check (a restart, then the
     * stall's two minutes), and a topic reported unknown is asked about again after {@link
     * #CONFIRM_MS} before the run stops (a broker may not know a topic for a moment, e.g. after a
     * leader moves). A split of an older build, which did not record the id, takes the one seen
     * first.
     */
    private void requireSameTopic(boolean confirmNow) {
        String now = topicIdNow();
        if (confirmNow) {
            // A pass's start reads nothing until this is settled: confirm an unknown topic now,
            // in short sleeps that a wake-up (a new split, a pause, closing) ends.
            wokenUp = false;
            long firstUnknown = -1;
            while (now != null && now.isEmpty()) {
                if (firstUnknown < 0) {
                    firstUnknown = System.currentTimeMillis();
                }
                if (System.currentTimeMillis() - firstUnknown >= CONFIRM_MS) {
                    unknownSince = firstUnknown;
                    break;
                }
                sleepBriefly();
                now = topicIdNow();
            }
        }
        if (now == null) {
            return;
        }
        if (now.isEmpty()) {
            if (unknownSince < 0) {
                unknownSince = System.currentTimeMillis();
            }
            if (System.currentTimeMillis() - unknownSince < CONFIRM_MS) {
                return; // asked again by the stalled read's next probe
            }
            throw unrecoverable(
                    String.format(
                            "topic %s was deleted while this run read it: the run stops (a"
                                    + " restart would find nothing to read). Train on the topic"
                                    + " afresh with --start-over once it holds events again",
                            topic));
        }
        unknownSince = -1;
        if (topicId.isEmpty()) {
            topicId = now;
        } else if (!topicId.equals(now)) {
            throw unrecoverable(
                    String.format(
                            "topic %s was deleted and made again since this run fixed its range"
                                    + " (topic id %s, now %s): its offsets name other records,"
                                    + " so the run stops. Train on the new topic afresh with"
                                    + " --start-over",
                            topic, topicId, now));
        }
    }

    private void sleepBriefly() {
        if (wokenUp) {
            throw new WakeupException();
        }
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WakeupException();
        }
    }

    /** The topic's id now; "" when the broker does not know it; null when it did not answer. */
    private String topicIdNow() {
        try {
            if (admin == null) {
                admin = new TopicAdmin(kafka);
            }
            return admin.topicId(topic).orElse("");
        } catch (KafkaUnreachableException e) {
            return null;
        }
    }

    /** A failure no restart can mend: the job fails at once, with this message. */
    private static SuppressRestartsException unrecoverable(String message) {
        return new SuppressRestartsException(new RunStoppedException(message));
    }
}
