package io.streamgrad.job;

/** Names of the job's accumulators: the accounting every run reports in its summary. */
public final class Accumulators {
    public static final String EVENTS_CONSUMED = "events-consumed";
    public static final String DEAD_LETTERED = "dead-lettered";
    public static final String EVENTS_TRAINED = "events-trained";
    public static final String ITERATIONS = "iterations";
    public static final String SNAPSHOTS = "snapshots";

    private Accumulators() {}
}
