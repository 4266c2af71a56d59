package io.streamgrad.run.flags;

import io.streamgrad.config.InvalidSettingException;
import io.streamgrad.job.JobConfig;
import io.streamgrad.train.TrainingConfig;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The flags of a training job, wherever it runs: {@code ./streamgrad train} (a local MiniCluster)
 * and the job jar's entry point on a cluster ({@link io.streamgrad.run.ClusterJob}). One path from
 * flags to {@link JobConfig}.
 */
public final class TrainJobOptions {
    @Mixin public ModelOptions model = new ModelOptions();
    @Mixin public BatchingOptions batching = new BatchingOptions();
    @Mixin public TopicOptions topics = new TopicOptions();
    @Mixin public KafkaOptions kafka = new KafkaOptions();
    @Mixin public JobFileOption jobFile = new JobFileOption();

    @Option(
            names = "--group-id",
            defaultValue = "streamgrad-train",
            description = "Kafka consumer group (default: ${DEFAULT-VALUE})")
    public String groupId;

    @Option(
            names = "--bounded",
            description =
                    "Stop at the end offsets the topic has when the job starts (replay, backfill)."
                            + " Without it the job trains on the live stream until cancelled.")
    public boolean bounded;

    @Option(
            names = "--from",
            defaultValue = "earliest",
            description =
                    "Where to start when the group has no committed offsets: earliest | latest"
                            + " (default: ${DEFAULT-VALUE})")
    public String from;

    @Option(
            names = "--warm-start",
            paramLabel = "latest|VERSION|file:PATH",
            description =
                    "Start the model from a snapshot on --snapshots-topic (or a file) instead of a"
                        + " fresh model: parameters, optimizer state, feature statistics and"
                        + " iteration count continue, and the snapshot becomes the parent of the"
                        + " next. Reading starts right after the last offset of each partition the"
                        + " snapshot's lineage says it trained (no gap, no overlap) unless"
                        + " --from-offset says otherwise. The flags must describe the snapshot's"
                        + " model; refused with a state directory that holds a checkpoint")
    public String warmStart;

    @Option(
            names = "--model-key",
            paramLabel = "KEY",
            description =
                    "Model key of the --warm-start snapshot (default: the snapshots topic's only"
                            + " key); events of other keys train fresh models")
    public String modelKey;

    @Option(
            names = "--from-offset",
            paramLabel = "P:OFFSET[,P:OFFSET...]|OFFSET",
            description =
                    "Start reading at these offsets, per partition or one for all (partitions not"
                            + " named: --from), whatever the group has committed. Needed to"
                            + " warm-start from a snapshot whose lineage has no offsets")
    public String fromOffset;

    @Option(
            names = "--parallelism",
            defaultValue = "1",
            description = "Flink parallelism (default: ${DEFAULT-VALUE})")
    public int parallelism;

    @Option(
            names = "--checkpoint-interval-ms",
            defaultValue = "10000",
            description = "Checkpoint interval (default: ${DEFAULT-VALUE})")
    public long checkpointIntervalMs;

    /**
     * Validates every flag and builds the job's configuration.
     *
     * @throws InvalidSettingException naming the setting at fault
     */
    public JobConfig toJobConfig(String runId) {
        TrainingConfig training = model.toTrainingConfig(batching.toBatching());
        if (!from.equals("earliest") && !from.equals("latest")) {
            throw new InvalidSettingException(
                    "{from} must be earliest or latest, got '" + from + "'");
        }
        if (parallelism < 1) {
            throw new InvalidSettingException(
                    "{parallelism} must be at least 1, got " + parallelism);
        }
        if (checkpointIntervalMs < 100 || checkpointIntervalMs > 300_000) {
            throw new InvalidSettingException(
                    "{checkpoint-interval-ms} must be between 100 and 300000 (5 min: outputs are"
                            + " committed at checkpoints, in Kafka transactions that must end"
                            + " within the broker's 15 min), got "
                            + checkpointIntervalMs);
        }
        return new JobConfig(
                kafka.client(),
                topics.toTopics(),
                groupId,
                runId,
                bounded,
                from.equals("earliest"),
                parallelism,
                checkpointIntervalMs,
                training);
    }
}
