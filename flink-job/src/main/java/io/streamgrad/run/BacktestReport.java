package io.streamgrad.run;

import io.streamgrad.schema.MetricKind;
import io.streamgrad.schema.ModelSnapshot;
import io.streamgrad.schema.TrainingMetric;
import io.streamgrad.train.ModelConfigs;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A backtest's variants side by side, from the job's ITERATION metrics (each a batch's loss and
 * accuracy measured before its update: the prequential estimate, Dawid 1984) and final snapshots.
 *
 * @param events events read from the range (each trained once per variant)
 * @param wallSeconds the job's wall-clock time, start-up included
 * @param variants one row per variant, in the order given
 */
public record BacktestReport(
        String runId,
        String topic,
        SortedMap<Integer, long[]> offsets,
        long events,
        double wallSeconds,
        List<Row> variants,
        Map<String, List<TrainingMetric>> curves) {

    /**
     * One variant over all its model keys.
     *
     * @param finalSmoothedLoss the smoothed loss after the last update (mean over the variant's
     *     keys)
     * @param meanPrequentialLoss Σ batch loss × batch size / Σ batch size, over every update
     * @param accuracy the same mean of batch accuracy; null for regression
     * @param stepSeconds Σ of the updates' compute time (forward, backward, optimizer step)
     * @param examplesPerSecond examples / stepSeconds: the variant's training rate, apart from the
     *     reading and windowing that every variant shares
     * @param lastVersion the final snapshot's version (of the first key)
     * @param checksum the final snapshot's parameter checksum (of the first key)
     */
    public record Row(
            String name,
            String settings,
            List<String> modelKeys,
            long iterations,
            long examples,
            double finalSmoothedLoss,
            double meanPrequentialLoss,
            Double accuracy,
            double stepSeconds,
            double examplesPerSecond,
            long lastVersion,
            String checksum) {}

    static BacktestReport of(BacktestRun.Plan p, JobRunner.Outcome outcome) {
        ModelConfigs configs = p.config().configs();
        Map<String, List<TrainingMetric>> byVariant = new LinkedHashMap<>();
        for (ModelConfigs.Variant v : configs.variants()) {
            byVariant.put(v.name(), new ArrayList<>());
        }
        for (TrainingMetric m : outcome.metrics()) {
            if (m.getKind() == MetricKind.ITERATION) {
                byVariant.get(configs.variantOf(m.getModel().toString()).name()).add(m);
            }
        }
        Map<String, ModelSnapshot> last = new TreeMap<>();
        for (ModelSnapshot s : outcome.snapshots()) {
            last.merge(
                    s.getModel().toString(), s, (a, b) -> a.getVersion() >= b.getVersion() ? a : b);
        }
        List<Row> rows = new ArrayList<>();
        for (ModelConfigs.Variant v : configs.variants()) {
            rows.add(row(v, byVariant.get(v.name()), last, configs));
        }
        Object consumed = outcome.accumulators().get("events-consumed");
        return new BacktestReport(
                p.config().job().runId(),
                p.range().topic(),
                p.range().offsets(),
                consumed instanceof Number n ? n.longValue() : p.range().records(),
                outcome.wallSeconds(),
                rows,
                byVariant);
    }

    private static Row row(
            ModelConfigs.Variant v,
            List<TrainingMetric> metrics,
            Map<String, ModelSnapshot> last,
            ModelConfigs configs) {
        Map<String, TrainingMetric> lastOfKey = new TreeMap<>();
        long examples = 0;
        double lossSum = 0;
        double accSum = 0;
        boolean hasAccuracy = false;
        double stepSeconds = 0;
        for (TrainingMetric m : metrics) {
            examples += m.getBatchSize();
            lossSum += m.getLoss() * m.getBatchSize();
            if (m.getAccuracy() != null) {
                hasAccuracy = true;
                accSum += m.getAccuracy() * m.getBatchSize();
            }
            stepSeconds += m.getStepSeconds() != null ? m.getStepSeconds() : 0;
            lastOfKey.merge(
                    m.getModel().toString(),
                    m,
                    (a, b) -> a.getIteration() >= b.getIteration() ? a : b);
        }
        double finalSmoothed =
                lastOfKey.values().stream()
                        .mapToDouble(TrainingMetric::getSmoothedLoss)
                        .average()
                        .orElse(Double.NaN);
        List<String> keys =
                last.keySet().stream()
                        .filter(k -> configs.variantOf(k) == v)
                        .sorted(Comparator.naturalOrder())
                        .toList();
        ModelSnapshot first = keys.isEmpty() ? null : last.get(keys.get(0));
        return new Row(
                v.name(),
                v.settings(),
                keys,
                metrics.size(),
                examples,
                finalSmoothed,
                examples > 0 ? lossSum / examples : Double.NaN,
                hasAccuracy && examples > 0 ? accSum / examples : null,
                stepSeconds,
                stepSeconds > 0 ? examples / stepSeconds : Double.NaN,
                first == null ? 0 : first.getVersion(),
                first == null ? "" : first.getParametersChecksum().toString());
    }
}
