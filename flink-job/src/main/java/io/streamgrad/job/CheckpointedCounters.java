package io.streamgrad.job;

import java.util.EnumMap;
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
    private final Set<Accumulators.Counter> kept;
    private final Map<Accumulators.Counter, Long> totals;
    private final Map<Accumulators.Counter, LongCounter> accumulators;
    private final Map<Accumulators.Counter, Counter> metrics;
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
        // An EnumSet: add() checks membership per record, and a bit test beats hashing an enum.
        this.kept = java.util.EnumSet.noneOf(Accumulators.Counter.class);
        this.kept.addAll(kept);
        this.totals = new EnumMap<>(Accumulators.Counter.class);
        this.accumulators = new EnumMap<>(Accumulators.Counter.class);
        this.metrics = new EnumMap<>(Accumulators.Counter.class);
        this.state =
                context.getOperatorStateStore()
                        .getListState(
                                new ListStateDescriptor<>(
                                        stateName, Types.MAP(Types.STRING, Types.LONG)));
        for (Accumulators.Counter c : kept) {
            totals.put(c, 0L);
            accumulators.put(c, rc.getLongCounter(c.accumulatorName()));
            // The same count as a Flink metric: visible while the job runs (web UI, REST,
            // reporters such as Prometheus), where accumulators appear only at the end.
            metrics.put(c, rc.getMetricGroup().counter(c.metricName()));
        }
        if (context.isRestored()) {
            for (Map<String, Long> share : state.get()) {
                for (Accumulators.Counter c : kept) {
                    Long n = share.get(c.accumulatorName());
                    if (n != null) {
                        add(c, n);
                    }
                }
            }
        }
    }

    /** Counts {@code n} more. */
    void add(Accumulators.Counter c, long n) {
        if (!kept.contains(c)) {
            throw new IllegalArgumentException(c + " is not kept by this operator");
        }
        totals.merge(c, n, Long::sum);
        accumulators.get(c).add(n);
        metrics.get(c).inc(n);
    }

    /** This subtask's total of {@code c} since the run began (restores included). */
    long total(Accumulators.Counter c) {
        return totals.getOrDefault(c, 0L);
    }

    /** Writes this subtask's totals into the checkpoint. */
    void snapshot() throws Exception {
        Map<String, Long> share = new HashMap<>();
        totals.forEach((c, n) -> share.put(c.accumulatorName(), n));
        state.update(java.util.List.of(share));
    }
}
