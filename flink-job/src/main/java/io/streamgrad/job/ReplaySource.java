package io.streamgrad.job;

import io.streamgrad.kafka.KafkaClientConfig;
import io.streamgrad.kafka.TopicAdmin;
import io.streamgrad.train.ReplayPlan;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteBufferDeserializer;

/**
 * The source of a bounded run that reads its range from Kafka once per pass ({@link ReplayPlan}):
 * every epoch and every full-pass loss reads the events again, so Flink state holds the model, open
 * windows and this source's position, never the pass.
 *
 * <p>The range is fixed when the job first starts (the group's committed offsets, or the earliest
 * or latest, or a warm start's offsets, up to the end offsets then) and kept in the checkpoint, so
 * a restored run reads the same records. One reader reads the whole range (the source runs with
 * parallelism 1): what reaches each model key is then in one deterministic order, the same after
 * any failover, and a key's events of one pass all arrive before any of the next pass. When the
 * first pass is complete in a checkpoint, the range's end is committed to the group; a range fixed
 * before the job ({@link #ofRange}, a backtest's) is read as given and committed nowhere.
 */
public final class ReplaySource
        implements Source<KafkaRecord, ReplaySplit, List<ReplaySplit>>,
                ResultTypeQueryable<KafkaRecord> {
    private static final long serialVersionUID = 1L;

    /**
     * Groups of blocks a pass read as blocks holds in memory at once: one being read ahead on the
     * fetcher thread, one queued, one being emitted.
     */
    public static final int GROUPS_HELD = ReplayReader.QUEUE_CAPACITY + 2;

    private final KafkaClientConfig kafka;
    private final String topic;
    private final String groupId;
    private final ReplayPlan plan;
    private final boolean useCommittedOffsets;
    private final boolean fromEarliest;
    private final Map<Integer, Long> startOffsets;
    // A range fixed before the job (a backtest's): read as it is, and never committed to a group.
    private final TreeMap<Integer, long[]> fixedRange;

    /**
     * @param useCommittedOffsets start where the group's committed offsets are, where it has any
     * @param fromEarliest partitions without a start offset start at the earliest offset (else the
     *     latest: nothing)
     * @param startOffsets explicit per-partition start offsets (a warm start), null for none
     */
    public ReplaySource(
            KafkaClientConfig kafka,
            String topic,
            String groupId,
            ReplayPlan plan,
            boolean useCommittedOffsets,
            boolean fromEarliest,
            Map<Integer, Long> startOffsets) {
        this(
                kafka,
                topic,
                groupId,
                plan,
                useCommittedOffsets,
                fromEarliest,
                startOffsets == null ? null : new HashMap<>(startOffsets),
                null);
    }

    private ReplaySource(
            KafkaClientConfig kafka,
            String topic,
            String groupId,
            ReplayPlan plan,
            boolean useCommittedOffsets,
            boolean fromEarliest,
            Map<Integer, Long> startOffsets,
            TreeMap<Integer, long[]> fixedRange) {
        this.kafka = kafka;
        this.topic = topic;
        this.groupId = groupId;
        this.plan = plan;
        this.useCommittedOffsets = useCommittedOffsets;
        this.fromEarliest = fromEarliest;
        this.startOffsets = startOffsets;
        this.fixedRange = fixedRange;
    }

    /**
     * A range fixed before the job starts (a backtest's), read once per pass of {@code plan}; the
     * group's offsets are neither read nor committed.
     *
     * @param groupId names the consumers only (no group is joined, nothing is committed)
     * @param from per partition, the first offset read
     * @param to per partition, the offset after the last one read (exclusive); only the partitions
     *     of {@code from} are read
     * @throws IllegalArgumentException when a partition of {@code from} has no end in {@code to},
     *     or its range is negative
     */
    public static ReplaySource ofRange(
            KafkaClientConfig kafka,
            String topic,
            String groupId,
            ReplayPlan plan,
            Map<Integer, Long> from,
            Map<Integer, Long> to) {
        TreeMap<Integer, long[]> range = new TreeMap<>();
        from.forEach(
                (p, f) -> {
                    Long t = to.get(p);
                    if (t == null || t < f) {
                        throw new IllegalArgumentException(
                                "partition " + p + ": range " + f + " to " + t);
                    }
                    range.put(p, new long[] {f, t});
                });
        return new ReplaySource(kafka, topic, groupId, plan, false, false, null, range);
    }

    @Override
    public Boundedness getBoundedness() {
        return Boundedness.BOUNDED;
    }

    @Override
    public SourceReader<KafkaRecord, ReplaySplit> createReader(SourceReaderContext ctx) {
        return new ReplayReader(kafka, consumerProperties(), topic, plan, fixedRange == null, ctx);
    }

    @Override
    public SplitEnumerator<ReplaySplit, List<ReplaySplit>> createEnumerator(
            SplitEnumeratorContext<ReplaySplit> ctx) {
        return new Enumerator(ctx, null);
    }

    @Override
    public SplitEnumerator<ReplaySplit, List<ReplaySplit>> restoreEnumerator(
            SplitEnumeratorContext<ReplaySplit> ctx, List<ReplaySplit> pending) {
        return new Enumerator(ctx, new ArrayList<>(pending));
    }

    @Override
    public SimpleVersionedSerializer<ReplaySplit> getSplitSerializer() {
        return new ReplaySplit.Serializer();
    }

    @Override
    public SimpleVersionedSerializer<List<ReplaySplit>> getEnumeratorCheckpointSerializer() {
        return new PendingSerializer();
    }

    @Override
    public TypeInformation<KafkaRecord> getProducedType() {
        return TypeInformation.of(KafkaRecord.class);
    }

    /** Per partition, the first offset and the offset after the last: fixed at the first start. */
    Map<Integer, long[]> resolveRange() {
        if (fixedRange != null) {
            Map<Integer, long[]> copy = new TreeMap<>();
            fixedRange.forEach((p, r) -> copy.put(p, r.clone()));
            return copy;
        }
        return range(kafka, topic, groupId, useCommittedOffsets, fromEarliest, startOffsets);
    }

    /**
     * The range a replay of {@code topic} would fix if it started now, as its source does at a
     * job's first start: per partition, the first offset and the offset after the last (the end
     * offset now).
     *
     * @param useCommittedOffsets start where the group's committed offsets are, where it has any
     * @param fromEarliest partitions without a start offset start at the earliest offset (else the
     *     latest: nothing)
     * @param startOffsets explicit per-partition start offsets (a warm start), null for none
     */
    public static Map<Integer, long[]> range(
            KafkaClientConfig kafka,
            String topic,
            String groupId,
            boolean useCommittedOffsets,
            boolean fromEarliest,
            Map<Integer, Long> startOffsets) {
        try (KafkaConsumer<ByteBuffer, ByteBuffer> c =
                new KafkaConsumer<>(consumerProperties(kafka, groupId))) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo p : c.partitionsFor(topic)) {
                partitions.add(new TopicPartition(topic, p.partition()));
            }
            Map<TopicPartition, Long> beginning = c.beginningOffsets(partitions);
            Map<TopicPartition, Long> end = c.endOffsets(partitions);
            Map<TopicPartition, OffsetAndMetadata> committed =
                    useCommittedOffsets
                            ? c.committed(new java.util.HashSet<>(partitions))
                            : Map.of();
            Map<Integer, long[]> range = new TreeMap<>();
            for (TopicPartition tp : partitions) {
                long to = end.get(tp);
                long from;
                if (startOffsets != null && startOffsets.containsKey(tp.partition())) {
                    from = startOffsets.get(tp.partition());
                } else if (committed.get(tp) != null) {
                    // Retention may have deleted past the group's position: what is left is read,
                    // as Kafka's own reset to the earliest would.
                    from = Math.max(committed.get(tp).offset(), beginning.get(tp));
                } else {
                    from = fromEarliest ? beginning.get(tp) : to;
                }
                range.put(tp.partition(), new long[] {Math.min(from, to), to});
            }
            return range;
        }
    }

    /**
     * What retention deleted of a range since it was fixed: "partition P offsets [A, B) (it now
     * begins at C)", half-open as ranges are said everywhere, for each partition whose first
     * offsets are gone, in partition order; empty when all of it is still there.
     *
     * @param range per partition, the first offset and the offset after the last
     * @param beginning per partition, the first offset the topic holds now
     */
    public static List<String> lostHead(Map<Integer, long[]> range, Map<Integer, Long> beginning) {
        List<String> lost = new ArrayList<>();
        for (Map.Entry<Integer, long[]> r : new TreeMap<>(range).entrySet()) {
            long first = r.getValue()[0];
            long last = r.getValue()[1] - 1;
            long begins = beginning.getOrDefault(r.getKey(), 0L);
            if (last >= first && begins > first) {
                lost.add(
                        String.format(
                                "partition %d offsets [%d, %d) (it now begins at %d)",
                                r.getKey(), first, Math.min(last + 1, begins), begins));
            }
        }
        return lost;
    }

    private Properties consumerProperties() {
        return consumerProperties(kafka, groupId);
    }

    private static Properties consumerProperties(KafkaClientConfig kafka, String groupId) {
        Properties p = kafka.properties(Map.of());
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        // Views of the fetched batch, not a byte array per record: the fetcher copies each record
        // once, into its group.
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteBufferDeserializer.class.getName());
        p.put(
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteBufferDeserializer.class.getName());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        // Deleted offsets must stop the run, never be skipped silently.
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        // A block ends where its partition has more data: a fetch still waiting there for more
        // would hold up the seek to the next block.
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "10");
        return p;
    }

    /** Hands the one split to the one reader, then tells it no more will come. */
    private final class Enumerator implements SplitEnumerator<ReplaySplit, List<ReplaySplit>> {
        private final SplitEnumeratorContext<ReplaySplit> ctx;
        private List<ReplaySplit> pending;

        Enumerator(SplitEnumeratorContext<ReplaySplit> ctx, List<ReplaySplit> pending) {
            this.ctx = ctx;
            this.pending = pending;
        }

        @Override
        public void start() {
            if (pending == null) {
                // The topic's id first: were the topic made again before the range is read, the
                // range would be the new topic's and the id the old one's, and the first pass
                // would stop (a false alarm) rather than read another topic's offsets as this one.
                String topicId;
                try (TopicAdmin admin = new TopicAdmin(kafka)) {
                    topicId = admin.topicId(topic).orElse("");
                }
                ReplaySplit first =
                        new ReplaySplit(
                                resolveRange(),
                                0,
                                0,
                                0,
                                Map.of(),
                                ReplaySplit.Grouping.of(plan),
                                ReplaySplit.Passes.of(plan),
                                topicId);
                pending = new ArrayList<>(List.of(first.atPass(0)));
            }
        }

        @Override
        public void handleSplitRequest(int subtaskId, String requesterHostname) {
            assign(subtaskId);
        }

        @Override
        public void addSplitsBack(List<ReplaySplit> splits, int subtaskId) {
            pending.addAll(splits);
        }

        @Override
        public void addReader(int subtaskId) {
            assign(subtaskId);
        }

        private void assign(int subtaskId) {
            if (!pending.isEmpty() && ctx.registeredReaders().containsKey(subtaskId)) {
                ctx.assignSplit(pending.remove(0), subtaskId);
            }
            ctx.signalNoMoreSplits(subtaskId);
        }

        @Override
        public List<ReplaySplit> snapshotState(long checkpointId) {
            return new ArrayList<>(pending);
        }

        @Override
        public void close() {}
    }

    /** The enumerator's checkpoint: the split not yet handed out, if any. */
    private static final class PendingSerializer
            implements SimpleVersionedSerializer<List<ReplaySplit>> {
        private final ReplaySplit.Serializer split = new ReplaySplit.Serializer();

        // Version n holds splits of the split serializer's version n (1: before the grouping).
        @Override
        public int getVersion() {
            return ReplaySplit.Serializer.VERSION;
        }

        @Override
        public byte[] serialize(List<ReplaySplit> pending) throws IOException {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                out.writeInt(pending.size());
                for (ReplaySplit s : pending) {
                    byte[] b = split.serialize(s);
                    out.writeInt(b.length);
                    out.write(b);
                }
            }
            return bytes.toByteArray();
        }

        @Override
        public List<ReplaySplit> deserialize(int version, byte[] serialized) throws IOException {
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized))) {
                int n = in.readInt();
                List<ReplaySplit> pending = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    byte[] b = new byte[in.readInt()];
                    in.readFully(b);
                    pending.add(split.deserialize(version, b));
                }
                return pending;
            }
        }
    }
}
