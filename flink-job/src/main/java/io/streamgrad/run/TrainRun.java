package io.streamgrad.run;

import io.streamgrad.config.InvalidSettingException;
import io.streamgrad.job.JobConfig;
import io.streamgrad.kafka.TopicAdmin;
import io.streamgrad.run.flags.TrainJobOptions;

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
        try (TopicAdmin admin = new TopicAdmin(c.bootstrapServers(), kafkaTimeoutMs)) {
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
        TopicSample sample = TopicSample.read(c.bootstrapServers(), c.topics().events());
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
                () ->
                        TopicEvents.first(
                                o.kafka.bootstrapServers, o.topics.events, AutoBatchSize.SAMPLE));
    }

    /**
     * Runs the job in a local MiniCluster until bounded input ends (or the calling thread is
     * interrupted, which cancels it: {@link JobRunner.JobCancelledException}).
     */
    public static RunSummary run(JobConfig c, int webUiPort, JobRunner.Observer observer)
            throws Exception {
        JobRunner.Outcome outcome = JobRunner.runLocally(c, webUiPort, observer);
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
