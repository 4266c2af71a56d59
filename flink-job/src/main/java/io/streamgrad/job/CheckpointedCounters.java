package io.streamgrad.job;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.FunctionInitializationContext;

/**
 * One operator subtask's share of the run's {@link Accumulators}, kept in operator state so that
 * the counts survive failover and restarts from a checkpoint: a restored subtask starts its
 * accumulators and live metrics from the checkpointed totals instead of zero, so the totals a job
 * reports at its end (and the {@code streamgrad_*} metrics while it runs) count every record once,
 * however often it restarted.
 *
 * <p>Each subtask checkpoints one map (counter name → total). After a rescale Flink redistributes
 * the maps among the new subtasks; each adds up what it gets, so the sum over subtasks is kept.
 */
final class CheckpointedCounters {
    // Indexed by Counter.ordinal(): add() runs for every record, and arrays need no boxed Long
    // per call and no map lookups.
    private final boolean[] kept;
    private final long[] totals;
    private final LongCounter[] accumulators;
    private final Counter[] metrics;
    private final ListState<Map<String, Long>> state;

    /**
     * Registers the accumulators and metrics and restores the totals of a restored subtask.
     *
     * @param stateName the operator state's name (unique within the operator)
     */
    CheckpointedCounters(
            Set<Accumulators.Counter> kept,
            String stateName,
            RuntimeContext rc,
            FunctionInitializationContext context)
            throws Exception {
        int n = Accumulators.Counter.values().length;
        this.kept = new boolean[n];
        this.totals = new long[n];
        this.accumulators = new LongCounter[n];
        this.metrics = new Counter[n];
        this.state =
                context.getOperatorStateStore()
                        .getListState(
                                new ListStateDescriptor<>(
                                        stateName, Types.MAP(Types.STRING, Types.LONG)));
        for (Accumulators.Counter c : kept) {
            int i = c.ordinal();
            this.kept[i] = true;
            accumulators[i] = rc.getLongCounter(c.accumulatorName());
            // The same count as a Flink metric: visible while the job runs (web UI, REST,
            // reporters such as Prometheus), where accumulators appear only at the end.
            metrics[i] = rc.getMetricGroup().counter(c.metricName());
        }
        if (context.isRestored()) {
            for (Map<String, Long> share : state.get()) {
                for (Accumulators.Counter c : kept) {
                    Long restored = share.get(c.accumulatorName());
                    if (restored != null) {
                        add(c, restored);
                    }
                }
            }
        }
    }

    /**
     * Counts {@code n} more.
     *
     * @throws IllegalArgumentException if this operator does not keep {@code c}
     */
    void add(Accumulators.Counter c, long n) {
        int i = c.ordinal();
        if (!kept[i]) {
            throw new IllegalArgumentException(c + " is not kept by this operator");
        }
        totals[i] += n;
        accumulators[i].add(n);
        metrics[i].inc(n);
    }

    /** This subtask's total of {@code c} since the run began (restores included). */
    long total(Accumulators.Counter c) {
        return totals[c.ordinal()];
    }

    /** Writes this subtask's totals into the checkpoint. */
    void snapshot() throws Exception {
        Map<String, Long> share = new HashMap<>();
        for (Accumulators.Counter c : Accumulators.Counter.values()) {
            if (kept[c.ordinal()]) {
                share.put(c.accumulatorName(), totals[c.ordinal()]);
            }
        }
        state.update(java.util.List.of(share));
    }
}
