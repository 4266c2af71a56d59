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

    /** The consumer group of a {@code train} that names none. */
    public static final String DEFAULT_GROUP_ID = "streamgrad-train";

    @Option(
            names = "--group-id",
            description =
                    "Kafka consumer group (default: "
                            + DEFAULT_GROUP_ID
                            + "; a backtest's: streamgrad-backtest-<run id>, unless given on its"
                            + " command line)")
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
                            + " (default: ${DEFAULT-VALUE}); not on backtest, whose range starts"
                            + " where its range flags say")
    public String from;

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
        if (!bounded) {
            batching.requireNoShuffleFlagsLive();
            batching.requireNoPassFlagsLive();
        }
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
                groupId != null ? groupId : DEFAULT_GROUP_ID,
                runId,
                bounded,
                from.equals("earliest"),
                parallelism,
                checkpointIntervalMs,
                training);
    }
}
