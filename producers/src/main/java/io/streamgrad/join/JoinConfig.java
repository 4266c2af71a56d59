package io.streamgrad.join;

import io.streamgrad.schema.Task;
import java.time.Duration;
import java.util.Objects;

/**
 * What the label joiner reads, writes and decides.
 *
 * @param applicationId Kafka Streams application id: names the consumer group, the transactional
 *     ids, the state directory and the internal (changelog, repartition) topics
 * @param window attribution window: a label counts for its event when {@code label_time <=
 *     event_time + window}; the event's window closes when stream time passes {@code event_time +
 *     window}
 * @param task which label type is accepted: an int class index for binary ({0, 1}) and multiclass
 *     ([0, classes), or any non-negative int when {@code classes} is 0), a double for regression
 * @param classes upper bound of multiclass labels, 0 for unchecked
 * @param partitions partitions of the two repartition topics that co-partition features and labels
 *     by event id (the join's parallelism)
 * @param closedRetention how long after its window closes an event is remembered, so that a label
 *     arriving then is told apart (late, or a duplicate) from a label for an unknown event; null
 *     for {@link #DEFAULT_CLOSED_RETENTION_WINDOWS} windows
 * @param changelogRetention retention of the state stores' changelog topics, or null for compaction
 *     only (the default: nothing is deleted by age)
 * @param maxSkew how far the time of one input may run ahead of the other's before windows close on
 *     the faster input alone; null for unlimited (windows then close only when both inputs have
 *     passed them, or at the end of a bounded run). Zero closes on Kafka Streams' stream time (the
 *     later input). See {@link LabelJoinProcessor} for the join time this defines.
 * @param inputPartitions partitions of the features topic plus those of the labels topic: join time
 *     waits for every one of them (within {@code maxSkew}); 0 for only those seen so far
 */
