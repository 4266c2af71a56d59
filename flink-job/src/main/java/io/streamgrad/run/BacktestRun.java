package io.streamgrad.run;

import io.streamgrad.config.InvalidSettingException;
import io.streamgrad.job.BacktestConfig;
import io.streamgrad.job.JobConfig;
import io.streamgrad.train.ModelConfigs;
import java.util.List;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * {@code ./streamgrad backtest}: fresh models trained over a historical range of the events topic
 * exactly as {@code train --bounded} would train them (same windows, same seeds), one model per
 * variant, all in one job and one pass over Kafka; then a side-by-side report of their prequential
 * (test-then-train) curves.
 */
public final class BacktestRun {
    private BacktestRun() {}

    /** What will run: the job and the exact range, fixed before it starts. */
    public record Plan(BacktestConfig config, EvaluationRange range) {}

    /**
     * Checks everything that can be checked before the job starts: each variant as {@code train}
     * checks its flags (memory, snapshot size, the events' features), the topic, and the range.
     *
     * @param job the job's Kafka, topic and parallelism settings (bounded)
     * @throws InvalidSettingException naming the flag or variant at fault
     */
    public static Plan plan(
            JobConfig job,
            List<ModelConfigs.Variant> variants,
            EvaluationRange.Request range,
            long kafkaTimeoutMs) {
        ModelConfigs configs = ModelConfigs.variants(variants);
        for (ModelConfigs.Variant v : variants) {
            try {
                TrainRun.preflight(job.withTraining(v.config()), kafkaTimeoutMs);
            } catch (InvalidSettingException e) {
                throw variants.size() == 1
                        ? e
                        : new InvalidSettingException(
                                "{variant} " + v.name() + ": " + e.render(n -> "{" + n + "}"));
            }
        }
        EvaluationRange r;
        try (KafkaConsumer<byte[], byte[]> consumer = TopicReader.consumer(job.kafka())) {
            r =
                    EvaluationRange.resolve(
                            job.topics().events(),
                            range,
                            EvaluateRun.offsets(consumer, job.topics().events(), kafkaTimeoutMs));
        }
        Preflight.requireBacktestFits(
                variants.stream().map(v -> v.config().batching()).toList(),
                variants.get(0).config().spec().inputSize(),
                r.records(),
                Runtime.getRuntime().maxMemory());
        return new Plan(new BacktestConfig(job, configs, r.from(), r.to()), r);
    }

    /** Runs the plan in a local MiniCluster and reports each variant's curve. */
    public static BacktestReport run(Plan p, JobRunner.Observer observer) throws Exception {
        JobRunner.Outcome outcome = JobRunner.runLocally(p.config(), observer);
        return BacktestReport.of(p, outcome);
    }
}
