package io.streamgrad.run;

import io.streamgrad.config.InvalidSettingException;
import io.streamgrad.job.JobConfig;
import io.streamgrad.kafka.TopicAdmin;
import io.streamgrad.run.flags.TrainJobOptions;
import io.streamgrad.schema.DeadLetter;
import java.nio.file.Path;
import java.util.Optional;

/** What {@code train} does end to end: check everything it can, run the job, summarise the run. */
public final class TrainRun {
    private TrainRun() {}

    /**
     * Checks memory, Kafka, the input topic, the size of a full batch, the feature count and the
     * window against the topic's rate, before any job starts.
     *
     * @throws InvalidSettingException naming the setting to change
     * @throws io.streamgrad.kafka.KafkaUnreachableException when Kafka does not answer in time
     */
    public static void preflight(JobConfig c, long kafkaTimeoutMs) {
        Preflight.requireStepFits(c.training());
        Preflight.requireSnapshotFits(c.training());
        try (TopicAdmin admin = new TopicAdmin(c.kafka(), kafkaTimeoutMs)) {
            admin.requireReachable();
            if (!admin.topicExists(c.topics().events())) {
                throw new InvalidSettingException(
                        "topic "
                                + c.topics().events()
                                + " does not exist on "
                                + c.bootstrapServers()
                                + ": produce to it first (./streamgrad produce synthetic ...)"
                                + " or pass {events-topic}");
            }
            if (c.training().batching().fullBatch()) {
                Preflight.requireFullBatchFits(
                        c.training().batching(), admin.recordCount(c.topics().events()));
            }
        }
        TopicSample sample = TopicSample.read(c.kafka(), c.topics().events());
        Integer seen = sample.featureCount();
        int expected = c.training().spec().inputSize();
        if (seen != null && seen != expected) {
            throw new InvalidSettingException(
                    "events on "
                            + c.topics().events()
                            + " have "
                            + seen
                            + " features but {features} is "
                            + expected
                            + ": pass {features} "
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

    /**
     * Resolves {@code --batch-size auto} (see {@link AutoBatchSize}) for a bounded run over the
     * events topic as it is now: its record count decides between the full batch and a pilot on its
     * first events. Returns null when the batch size is not auto.
     *
     * @throws InvalidSettingException for a live run, or a topic that does not exist
     */
    public static AutoBatchSize.Choice resolveAutoBatchSize(TrainJobOptions o) {
        if (!o.batching.auto()) {
            return null;
        }
        if (!o.bounded) {
            throw new InvalidSettingException(
                    "{batch-size} auto needs {bounded}: a live stream has no size to choose by;"
                            + " give a power of two (./streamgrad advise recommends one)");
        }
        long events;
        try (TopicAdmin admin = o.kafka.admin()) {
            admin.requireReachable();
            if (!admin.topicExists(o.topics.events)) {
                throw new InvalidSettingException(
                        "topic "
                                + o.topics.events
                                + " does not exist on "
                                + o.kafka.bootstrapServers
                                + ": produce to it first or pass {events-topic}");
            }
            events = admin.recordCount(o.topics.events);
        }
        return AutoBatchSize.resolve(
                o.model,
                o.batching,
                events,
                () -> TopicEvents.first(o.kafka.client(), o.topics.events, AutoBatchSize.SAMPLE));
    }

    /**
     * A run ready to start: its configuration (with the run id it continues, if it resumes), its
     * state directory and the checkpoint it resumes from.
     *
     * @param announcement what the run is about to do, for the first line of output
     */
    public record Prepared(
            JobConfig config,
            StateDirectory state,
            JobRunner.LocalState local,
            String announcement) {}

    /**
     * Opens the run's state directory: resumes from its newest checkpoint, or starts afresh ({@code
     * startOver} deletes what is there and ignores the group's committed offsets).
     *
     * @throws InvalidSettingException when the directory holds another configuration's model, when
     *     a bounded run of this group already finished, or when a bounded run would read nothing
     *     because the group's offsets are at the end of the topic and there is nothing to resume
     */
    public static Prepared prepare(
            JobConfig c, Path stateDir, boolean startOver, long kafkaTimeoutMs) {
        StateDirectory state = StateDirectory.at(stateDir);
        if (startOver) {
            state.clear();
            c = c.startingOver();
        }
        StateDirectory.Found found = state.open(c);
        if (found.completed()) {
            throw new InvalidSettingException(
                    "run "
                            + found.runId()
                            + " of group "
                            + c.groupId()
                            + " already trained "
                            + c.topics().events()
                            + " to its end (state in "
                            + state.path()
                            + "): {start-over} trains a fresh model on it again, or use another"
                            + " {group-id}");
        }
        if (found.checkpoint().isPresent()) {
            requireReadable(found.checkpoint().get(), state);
            JobConfig resumed = c.withRunId(found.runId());
            return new Prepared(
                    resumed,
                    state,
                    new JobRunner.LocalState(state.checkpoints(), found.checkpoint(), false),
                    "resuming run "
                            + found.runId()
                            + " from checkpoint "
                            + found.checkpoint().get().getFileName()
                            + " in "
                            + state.path()
                            + " (model, optimizer state, open windows and offsets)");
        }
        if (c.bounded() && !c.ignoreCommittedOffsets()) {
            try (TopicAdmin admin = new TopicAdmin(c.kafka(), kafkaTimeoutMs)) {
                if (admin.groupAtEnd(c.groupId(), c.topics().events())) {
                    throw new InvalidSettingException(
                            "group "
                                    + c.groupId()
                                    + " has already read "
                                    + c.topics().events()
                                    + " to its end and "
                                    + state.path()
                                    + " holds no checkpoint to resume: a bounded run would train"
                                    + " nothing. {start-over} replays the topic from the"
                                    + " beginning on a fresh model, or use another {group-id}");
                }
            }
        }
        return new Prepared(
                c,
                state,
                new JobRunner.LocalState(state.checkpoints(), Optional.empty(), false),
                "starting run " + c.runId() + " afresh; state kept in " + state.path());
    }

    /**
     * Refuses, before anything starts, a checkpoint Flink could not restore (corrupt metadata,
     * state files missing), with the fix: start over, or move it aside so the next older readable
     * checkpoint is resumed.
     */
    private static void requireReadable(Path checkpoint, StateDirectory state) {
        String problem = CheckpointCheck.problem(checkpoint);
        if (problem == null) {
            return;
        }
        String older =
                state.completeCheckpoints().stream()
                        .filter(p -> !p.equals(checkpoint))
                        .filter(p -> CheckpointCheck.problem(p) == null)
                        .findFirst()
                        .map(
                                p ->
                                        "; or move it aside (mv "
                                                + checkpoint
                                                + " "
                                                + checkpoint
                                                + ".corrupt) to resume from the older "
                                                + p.getFileName()
                                                + ", which is readable")
                        .orElse("");
        throw new InvalidSettingException(
                "the state directory "
                        + state.path()
                        + " is damaged: its newest checkpoint "
                        + checkpoint
                        + " cannot be restored: "
                        + problem
                        + ". {start-over} deletes the directory and trains a fresh model"
                        + older);
    }

    /**
     * Runs a prepared job in a local MiniCluster until bounded input ends (or the calling thread is
     * interrupted, which cancels it: {@link JobRunner.JobCancelledException}); a finished bounded
     * run is marked complete in its state directory.
     *
     * @throws InvalidSettingException when a bounded run emitted no snapshot: the message gives the
     *     top dead-letter reasons and the fix ({@link DeadLetterReport})
     */
    public static RunSummary run(Prepared p, int webUiPort, JobRunner.Observer observer)
            throws Exception {
        JobConfig c = p.config();
        p.state().begin(c);
        long startMs = System.currentTimeMillis();
        JobRunner.Outcome outcome = JobRunner.runLocally(c, p.local(), webUiPort, observer);
        if (c.bounded()) {
            p.state().complete(c);
        }
        if (c.bounded() && outcome.snapshots().isEmpty()) {
            // The dead-letter topic may be shared: the letters written since this run started.
            throw new InvalidSettingException(
                    DeadLetterReport.explain(
                            TopicReader.readAll(
                                    c.kafka(),
                                    c.topics().deadLetter(),
                                    DeadLetter.class,
                                    d -> d.getFailedAt() >= startMs)));
        }
        return RunSummary.of(
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
    }
}
