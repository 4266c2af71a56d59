package io.streamgrad.job;

import java.util.EnumSet;
import java.util.Set;

/** The job's accumulators: the accounting every run reports in its summary. */
public final class Accumulators {
    private Accumulators() {}

    /**
     * Wall-clock epoch milliseconds when the decode operator received its first record: a Flink
     * {@code LongMinimum} over subtasks (Long.MAX_VALUE when no record came). Where a run's rate
     * span begins (run.RateSpan).
     */
    public static final String FIRST_RECORD_MILLIS = "first-record-millis";

    /**
     * 1 when the job's first record came before what {@link #FIRST_RECORD_MILLIS} says, at a time
     * no checkpoint kept (Flink restarted the job before its first checkpoint completed), else 0: a
     * Flink {@code LongMaximum}. The run's start-up is then unknown.
     */
    public static final String FIRST_RECORD_UNKNOWN = "first-record-unknown";

    /**
     * Wall-clock epoch milliseconds when a local run submitted the job: not a Flink accumulator but
     * added to the finished job's accumulators by the runner, so that the summary can tell start-up
     * (submit to first record) from the run.
     */
    public static final String JOB_SUBMITTED_MILLIS = "job-submitted-millis";

    /** One accumulator each; {@link #accumulatorName} is how Flink reports it. */
    public enum Counter {
        EVENTS_CONSUMED("events-consumed"),
        /**
         * Every record not trained on: undecodable, invalid, or late under the dead-letter policy.
         */
        DEAD_LETTERED("dead-lettered"),
        /** Events accepted into training (each is trained once per epoch). */
        EVENTS_TRAINED("events-trained"),
        /** Examples trained, summed over all updates: events × epochs when nothing is left over. */
        EXAMPLES_TRAINED("examples-trained"),
        ITERATIONS("iterations"),
        EPOCHS("epochs"),
        SNAPSHOTS("snapshots"),
        LATE_DEAD_LETTERED("late-dead-lettered"),
        LATE_NEXT_WINDOW("late-next-window"),
        IDLE_FLUSHES("idle-flushes"),
        /** Batches whose update the divergence guard skipped (their examples are untrained). */
        SKIPPED_UPDATES("skipped-updates"),
        /** Times the divergence guard went back to the last good parameters. */
        DIVERGENCE_RESTORES("divergence-restores"),
        /**
         * Wall time inside the model's training steps (forward, backward, update), nanoseconds
         * summed over iterations: the measured τ_f + τ_d·b at work.
         */
        STEP_NANOS("step-nanos");

        /** The counters the trainer operator keeps. */
        public static final Set<Counter> TRAINER = EnumSet.range(DEAD_LETTERED, STEP_NANOS);

        private final String accumulatorName;

        Counter(String accumulatorName) {
            this.accumulatorName = accumulatorName;
        }

        public String accumulatorName() {
            return accumulatorName;
        }

        /**
         * The name of the same count as a live Flink metric of the operator that keeps it, e.g.
         * {@code streamgrad_events_trained}: reporters such as Prometheus take it as it is.
         */
        public String metricName() {
            return "streamgrad_" + accumulatorName.replace('-', '_');
        }

        /** This counter's value among a finished job's accumulators (0 when absent). */
        public long in(java.util.Map<String, Object> accumulators) {
            Object v = accumulators.get(accumulatorName);
            return v instanceof Number n ? n.longValue() : 0;
        }
    }
}