public record JoinConfig(
        String applicationId,
        String featuresTopic,
        String labelsTopic,
        String eventsTopic,
        String deadLetterTopic,
        Duration window,
        MissingLabel missingLabel,
        Task task,
        int classes,
        int partitions,
        Duration closedRetention,
        Duration changelogRetention,
        Duration maxSkew,
        int inputPartitions) {

    public static final String DEFAULT_APPLICATION_ID = "streamgrad-join";

    /**
     * Closed events are remembered for this many windows by default: a label later than that is
     * reported as an unknown event, not a late one. A closed event costs a few bytes of state.
     */
    public static final int DEFAULT_CLOSED_RETENTION_WINDOWS = 10;

    /**
     * @throws IllegalArgumentException naming the flag, when a value is out of range, when {@code
     *     --missing-label negative} is asked of a regression task, or when the window (plus the
     *     time closed events are remembered) is longer than the changelog retention: the broker
     *     could then delete an open window's state before it closes, and a restore would lose it
     */
    public JoinConfig {
        Objects.requireNonNull(applicationId, "applicationId");
        Objects.requireNonNull(featuresTopic, "featuresTopic");
        Objects.requireNonNull(labelsTopic, "labelsTopic");
        Objects.requireNonNull(eventsTopic, "eventsTopic");
        Objects.requireNonNull(deadLetterTopic, "deadLetterTopic");
        Objects.requireNonNull(missingLabel, "missingLabel");
        Objects.requireNonNull(task, "task");
        if (window == null || window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("--window must be positive, got " + window);
        }
        if (closedRetention == null) {
            closedRetention = window.multipliedBy(DEFAULT_CLOSED_RETENTION_WINDOWS);
        }
        if (closedRetention.isNegative()) {
            throw new IllegalArgumentException(
                    "--closed-retention must be >= 0, got " + closedRetention);
        }
        if (maxSkew != null && maxSkew.isNegative()) {
            throw new IllegalArgumentException("--max-skew must be >= 0, got " + maxSkew);
        }
        if (inputPartitions < 0) {
            throw new IllegalArgumentException(
                    "inputPartitions must be >= 0, got " + inputPartitions);
        }
        if (partitions < 1) {
            throw new IllegalArgumentException(
                    "--partitions must be at least 1, got " + partitions);
        }
        if (classes < 0) {
            throw new IllegalArgumentException("--classes must be >= 0, got " + classes);
        }
        if (missingLabel == MissingLabel.NEGATIVE && !task.isClassification()) {
            throw new IllegalArgumentException(
                    "--missing-label negative emits class 0, which a regression task cannot use:"
                            + " use --missing-label drop");
        }
        if (changelogRetention != null
                && window.plus(closedRetention).compareTo(changelogRetention) > 0) {
            throw new IllegalArgumentException(
                    "--window "
                            + window
                            + " plus --closed-retention "
                            + closedRetention
                            + " is longer than the changelog retention "
                            + changelogRetention
                            + ": the broker could delete an open window's state before it closes."
                            + " Shorten the window or raise --changelog-retention");
        }
    }

    /**
     * A config with the defaults: binary labels, one partition, compacted changelogs, windows
     * closing on stream time (max skew 0).
     */
    public static JoinConfig of(
            String featuresTopic,
            String labelsTopic,
            String eventsTopic,
            String deadLetterTopic,
            Duration window,
            MissingLabel missingLabel) {
        return new JoinConfig(
                DEFAULT_APPLICATION_ID,
                featuresTopic,
                labelsTopic,
                eventsTopic,
                deadLetterTopic,
                window,
                missingLabel,
                Task.BINARY,
                0,
                1,
                null,
                null,
                Duration.ZERO,
                0);
    }

    public JoinConfig withApplicationId(String id) {
        return new JoinConfig(
                id,
                featuresTopic,
                labelsTopic,
                eventsTopic,
                deadLetterTopic,
                window,
                missingLabel,
                task,
                classes,
                partitions,
                closedRetention,
                changelogRetention,
                maxSkew,
                inputPartitions);
    }

    public JoinConfig withPartitions(int p) {
        return new JoinConfig(
                applicationId,
                featuresTopic,
                labelsTopic,
                eventsTopic,
                deadLetterTopic,
                window,
                missingLabel,
                task,
                classes,
                p,
                closedRetention,
                changelogRetention,
                maxSkew,
                inputPartitions);
    }

    public JoinConfig withLabels(Task t, int k) {
        return new JoinConfig(
                applicationId,
                featuresTopic,
                labelsTopic,
                eventsTopic,
                deadLetterTopic,
                window,
                missingLabel,
                t,
                k,
                partitions,
                closedRetention,
                changelogRetention,
                maxSkew,
                inputPartitions);
    }

    public JoinConfig withChangelogRetention(Duration retention) {
        return new JoinConfig(
                applicationId,
                featuresTopic,
                labelsTopic,
                eventsTopic,
                deadLetterTopic,
                window,
                missingLabel,
                task,
                classes,
                partitions,
                closedRetention,
                retention,
                maxSkew,
                inputPartitions);
    }

    public JoinConfig withMaxSkew(Duration skew) {
        return new JoinConfig(
                applicationId,
                featuresTopic,
                labelsTopic,
                eventsTopic,
                deadLetterTopic,
                window,
                missingLabel,
                task,
                classes,
                partitions,
                closedRetention,
                changelogRetention,
                skew,
                inputPartitions);
    }

    public JoinConfig withClosedRetention(Duration retention) {
        return new JoinConfig(
                applicationId,
                featuresTopic,
                labelsTopic,
                eventsTopic,
                deadLetterTopic,
                window,
                missingLabel,
                task,
                classes,
                partitions,
                retention,
                changelogRetention,
                maxSkew,
                inputPartitions);
    }

    public JoinConfig withInputPartitions(int n) {
        return new JoinConfig(
                applicationId,
                featuresTopic,
                labelsTopic,
                eventsTopic,
                deadLetterTopic,
                window,
                missingLabel,
                task,
                classes,
                partitions,
                closedRetention,
                changelogRetention,
                maxSkew,
                n);
    }
}
