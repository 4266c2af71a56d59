package io.streamgrad.run;

import io.streamgrad.advise.BatchSizeAdvice;
import io.streamgrad.advise.BatchSizeAdvisor;
import io.streamgrad.batch.TrainingExample;
import io.streamgrad.config.InvalidSettingException;
import io.streamgrad.model.BackendMemory;
import io.streamgrad.run.flags.BatchingOptions;
import io.streamgrad.run.flags.ModelOptions;
import io.streamgrad.schema.LabeledEvent;
import io.streamgrad.train.EventValidator;
import io.streamgrad.train.InvalidEventException;
import io.streamgrad.train.TrainingConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * {@code --batch-size auto} for bounded runs, resolved before the job starts. The seed's rule
 * first: a set of no more than {@code --full-batch-limit} events (default 2,000) trains with the
 * full batch, plain gradient descent, since a step over all of it is cheap and exact. Otherwise the
 * power of two {@code advise} recommends ({@link BatchSizeAdvisor}), measured in a short pilot on a
 * sample of the events.
 */
public final class AutoBatchSize {
    /** Events sampled for the pilot at most. */
    static final int SAMPLE = 8_192;

    private AutoBatchSize() {}

    /**
     * What was chosen.
     *
     * @param batchSize the value {@code --batch-size} now has ({@code full} or a power of two)
     * @param reason one line saying what and why
     */
    public record Choice(String batchSize, String reason) {}

    /**
     * Resolves {@code --batch-size auto} in place; does nothing (returns null) for any other value.
     *
     * @param events how many events the bounded run trains on
     * @param sample up to {@link #SAMPLE} of them, read only when a pilot is needed
     * @throws InvalidSettingException when the pilot cannot measure (the message says why)
     */
    public static Choice resolve(
            ModelOptions model,
            BatchingOptions batching,
            long events,
            Supplier<List<LabeledEvent>> sample) {
        if (!batching.auto()) {
            return null;
        }
        if (events <= batching.fullBatchLimit) {
            batching.batchSize = "full";
            return new Choice(
                    "full",
                    String.format(
                            Locale.ROOT,
                            "batch size auto -> full: %,d events are within --full-batch-limit %,d,"
                                    + " so every update uses all of them (plain gradient descent)",
                            events,
                            batching.fullBatchLimit));
        }
        // The learning rate's reference is the default batch size; the pilot does not change it.
        batching.batchSize = "64";
        TrainingConfig config = model.toTrainingConfig(batching.toBatching());
        List<TrainingExample> examples = new ArrayList<>();
        for (LabeledEvent e : sample.get()) {
            try {
                examples.add(EventValidator.validate(e, config.spec()));
            } catch (InvalidEventException bad) {
                // the job will dead-letter it; the pilot measures on the rest
            }
        }
        int max = Integer.highestOneBit(Math.max(2, examples.size() / 2));
        max = Math.min(2_048, max);
        if (max < 32) {
            throw new InvalidSettingException(
                    "{batch-size} auto needs a pilot on at least 64 valid events, found "
                            + examples.size()
                            + ": give a power of two");
        }
        BatchSizeAdvisor.Settings settings =
                new BatchSizeAdvisor.Settings(16, max, 50, 10, 7, 100, 0.9, config.seed());
        BatchSizeAdvice a =
                BatchSizeAdvisor.advise(
                                config, examples, settings, BackendMemory.current(), line -> {})
                        .advice();
        int chosen =
                (int)
                        Math.min(
                                a.recommendedBatchSize(),
                                Integer.highestOneBit((int) Math.min(events, 1 << 30)));
        batching.batchSize = Integer.toString(chosen);
        return new Choice(
                batching.batchSize,
                String.format(
                        Locale.ROOT,
                        "batch size auto -> %d: %,d events are more than --full-batch-limit %,d;"
                                + " a pilot on %,d of them measured τ_f %.3g ms, τ_d %.3g µs,"
                                + " B_noise %.1f, so b_opt %s (./streamgrad advise explains;"
                                + " for it the learning rate would be %.4g)",
                        chosen,
                        events,
                        batching.fullBatchLimit,
                        examples.size(),
                        a.tauFSeconds() * 1e3,
                        a.tauDSeconds() * 1e6,
                        a.noiseScale(),
                        a.bOpt() == null
                                ? "is undefined (τ_f not resolved from its noise, or τ_d ≤ 0;"
                                        + " the batch nearest B_noise, or the largest measured)"
                                : String.format(Locale.ROOT, "%.0f", a.bOpt()),
                        a.suggestedLearningRate()));
    }

    /** Every {@code events/n}-th of the first {@code events} (all when fewer than n). */
    static List<LabeledEvent> spread(
            java.util.function.LongFunction<LabeledEvent> at, long events, int n) {
        List<LabeledEvent> out = new ArrayList<>();
        long count = Math.min(events, n);
        for (long i = 0; i < count; i++) {
            out.add(at.apply(i * events / count));
        }
        return out;
    }

    /** A pilot sample of a demo's training events. */
    static Supplier<List<LabeledEvent>> sampleOf(DemoData data) {
        return () -> spread(data.trainEvent(), data.trainEvents(), SAMPLE);
    }
}
