package io.streamgrad.advise;

import io.streamgrad.config.InvalidSettingException;
import io.streamgrad.train.ModelTrainer;
import java.util.Locale;

/**
 * A short pilot run that counts the iterations training needs at one (large) batch size: the model
 * trains {@code iterations} steps on batches drawn by the sampler, and the count is the first
 * iteration at which the trainer's smoothed loss (its exponential moving average, as in the
 * metrics) has made {@code progress} of the fall it makes over the whole pilot:
 *
 * <pre>
 *   target = L_first − progress · (L_first − L_min)
 * </pre>
 *
 * with L_first the first smoothed loss and L_min the lowest. {@link BatchSizeAdvice} turns the
 * count into N_iter.
 *
 * @param batchSize the pilot's batch size
 * @param iterations steps run
 * @param progress the share of the pilot's fall that defines the target
 * @param firstLoss the smoothed loss after the first step
 * @param minLoss the lowest smoothed loss of the pilot
 * @param targetLoss the target above
 * @param iterationsToTarget the first iteration (1-based) at or below the target
 * @param smoothedLoss the smoothed loss after each step
 */
public record Pilot(
        int batchSize,
        int iterations,
        double progress,
        double firstLoss,
        double minLoss,
        double targetLoss,
        int iterationsToTarget,
        double[] smoothedLoss) {

    /**
     * Trains the given (fresh) trainer for the pilot.
     *
     * @throws InvalidSettingException when the smoothed loss does not fall at all (the learning
     *     rate is off, or the pilot too short to see a fall), or progress is not in (0, 1]
     */
    public static Pilot run(
            ModelTrainer trainer,
            BatchSampler sampler,
            int batchSize,
            int iterations,
            double progress) {
        if (iterations < 2) {
            throw new InvalidSettingException(
                    "{pilot-iterations} must be at least 2, got " + iterations);
        }
        if (!(progress > 0 && progress <= 1)) {
            throw new IllegalArgumentException("progress must be in (0, 1], got " + progress);
        }
        double[] smoothed = new double[iterations];
        for (int i = 0; i < iterations; i++) {
            smoothed[i] = trainer.train(sampler.draw(batchSize)).smoothedLoss();
        }
        double first = smoothed[0];
        double min = first;
        for (double s : smoothed) {
            if (Double.isFinite(s)) {
                min = Math.min(min, s);
            }
        }
        if (!Double.isFinite(first) || !(first - min > 1e-9 * Math.max(1, Math.abs(first)))) {
            throw new InvalidSettingException(
                    String.format(
                            Locale.ROOT,
                            "the pilot of %d iterations at batch %d did not lower the smoothed loss"
                                    + " (first %.4g, lowest %.4g), so the iterations training"
                                    + " needs cannot be counted: check {learning-rate} (too small"
                                    + " to move, or so large that it diverges) or raise"
                                    + " {pilot-iterations}",
                            iterations,
                            batchSize,
                            first,
                            min));
        }
        double target = first - progress * (first - min);
        int k = iterations;
        for (int i = 0; i < iterations; i++) {
            if (smoothed[i] <= target) {
                k = i + 1;
                break;
            }
        }
        return new Pilot(batchSize, iterations, progress, first, min, target, k, smoothed);
    }
}
