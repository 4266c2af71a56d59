package io.streamgrad.cli;

import io.streamgrad.job.JobConfig;
import picocli.CommandLine.Option;

/** Topic names, defaulting to streamgrad's contract. */
public final class TopicOptions {
    @Option(
            names = "--events-topic",
            defaultValue = "streamgrad.events",
            description = "Input topic of LabeledEvents (default: ${DEFAULT-VALUE})")
    String events;

    @Option(
            names = "--metrics-topic",
            defaultValue = "streamgrad.metrics",
            description = "Output topic of TrainingMetrics (default: ${DEFAULT-VALUE})")
    String metrics;

    @Option(
            names = "--snapshots-topic",
            defaultValue = "streamgrad.snapshots",
            description = "Output topic of ModelSnapshots, compacted (default: ${DEFAULT-VALUE})")
    String snapshots;

    @Option(
            names = "--dead-letter-topic",
            defaultValue = "streamgrad.deadletter",
            description = "Output topic of DeadLetters (default: ${DEFAULT-VALUE})")
    String deadLetter;

    public JobConfig.Topics toTopics() {
        return new JobConfig.Topics(events, metrics, snapshots, deadLetter);
    }
}
