package io.streamgrad.cli;

import io.streamgrad.config.InvalidSettingException;
import io.streamgrad.config.RunIds;
import io.streamgrad.job.JobConfig;
import io.streamgrad.model.BackendInfo;
import io.streamgrad.run.AutoBatchSize;
import io.streamgrad.run.JobRunner;
import io.streamgrad.run.RunLock;
import io.streamgrad.run.RunSummary;
import io.streamgrad.run.StateDirectory;
import io.streamgrad.run.TopicReader;
import io.streamgrad.run.TrainRun;
import io.streamgrad.run.flags.StartOptions;
import io.streamgrad.run.flags.TrainJobOptions;
import java.nio.file.Path;
import java.util.concurrent.Callable;
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
    @Mixin TrainJobOptions job = new TrainJobOptions();
    @Mixin StartOptions startFlags = new StartOptions();

    @Option(
            names = "--web-ui-port",
            defaultValue = "0",
            description =
                    "Port of the local Flink web UI; 0 picks a free one (default:"
                            + " ${DEFAULT-VALUE})")
    int webUiPort;

    @Option(
            names = "--state-dir",
            paramLabel = "DIR",
            description =
                    "Where this run keeps its checkpoints, kept when the process stops or dies; a"
                            + " run started again with the same state directory resumes from its"
                            + " newest checkpoint (default: ~/.streamgrad/state/<group-id>)")
    Path stateDir;

    @Option(
            names = "--start-over",
            description =
                    "Delete the state directory and train a fresh model, from --from (earliest by"
                            + " default) whatever offsets the group has committed")
    boolean startOver;

    @Option(
            names = "--summary-json",
            description = "Write the run summary to this file (bounded runs)")
    Path summaryJson;

    @Override
    public Integer call() throws Exception {
        AutoBatchSize.Choice auto = TrainRun.resolveAutoBatchSize(job);
        if (auto != null) {
            System.out.println("streamgrad train: " + auto.reason());
        }
        JobConfig c = job.toJobConfig(RunIds.next());
        if (summaryJson != null && !c.bounded()) {
            throw new InvalidSettingException(
                    "{summary-json} needs {bounded}: a live job has no end to summarise");
        }
        // First: a second run of this model on this machine is refused before it checks, clears
        // (--start-over) or restores anything of the first's.
        Path dir = stateDir != null ? stateDir : StateDirectory.defaultFor(c.groupId());
        try (RunLock lock = RunLock.acquire(dir, c.groupId(), c.runId())) {
            return train(c, dir);
        }
    }

    private int train(JobConfig c, Path dir) throws Exception {
        String clusterId = TrainRun.preflight(c);
        TrainRun.driftOrderWarning(c).ifPresent(TopicReader::sayOnStandardError);
        TrainRun.StartPoint start =
                TrainRun.resolveStart(
                        c, startFlags.warmStart, startFlags.modelKey, startFlags.fromOffset);
        c = start.config();
        TrainRun.checkSampledEvents(c);
        TrainRun.Prepared prepared = TrainRun.prepare(c, dir, startOver, clusterId);
        c = prepared.config();
        System.out.println("streamgrad train: " + prepared.announcement());
        if (start.announcement() != null) {
            System.out.println("streamgrad train: " + start.announcement());
        }
        System.out.printf(
                "streamgrad train: %s on %s (batch %s, window %s, %s), run %s%n",
                c.training().spec().shorthand(),
                c.topics().events(),
                c.training().batching().describeBatchSize(),
                c.training().batching().window().describe(),
                c.bounded() ? "bounded, " + c.training().batching().describeShuffle() : "live",
                c.runId());
        // The preflight has loaded ND4J already; where it computes is worth a line before it does.
        System.out.println("streamgrad train: " + BackendInfo.current().describe());
        RunSummary summary;
        try {
            summary = TrainRun.run(prepared, webUiPort, new ProgressReporter(System.out));
        } catch (JobRunner.JobCancelledException e) {
            if (!e.announced()) {
                System.out.printf(
                        "streamgrad train: %s; its metrics and snapshots are on %s and %s%n",
                        e.getMessage(), c.topics().metrics(), c.topics().snapshots());
            }
            return 0;
        }
        RunSummaryOutput.print(summary, System.out);
        if (summaryJson != null) {
            RunSummaryOutput.writeJson(summary, summaryJson);
            System.out.println("  summary written to " + summaryJson);
        }
        return 0;
    }
}
