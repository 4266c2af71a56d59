package io.streamgrad.job;

import java.util.EnumSet;
import java.util.Set;

/** The job's accumulators: the accounting every run reports in its summary. */
public final class Accumulators {
    private Accumulators() {}

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
