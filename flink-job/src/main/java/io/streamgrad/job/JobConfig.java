package io.streamgrad.job;

import io.streamgrad.config.InvalidSettingException;
import io.streamgrad.config.Provenance;
import io.streamgrad.kafka.KafkaClientConfig;
import io.streamgrad.kafka.Topic;
import io.streamgrad.train.Batching;
import io.streamgrad.train.TrainingConfig;
import io.streamgrad.train.WarmStart;
import java.io.Serializable;
import java.util.Map;

/**
 * Where a training job reads and writes, and how it trains.
 *
 * @param kafka the cluster and its client settings ({@code --command-config}), for the source and
 *     sinks alike; provenance records only the servers, the file and its key names
 * @param bounded stop at the end offsets the topic had when the job started (replay/backfill);
 *     otherwise train on the live stream until cancelled
 * @param fromEarliest start from the earliest offsets when the group has none committed
 * @param ignoreCommittedOffsets start from {@code fromEarliest}'s end whatever the group has
 *     committed (a run that starts over); a restored checkpoint's offsets still win
 * @param warmStart the snapshot a model key starts from instead of a fresh model, null for none
 * @param startOffsets where to start reading each partition (partition → offset; partitions not
 *     named follow {@code fromEarliest}), whatever the group committed; null: the group's offsets.
 *     A restored checkpoint's offsets still win
 */
public record JobConfig(
        KafkaClientConfig kafka,
        Topics topics,
        String groupId,
        String runId,
        boolean bounded,
        boolean fromEarliest,
        int parallelism,
        long checkpointIntervalMs,
        TrainingConfig training,
        boolean ignoreCommittedOffsets,
        WarmStart warmStart,
        Map<Integer, Long> startOffsets)
        implements Serializable {

    /** A job that starts from the group's committed offsets. */
    public JobConfig(
            KafkaClientConfig kafka,
            Topics topics,
            String groupId,
            String runId,
            boolean bounded,
            boolean fromEarliest,
            int parallelism,
            long checkpointIntervalMs,
            TrainingConfig training) {
        this(
                kafka,
                topics,
                groupId,
                runId,
                bounded,
                fromEarliest,
                parallelism,
                checkpointIntervalMs,
                training,
                false,
                null,
                null);
    }

    /** The same job under another run id (a run resumed from its state directory keeps its id). */
    public JobConfig withRunId(String id) {
        return new JobConfig(
                kafka,
                topics,
                groupId,
                id,
                bounded,
                fromEarliest,
                parallelism,
                checkpointIntervalMs,
                training,
                ignoreCommittedOffsets,
                warmStart,
                startOffsets);
    }

    /** The same job training with another configuration (a backtest variant's, for its checks). */
    public JobConfig withTraining(TrainingConfig t) {
        return new JobConfig(
                kafka,
                topics,
                groupId,
                runId,
                bounded,
                fromEarliest,
                parallelism,
                checkpointIntervalMs,
                t,
                ignoreCommittedOffsets,
                warmStart,
                startOffsets);
    }

    /** The same job, starting over: the group's committed offsets are not used. */
    public JobConfig startingOver() {
        return new JobConfig(
                kafka,
                topics,
                groupId,
                runId,
                bounded,
                fromEarliest,
                parallelism,
                checkpointIntervalMs,
                training,
                true,
                warmStart,
                startOffsets);
    }

    /**
     * The same job, its model key starting from a snapshot and reading from explicit offsets.
     *
     * @param startOffsets partition → first offset to read, null for the group's offsets
     */
    public JobConfig warmStarting(WarmStart warm, Map<Integer, Long> startOffsets) {
        return new JobConfig(
                kafka,
                topics,
                groupId,
                runId,
                bounded,
                fromEarliest,
                parallelism,
                checkpointIntervalMs,
                training,
                ignoreCommittedOffsets,
                warm,
                startOffsets == null
                        ? null
                        : java.util.Collections.unmodifiableMap(
                                new java.util.TreeMap<>(startOffsets)));
    }

    /**
     * The same job reading from explicit offsets: a range the run has fixed before its job starts,
     * so that what it recorded of the range is what the job reads.
     *
     * @param startOffsets partition → first offset to read, for every partition
     */
    public JobConfig startingAt(Map<Integer, Long> startOffsets) {
        return warmStarting(warmStart, startOffsets);
    }

    /** The Kafka bootstrap servers (of {@link #kafka}). */
    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    public JobConfig {
        Batching b = training.batching();
        if (!bounded && b.epochs() > 1) {
            throw new InvalidSettingException(
                    "{epochs} "
                            + b.epochs()
                            + " needs a bounded run ({bounded}): a live stream has"
                            + " no passes to repeat");
        }
        if (!bounded && b.fullBatch()) {
            throw new InvalidSettingException(
                    "{batch-size} full needs a bounded run ({bounded}): full-batch gradient"
                            + " descent waits for the whole set");
        }
    }

    /** Topic names; the defaults are the topic registry's ({@link Topic}). */
    public record Topics(String events, String metrics, String snapshots, String deadLetter)
            implements Serializable {
        public static final Topics DEFAULT =
                new Topics(
                        Topic.EVENTS.defaultName(),
                        Topic.METRICS.defaultName(),
                        Topic.SNAPSHOTS.defaultName(),
                        Topic.DEAD_LETTER.defaultName());
    }

    /**
     * What a snapshot records about where it came from: every component of this configuration
     * (derived from the records, so no setting can be left out) and the code version.
     */
    public Map<String, String> provenance() {
        Map<String, String> p = Provenance.of("", this);
        p.put(Provenance.CODE_VERSION, Provenance.codeVersion());
        return p;
    }
}
