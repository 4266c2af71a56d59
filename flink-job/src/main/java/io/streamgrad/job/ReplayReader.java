package io.streamgrad.job;

import io.streamgrad.kafka.KafkaClientConfig;
import io.streamgrad.train.ReplayPlan;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.source.reader.SingleThreadMultiplexSourceReaderBase;
import org.apache.flink.connector.base.source.reader.SourceReaderOptions;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The replay's reader: a {@link ReplayFetcher} reads and orders records on Flink's fetcher thread;
 * this reader emits them on the task thread and advances the position per record, so a checkpoint
 * between two records restores to exactly the next one.
 *
 * <p>The hand-over queue holds {@value #QUEUE_CAPACITY} fetch, so a pass read as blocks holds at
 * most {@link ReplaySource#GROUPS_HELD} groups of raw records (one being emitted, one queued, one
 * being read); {@code run.Preflight} sizes groups by that.
 */
final class ReplayReader
        extends SingleThreadMultiplexSourceReaderBase<
                ReplayFetcher.Fetched, KafkaRecord, ReplaySplit, ReplayReader.Position> {
    /** Fetches queued between the fetcher and the task thread. */
    static final int QUEUE_CAPACITY = 1;

    private final Properties properties;
    private final String topic;
    private final ReplayPlan plan;
    private final boolean commitsRangeEnd;
    private Map<Integer, long[]> range;
    private String topicId;
    private boolean finished;

    // Commits once the first pass is covered by a completed checkpoint.
    private final Map<Long, Boolean> firstPassDoneAt = new TreeMap<>();
    private final RangeEndCommitter committer;

    /** How far the task thread has emitted: a {@link ReplaySplit} being advanced. */
    static final class Position {
        final Map<Integer, long[]> range;
        int pass;
        int group;
        long emitted;
        final Map<Integer, Long> next = new TreeMap<>();
        final ReplaySplit.Grouping grouping;
        final ReplaySplit.Passes passes;
        final String topicId;

        /**
         * @param grouping the plan's: what the position counts in from here on (a split is checked
         *     against it before it is read, {@link ReplaySplit#requireResumableBy})
         * @param passes the plan's passes, recorded alike
         */
        Position(ReplaySplit s, ReplaySplit.Grouping grouping, ReplaySplit.Passes passes) {
            this.grouping = grouping;
            this.passes = passes;
            range = s.range();
            pass = s.pass();
            group = s.group();
            emitted = s.emitted();
            next.putAll(s.nextOffsets());
            topicId = s.topicId();
        }

        void advance(ReplayFetcher.Fetched f) {
            if (f.pass() != pass) {
                pass = f.pass();
                group = 0;
                emitted = 0;
                next.putAll(ReplaySplit.starts(range));
            }
            if (f.index() >= 0) {
                group = f.group();
                emitted = f.index() + 1;
            } else {
                next.put(f.record().partition(), f.record().offset() + 1);
            }
        }

        ReplaySplit toSplit() {
            return new ReplaySplit(
                    range, pass, group, emitted, new TreeMap<>(next), grouping, passes, topicId);
        }
    }

    /**
     * @param commitsRangeEnd whether the range's end is committed to the group once a checkpoint
     *     covers the first pass (a backtest's fixed range is not)
     */
    ReplayReader(
            KafkaClientConfig kafka,
            Properties properties,
            String topic,
            ReplayPlan plan,
            boolean commitsRangeEnd,
            SourceReaderContext context) {
        super(
                () -> new ReplayFetcher(kafka, properties, topic, plan),
                (fetched, output, position) -> {
                    position.advance(fetched);
                    output.collect(fetched.record(), fetched.record().timestamp());
                },
                queueConfig(),
                context);
        this.properties = properties;
        this.topic = topic;
        this.plan = plan;
        this.commitsRangeEnd = commitsRangeEnd;
        this.committer =
                new RangeEndCommitter(properties, topic + "-" + context.getIndexOfSubtask());
    }

    private static Configuration queueConfig() {
        Configuration c = new Configuration();
        c.set(SourceReaderOptions.ELEMENT_QUEUE_CAPACITY, QUEUE_CAPACITY);
        return c;
    }

    @Override
    public void addSplits(List<ReplaySplit> splits) {
        if (splits.size() != 1 || range != null) {
            throw new IllegalStateException("a replay reads one split, got " + splits.size());
        }
        try {
            splits.get(0).requireResumableBy(plan);
        } catch (IllegalStateException e) {
            // Every restart would restore the same position and be refused again: the job fails
            // at once, with this message, instead of after its restart strategy's attempts.
            throw new SuppressRestartsException(e);
        }
        range = splits.get(0).range();
        topicId = splits.get(0).topicId();
        super.addSplits(splits);
    }

    @Override
    protected Position initializedState(ReplaySplit split) {
        return new Position(split, ReplaySplit.Grouping.of(plan), ReplaySplit.Passes.of(plan));
    }

    @Override
    protected ReplaySplit toSplitType(String splitId, Position position) {
        return position.toSplit();
    }

    @Override
    protected void onSplitFinished(Map<String, Position> finishedSplits) {
        finished = true;
    }

    @Override
    public List<ReplaySplit> snapshotState(long checkpointId) {
        List<ReplaySplit> splits = super.snapshotState(checkpointId);
        if (splits.isEmpty() && finished) {
            // A finished split leaves the base reader's state; kept here (past the last pass) so
            // a run restored from this checkpoint still commits the range's end to the group.
            splits =
                    List.of(
                            new ReplaySplit(
                                    range,
                                    plan.passes(),
                                    0,
                                    0,
                                    Map.of(),
                                    ReplaySplit.Grouping.of(plan),
                                    ReplaySplit.Passes.of(plan),
                                    topicId));
        }
        if (range != null) {
            firstPassDoneAt.put(
                    checkpointId, splits.isEmpty() ? finished : splits.get(0).pass() > 0);
        }
        return splits;
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) throws Exception {
        super.notifyCheckpointComplete(checkpointId);
        Boolean done = firstPassDoneAt.get(checkpointId);
        firstPassDoneAt.keySet().removeIf(id -> id <= checkpointId);
        if (commitsRangeEnd && Boolean.TRUE.equals(done) && !committer.committed()) {
            // The group's position moves past the range once a checkpoint covers its first pass,
            // so the next bounded run of the group starts after it.
            Map<TopicPartition, OffsetAndMetadata> ends =
                    new TreeMap<>(Comparator.comparing(TopicPartition::partition));
            range.forEach(
                    (p, r) -> ends.put(new TopicPartition(topic, p), new OffsetAndMetadata(r[1])));
            committer.request(ends);
        }
    }

    @Override
    public void close() throws Exception {
        try {
            super.close();
        } finally {
            committer.close();
        }
    }
}
