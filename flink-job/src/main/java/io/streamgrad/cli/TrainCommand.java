package io.streamgrad.cli;

import io.streamgrad.job.JobConfig;
import io.streamgrad.job.TrainingJob;
import io.streamgrad.kafka.TopicAdmin;
import io.streamgrad.train.TrainingConfig;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        description = {
            "Train on a Kafka topic of LabeledEvents, in a Flink MiniCluster in this process.",
            "The same job runs on a Flink cluster: flink run flink-job/target/"
                    + "streamgrad-flink-job-*-job.jar --bootstrap-servers ... (same flags)."
        })
public final class TrainCommand implements Callable<Integer> {
    @Mixin ModelOptions model = new ModelOptions();
    @Mixin BatchingOptions batching = new BatchingOptions();
    @Mixin TopicOptions topics = new TopicOptions();
    @Mixin KafkaOptions kafka = new KafkaOptions();
    @Mixin JobFileOption jobFile = new JobFileOption();

    @Option(
            names = "--group-id",
            defaultValue = "streamgrad-train",
            description = "Kafka consumer group (default: ${DEFAULT-VALUE})")
    String groupId;

    @Option(
            names = "--bounded",
            description =
                    "Stop at the end offsets the topic has when the job starts (replay, backfill)."
                            + " Without it the job trains on the live stream until cancelled.")
    boolean bounded;

    @Option(
            names = "--from",
            defaultValue = "earliest",
            description =
                    "Where to start when the group has no committed offsets: earliest | latest"
                            + " (default: ${DEFAULT-VALUE})")
    String from;

    @Option(
            names = "--parallelism",
            defaultValue = "1",
            description = "Flink parallelism (default: ${DEFAULT-VALUE})")
    int parallelism;

    @Option(
            names = "--checkpoint-interval-ms",
            defaultValue = "10000",
            description = "Checkpoint interval (default: ${DEFAULT-VALUE})")
    long checkpointIntervalMs;

    @Option(
            names = "--web-ui-port",
            defaultValue = "0",
            description =
                    "Port of the local Flink web UI; 0 picks a free one (default:"
                            + " ${DEFAULT-VALUE})")
    int webUiPort;

    @Option(
            names = "--summary-json",
            description = "Write the run summary to this file (bounded runs)")
    Path summaryJson;

    @Override
    public Integer call() throws Exception {
        JobConfig c = toJobConfig(UUID.randomUUID().toString());
        if (summaryJson != null && !bounded) {
            throw new UsageException(
                    "--summary-json needs --bounded: a live job has no end to summarise");
        }
        preflight(c);
        System.out.printf(
                "streamgrad train: %s on %s (batch %s, window %s, %s), run %s%n",
                c.training().model().shorthand(),
                c.topics().events(),
                c.training().batching().describeBatchSize(),
                c.training().batching().window().describe(),
                c.bounded() ? "bounded" : "live",
                c.runId());
        JobRunner.Outcome outcome;
        try {
            outcome = JobRunner.runLocally(c, webUiPort, System.out);
        } catch (JobRunner.JobCancelledException e) {
            System.out.printf(
                    "streamgrad train: %s; its metrics and snapshots are on %s and %s%n",
                    e.getMessage(), c.topics().metrics(), c.topics().snapshots());
            return 0;
        }
        RunSummary summary =
                RunSummary.of(
                        c.runId(),
                        c.training(),
                        outcome.accumulators(),
                        outcome.metrics(),
                        outcome.snapshots(),
                        null,
                        null,
                        0,
                        outcome.wallSeconds(),
                        outcome.wallSeconds());
        summary.print(System.out);
        if (summaryJson != null) {
            summary.writeJson(summaryJson);
        }
        return 0;
    }

    JobConfig toJobConfig(String runId) {
        TrainingConfig training = model.toTrainingConfig(batching.toBatching());
        if (!from.equals("earliest") && !from.equals("latest")) {
            throw new UsageException("--from must be earliest or latest, got '" + from + "'");
        }
        if (parallelism < 1) {
            throw new UsageException("--parallelism must be at least 1, got " + parallelism);
        }
        if (checkpointIntervalMs < 100) {
            throw new UsageException("--checkpoint-interval-ms must be at least 100");
        }
        try {
            return new JobConfig(
                    kafka.bootstrapServers,
                    topics.toTopics(),
                    groupId,
                    runId,
                    bounded,
                    from.equals("earliest"),
                    parallelism,
                    checkpointIntervalMs,
                    training);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    /**
     * Checks memory, Kafka, the input topic, the size of a full batch and the feature count before
     * any job starts.
     */
    private void preflight(JobConfig c) {
        Preflight.requireStepFits(c.training());
        Preflight.requireSnapshotFits(c.training());
        try (TopicAdmin admin = kafka.admin()) {
            admin.requireReachable();
            if (!admin.topicExists(c.topics().events())) {
                throw new UsageException(
                        "topic "
                                + c.topics().events()
                                + " does not exist on "
                                + c.bootstrapServers()
                                + ": produce to it first (./streamgrad produce synthetic ...)"
                                + " or pass --events-topic");
            }
            if (c.training().batching().fullBatch()) {
                Preflight.requireFullBatchFits(
                        c.training().batching(), admin.recordCount(c.topics().events()));
            }
        }
        TopicSample sample = TopicSample.read(c.bootstrapServers(), c.topics().events());
        Integer seen = sample.featureCount();
        int expected = c.training().model().inputSize();
        if (seen != null && seen != expected) {
            throw new UsageException(
                    "events on "
                            + c.topics().events()
                            + " have "
                            + seen
                            + " features but --features is "
                            + expected
                            + ": pass --features "
                            + seen);
        }
        // A rate measured on fewer than two batches of events says little about the stream.
        if (sample.sampled() >= 2L * c.training().batching().batchSize()) {
            Preflight.requireWindowHoldsABatch(
                    c.training().batching(),
                    sample.eventsPerSecond(),
                    String.format(
                            "at the rate of %s's first %,d events (%,.1f per second of event"
                                    + " time)",
                            c.topics().events(), sample.sampled(), sample.eventsPerSecond()));
        }
    }

    /** Entry point of the job jar under {@code flink run}: the cluster's environment. */
    public static int runInClusterContext(String[] args) {
        TrainCommand command = new TrainCommand();
        CommandLine cli = new CommandLine(command);
        try {
            JobFile jobFile = JobFile.forCommand(args, cli);
            if (jobFile != null) {
                cli.setDefaultValueProvider(jobFile);
            }
            cli.parseArgs(args);
            if (cli.isUsageHelpRequested()) {
                cli.usage(System.out);
                return 0;
            }
            JobConfig c = command.toJobConfig(UUID.randomUUID().toString());
            StreamExecutionEnvironment env =
                    StreamExecutionEnvironment.getExecutionEnvironment(
                            Configuration.fromMap(JobRunner.jobSettings(c)));
            env.setParallelism(c.parallelism());
            TrainingJob.build(env, c);
            env.execute("streamgrad train " + c.runId());
            return 0;
        } catch (CommandLine.ParameterException | UsageException e) {
            System.err.println("streamgrad: " + e.getMessage());
            return 2;
        } catch (Exception e) {
            System.err.println("streamgrad: the job failed: " + e);
            return 1;
        }
    }
}
