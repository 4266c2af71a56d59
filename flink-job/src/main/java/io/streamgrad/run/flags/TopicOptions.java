package io.streamgrad.run.flags;

import io.streamgrad.job.JobConfig;
import io.streamgrad.kafka.Topic;
import picocli.CommandLine.Option;

/** Topic names, defaulting to streamgrad's contract. */
public final class TopicOptions {
    @Option(
            names = "--events-topic",
            defaultValue = Topic.Names.EVENTS,
            description = "Input topic of LabeledEvents (default: ${DEFAULT-VALUE})")
    public String events;

    @Option(
            names = "--metrics-topic",
            defaultValue = Topic.Names.METRICS,
            description = "Output topic of TrainingMetrics (default: ${DEFAULT-VALUE})")
    public String metrics;

    @Option(
            names = "--snapshots-topic",
            defaultValue = Topic.Names.SNAPSHOTS,
            description = "Output topic of ModelSnapshots, compacted (default: ${DEFAULT-VALUE})")
    public String snapshots;

    @Option(
            names = "--dead-letter-topic",
            defaultValue = Topic.Names.DEAD_LETTER,
            description = "Output topic of DeadLetters (default: ${DEFAULT-VALUE})")
    public String deadLetter;

    public JobConfig.Topics toTopics() {
        return new JobConfig.Topics(events, metrics, snapshots, deadLetter);
    }
}
