package io.streamgrad.run;

import io.streamgrad.config.InvalidSettingException;
import io.streamgrad.config.RunIds;
import io.streamgrad.job.JobConfig;
import io.streamgrad.job.RunStoppedException;
import io.streamgrad.job.TrainingJob;
import io.streamgrad.kafka.TopicAdmin;
import io.streamgrad.run.flags.Flags;
import io.streamgrad.run.flags.JobFile;
import io.streamgrad.run.flags.StartOptions;
import io.streamgrad.run.flags.TrainJobOptions;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The job jar's entry point for {@code flink run}: the flags of {@code ./streamgrad train} (and
 * {@code --config job.yaml}), the cluster's execution environment, nothing of the interactive CLI.
 */
@Command(
        name = "streamgrad-job",
        mixinStandardHelpOptions = true,
        description =
                "The streamgrad training job, for flink run; the flags of ./streamgrad train.")
public final class ClusterJob {
    @Mixin TrainJobOptions options = new TrainJobOptions();
    @Mixin StartOptions startFlags = new StartOptions();

    @Option(
            names = "--restart-attempts",
            defaultValue = "3",
            description =
                    "Restarts after failures before the job fails (fixed delay of 2 s). A lost"
                            + " TaskManager costs one attempt per restart tried before a"
                            + " replacement registers (default: ${DEFAULT-VALUE})")
    int restartAttempts;

    @Option(
            names = "--skip-kafka-checks",
            description =
                    "Submit to a session cluster without first checking the job's Kafka (the"
                            + " events topic, its feature count, the window against its rate) or"
                            + " making its output topics: for a client that cannot reach the"
                            + " cluster's Kafka. Application mode never checks")
    boolean skipKafkaChecks;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Parses, builds and executes; returns the exit code (0 ok, 1 failed, 2 wrong usage). */
    static int run(String[] args) {
        ClusterJob job = new ClusterJob();
        CommandLine cli = new CommandLine(job);
        JobFile jobFile = null;
        try {
            jobFile = JobFile.forCommand(args, cli);
            if (jobFile != null) {
                cli.setDefaultValueProvider(jobFile);
            }
            cli.parseArgs(args);
            if (cli.isUsageHelpRequested()) {
                cli.usage(System.out);
                return 0;
            }
            if (job.restartAttempts < 0) {
                throw new InvalidSettingException(
                        "{restart-attempts} must be at least 0, got " + job.restartAttempts);
            }
            JobConfig c = job.options.toJobConfig(RunIds.next());
            TrainRun.StartPoint start =
                    TrainRun.resolveStart(
                            c,
                            job.startFlags.warmStart,
                            job.startFlags.modelKey,
                            job.startFlags.fromOffset);
            c = start.config();
            if (start.announcement() != null) {
                System.out.println("streamgrad: " + start.announcement());
            }
            Map<String, String> settings = TrainingJob.settings(c);
            settings.put(
                    "restart-strategy.fixed-delay.attempts", Integer.toString(job.restartAttempts));
            StreamExecutionEnvironment env =
                    StreamExecutionEnvironment.getExecutionEnvironment(
                            Configuration.fromMap(settings));
            env.setParallelism(c.parallelism());
            SessionClusterCheck.requireRoom(
                    env.getConfiguration(), c.parallelism(), c.training(), c.bounded());
            if (SessionClusterCheck.isSession(env.getConfiguration()) && !job.skipKafkaChecks) {
                // What train checks before it starts, against the job's Kafka: a missing topic,
                // events of another width, a window too short for the rate. Only where this is a
                // client that can still refuse (flink run to a session cluster): in application
                // mode main runs in the JobManager, again after every failover, where a Kafka
                // not answering yet must not stop the deployment.
                TrainRun.preflightForCluster(c);
                if (c.bounded()) {
                    // A range with nothing in it would "finish" having trained nothing.
                    TrainRun.requireRecords(c, false);
                }
                // The output topics as the registry makes them (the snapshots topic compacted),
                // or a warning for one that deletes by retention.
                try (TopicAdmin admin = new TopicAdmin(c.kafka())) {
                    JobRunner.ensureOutputs(admin, c.topics());
                }
            }
            TrainingJob.build(env, c);
            env.execute("streamgrad train " + c.runId());
            return 0;
        } catch (InvalidSettingException e) {
            System.err.println(
                    "streamgrad: " + JobFile.originPrefix(jobFile, e) + Flags.message(e));
            return 2;
        } catch (io.streamgrad.kafka.InvalidClientConfigException e) {
            System.err.println("streamgrad: " + e.getMessage());
            return 2;
        } catch (io.streamgrad.kafka.KafkaUnreachableException
                | io.streamgrad.kafka.KafkaAuthenticationException e) {
            System.err.println("streamgrad: " + e.getMessage());
            return 1;
        } catch (CommandLine.ParameterException e) {
            System.err.println("streamgrad: " + JobFile.originPrefix(jobFile, e) + e.getMessage());
            return 2;
        } catch (Exception e) {
            // Attached (flink run without -d), the job's end comes back here: a run its data
            // stopped says why in its own words, as train does.
            RunStoppedException stopped = RunStoppedException.find(e);
            System.err.println(
                    "streamgrad: "
                            + (stopped == null
                                    ? "the job failed: " + e
                                    : stopped.getMessage()
                                            + (stopped.getMessage().contains("--start-over")
                                                    ? " (on a cluster, --start-over means: submit"
                                                            + " the job again without its"
                                                            + " checkpoint or savepoint, under"
                                                            + " another --group-id)"
                                                    : "")));
            return 1;
        }
    }
}
