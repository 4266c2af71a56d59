package io.streamgrad.run;

import io.streamgrad.config.InvalidSettingException;
import io.streamgrad.job.BacktestConfig;
import io.streamgrad.job.JobConfig;
import io.streamgrad.train.ModelConfigs;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * {@code ./streamgrad backtest}: fresh models trained over a historical range of the events topic
 * exactly as {@code train --bounded} would train them (same windows, seeds and passes over Kafka),
 * one model per variant, all in one job whose every read of the range serves all variants; then a
 * side-by-side report of their prequential (test-then-train) curves.
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
            JobConfig job, List<ModelConfigs.Variant> variants, EvaluationRange.Request range) {
        ModelConfigs configs = ModelConfigs.variants(variants);
        LazyRange records = new LazyRange(job, range);
        for (ModelConfigs.Variant v : variants) {
            checkVariant(
                    variants,
                    v,
                    records,
                    () ->
                            TrainRun.checkSettingsAndTopic(
                                    job.withTraining(v.config()),
                                    records,
                                    Runtime.getRuntime().maxMemory()));
        }
        records.getAsLong();
        EvaluationRange r = records.range;
        // The range's events, read once for every variant: what the job meets first.
        TopicSample sample =
                TopicSample.read(job.kafka(), job.topics().events(), false, r.from(), r.to());
        List<String> warnings = new ArrayList<>();
        for (ModelConfigs.Variant v : variants) {
            checkVariant(
                    variants,
                    v,
                    records,
                    () ->
                            warnings.addAll(
                                    TrainRun.checkSample(job.withTraining(v.config()), sample)));
        }
        // Once for the backtest, however many variants would say the same.
        variants.stream()
                .map(v -> TrainRun.driftOrderWarning(job.withTraining(v.config())))
                .flatMap(java.util.Optional::stream)
                .forEach(warnings::add);
        warnings.stream().distinct().forEach(TopicReader::sayOnStandardError);
        Preflight.requireBacktestFits(
                variants.stream().map(v -> v.config().batching()).toList(),
                variants.get(0).config().spec().inputSize(),
                r.records(),
                Runtime.getRuntime().maxMemory());
        return new Plan(new BacktestConfig(job, configs, r.from(), r.to()), r);
    }

    /**
     * Runs one variant's check: only the implicit variant's refusals are the command's own flags';
     * a variant that sets something is named, so that the fault is not put on a flag or job file
     * line that the variant overrode. A refusal of the range is the range's.
     */
    private static void checkVariant(
            List<ModelConfigs.Variant> variants,
            ModelConfigs.Variant v,
            LazyRange records,
            Runnable check) {
        try {
            check.run();
        } catch (InvalidSettingException e) {
            boolean implicit = variants.size() == 1 && v.settings().isEmpty();
            throw implicit || e == records.refused
                    ? e
                    : new InvalidSettingException(
                            "{variant} " + v.name() + ": " + e.render(n -> "{" + n + "}"));
        }
    }

    /**
     * The range's records, resolved when the first variant's checks have found the topic: each
     * variant's memory checks size what it keeps by the range, not by the whole topic. A refusal of
     * the range is the range's, not a variant's.
     */
    private static final class LazyRange implements LongSupplier {
        private final JobConfig job;
        private final EvaluationRange.Request request;
        EvaluationRange range;
        InvalidSettingException refused;

        LazyRange(JobConfig job, EvaluationRange.Request request) {
            this.job = job;
            this.request = request;
        }

        @Override
        public long getAsLong() {
            if (refused != null) {
                throw refused;
            }
            if (range == null) {
                try (KafkaConsumer<byte[], byte[]> consumer = TopicReader.consumer(job.kafka())) {
                    range =
                            EvaluationRange.resolve(
                                    job.topics().events(),
                                    request,
                                    EvaluateRun.offsets(
                                            consumer,
                                            job.topics().events(),
                                            job.kafka().timeoutMs()));
                } catch (InvalidSettingException e) {
                    refused = e;
                    throw e;
                }
            }
            return range.records();
        }
    }

    /** Runs the plan in a local MiniCluster and reports each variant's curve. */
    public static BacktestReport run(Plan p, JobRunner.Observer observer) throws Exception {
        JobRunner.Outcome outcome = JobRunner.runLocally(p.config(), observer);
        return BacktestReport.of(p, outcome);
    }
}
