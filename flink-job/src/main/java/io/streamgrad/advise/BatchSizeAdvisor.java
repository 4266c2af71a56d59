package io.streamgrad.advise;

import io.streamgrad.batch.BatchSize;
import io.streamgrad.batch.TrainingExample;
import io.streamgrad.config.InvalidSettingException;
import io.streamgrad.model.BackendMemory;
import io.streamgrad.model.DenseNetwork;
import io.streamgrad.model.StepMemory;
import io.streamgrad.train.ModelTrainer;
import io.streamgrad.train.TrainingConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The whole measurement on a sample of examples, for the configured model at its fresh
 * initialisation (the job's seed): the gradient noise at those parameters, a pilot run for N_iter,
 * step timing at powers of two, and the {@link BatchSizeAdvice} that combines them.
 */
public final class BatchSizeAdvisor {
    private BatchSizeAdvisor() {}

    /**
     * What to measure.
     *
     * @param minBatch the smallest batch size timed, also the small batch of the noise estimate
     * @param maxBatch the largest batch size timed, also the big batch of the noise estimate and
     *     the pilot's batch
     * @param noisePairs pairs of batches averaged by the noise estimate
     * @param warmup untimed rounds (one step of each batch size per round)
     * @param repeats timed rounds (the median per size is kept)
     * @param pilotIterations the pilot's length
     * @param pilotProgress the share of the pilot's loss fall that defines its target
     * @param seed the sampler's seed
     */
    public record Settings(
            int minBatch,
            int maxBatch,
            int noisePairs,
            int warmup,
            int repeats,
            int pilotIterations,
            double pilotProgress,
            long seed) {
        public Settings {
            BatchSize.require(minBatch);
            BatchSize.require(maxBatch);
            if (maxBatch < 2 * minBatch) {
                throw new InvalidSettingException(
                        "{max-batch-size} "
                                + maxBatch
                                + " must be at least twice {min-batch-size} "
                                + minBatch
                                + ": the step-time line and the noise estimate need two sizes");
            }
            if (repeats < 1 || warmup < 0) {
                throw new InvalidSettingException(
                        "{timing-repeats} must be at least 1, got " + repeats);
            }
        }

        /**
         * Defaults: sizes 16 to 2048, 100 noise pairs, 20 warm-up and 15 timed rounds, a 200-step
         * pilot.
         */
        public static Settings defaults() {
            return new Settings(16, 2_048, 100, 20, 15, 200, 0.9, 1L);
        }

        /** The timed batch sizes: every power of two from min to max. */
        public int[] sizes() {
            List<Integer> s = new ArrayList<>();
            for (int b = minBatch; b <= maxBatch; b <<= 1) {
                s.add(b);
            }
            return s.stream().mapToInt(Integer::intValue).toArray();
        }

        /** Events a sample needs: two of the largest batch. */
        public int sampleNeeded() {
            return 2 * maxBatch;
        }
    }

    /** Everything measured, and the advice. */
    public record Report(
            int sampleEvents,
            List<StepTimer.Point> timing,
            StepTimeFit fit,
            GradientNoise noise,
            Pilot pilot,
            BatchSizeAdvice advice) {}

    /**
     * Measures and advises.
     *
     * @param config the model, optimizer and seed (the batching's size is the learning rate's
     *     reference)
     * @param sample examples of the data, at least {@link Settings#sampleNeeded()}
     * @param progress receives one line per stage
     * @throws InvalidSettingException when the sample is too small (naming {@code sample-events}),
     *     no batch fits in memory, or the pilot does not lower the loss
     * @throws UndefinedNoiseScaleException when the gradient is zero or its estimate not positive
     */
    public static Report advise(
            TrainingConfig config,
            List<TrainingExample> sample,
            Settings s,
            BackendMemory memory,
            java.util.function.Consumer<String> progress) {
        if (sample.size() < s.sampleNeeded()) {
            throw new InvalidSettingException(
                    String.format(
                            Locale.ROOT,
                            "{sample-events}: measuring batches of up to %d needs a sample of at"
                                    + " least %d events (two of the largest batch), and there are"
                                    + " %d: give more events, or a smaller {max-batch-size}",
                            s.maxBatch(),
                            s.sampleNeeded(),
                            sample.size()));
        }
        int fits = StepMemory.largestFitting(config.spec(), config.optimizer(), memory);
        if (fits < 1) {
            // Throws, naming the model and the memory there is.
            StepMemory.requireFits(config.spec(), config.optimizer(), 1, "1", memory);
        }
        BatchSampler sampler = BatchSampler.withReplacement(sample, s.seed());

        progress.accept(
                String.format(
                        Locale.ROOT,
                        "gradient noise: %d pairs of batches of %d and %d at the initial"
                                + " parameters...",
                        s.noisePairs(),
                        s.minBatch(),
                        s.maxBatch()));
        DenseNetwork net =
                DenseNetwork.create(
                        config.spec(), config.optimizer(), config.seed(), DataType.FLOAT);
        if (net.scaler().enabled()) {
            // Standardize as training would once it has seen the data.
            observe(net, sample);
        }
        GradientNoise noise =
                GradientNoise.estimate(net, sampler, s.minBatch(), s.maxBatch(), s.noisePairs());

        progress.accept(
                String.format(
                        Locale.ROOT,
                        "pilot: %d iterations at batch %d...",
                        s.pilotIterations(),
                        s.maxBatch()));
        Pilot pilot =
                Pilot.run(
                        ModelTrainer.create(BatchSampler.MODEL_KEY, config),
                        sampler,
                        s.maxBatch(),
                        s.pilotIterations(),
                        s.pilotProgress());

        progress.accept(
                String.format(
                        Locale.ROOT,
                        "step time: %d sizes from %d to %d, median of %d steps after %d warm-up...",
                        s.sizes().length,
                        s.minBatch(),
                        s.maxBatch(),
                        s.repeats(),
                        s.warmup()));
        List<StepTimer.Point> timing =
                StepTimer.measure(
                        ModelTrainer.create(BatchSampler.MODEL_KEY, config),
                        sampler,
                        s.sizes(),
                        s.warmup(),
                        s.repeats());
        double[] b = new double[timing.size()];
        double[] t = new double[timing.size()];
        for (int i = 0; i < b.length; i++) {
            b[i] = timing.get(i).batchSize();
            t[i] = timing.get(i).medianSeconds();
        }
        StepTimeFit fit = StepTimeFit.fit(b, t);
        double nIter =
                BatchSizeAdvice.nIterFromPilot(
                        pilot.iterationsToTarget(), pilot.batchSize(), noise.noiseScale());
        int reference =
                config.batching().fullBatch()
                        ? BatchSizeAdvice.floorPowerOfTwo(config.batching().fullBatchLimit())
                        : config.batching().batchSize();
        BatchSizeAdvice advice =
                BatchSizeAdvice.of(
                        fit, noise, nIter, fits, s.maxBatch(), config.optimizer(), reference);
        return new Report(sample.size(), timing, fit, noise, pilot, advice);
    }

    private static void observe(DenseNetwork net, List<TrainingExample> sample) {
        int d = sample.get(0).features().length;
        float[] x = new float[sample.size() * d];
        for (int i = 0; i < sample.size(); i++) {
            System.arraycopy(sample.get(i).features(), 0, x, i * d, d);
        }
        net.scaler().observe(x, sample.size());
    }
}
