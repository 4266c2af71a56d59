package io.streamgrad.job;

/** Names of the job's accumulators: the accounting every run reports in its summary. */
public final class Accumulators {
    public static final String EVENTS_CONSUMED = "events-consumed";

    /** Every record not trained on: undecodable, invalid, or late under the dead-letter policy. */
    public static final String DEAD_LETTERED = "dead-lettered";

    /** Events accepted into training (each is trained once per epoch). */
    public static final String EVENTS_TRAINED = "events-trained";

    /** Examples trained, summed over all updates: events × epochs when nothing is left over. */
    public static final String EXAMPLES_TRAINED = "examples-trained";

    public static final String ITERATIONS = "iterations";
    public static final String EPOCHS = "epochs";
    public static final String SNAPSHOTS = "snapshots";
    public static final String LATE_DEAD_LETTERED = "late-dead-lettered";
    public static final String LATE_NEXT_WINDOW = "late-next-window";
    public static final String IDLE_FLUSHES = "idle-flushes";

    /** Batches whose update the divergence guard skipped (their examples count as untrained). */
    public static final String SKIPPED_UPDATES = "skipped-updates";

    /** Times the divergence guard went back to the last good parameters. */
    public static final String DIVERGENCE_RESTORES = "divergence-restores";

    private Accumulators() {}
}
