package io.streamgrad.advise;

import io.streamgrad.batch.Batch;
import io.streamgrad.train.ModelTrainer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Times real training steps ({@link ModelTrainer#train}: forward pass, loss, backward pass,
 * optimizer update and the divergence guard's bookkeeping, exactly what the job runs per batch) at
 * given batch sizes. Batches are drawn before the clock starts, so the time is the step's, not the
 * sampling's. Per size, the first {@code warmup} steps are discarded (JIT compilation, first-touch
 * allocation of ND4J buffers), then the median of {@code repeats} steps is kept: the median ignores
 * the occasional step that pays for a garbage collection or for the guard's periodic parameter
 * copy.
 *
 * <p>The trainer's parameters move with every step; the time of a step does not depend on them.
 */
public final class StepTimer {
    /** Distinct batches per size, cycled through: enough that no single batch is special. */
    static final int DISTINCT_BATCHES = 4;

    private StepTimer() {}

    /**
     * One measured batch size.
     *
     * @param batchSize b
     * @param medianSeconds median wall time of one step, seconds
     * @param seconds every timed step (warm-up excluded), in order
     */
    public record Point(int batchSize, double medianSeconds, double[] seconds) {}

    public static List<Point> measure(
            ModelTrainer trainer, BatchSampler sampler, int[] sizes, int warmup, int repeats) {
        return measure(trainer, sampler, sizes, warmup, repeats, System::nanoTime);
    }

    static List<Point> measure(
            ModelTrainer trainer,
            BatchSampler sampler,
            int[] sizes,
            int warmup,
            int repeats,
            LongSupplier nanoClock) {
        if (warmup < 0 || repeats < 1) {
            throw new IllegalArgumentException(
                    "warm-up >= 0 and repeats >= 1, got " + warmup + " and " + repeats);
        }
        Batch[][] batches = new Batch[sizes.length][DISTINCT_BATCHES];
        for (int k = 0; k < sizes.length; k++) {
            for (int i = 0; i < DISTINCT_BATCHES; i++) {
                batches[k][i] = sampler.draw(sizes[k]);
            }
        }
        // Round-robin over the sizes, warm-up rounds first: a slow drift of the machine (JIT
        // compilation settling, other processes) then affects every size alike instead of
        // whichever size happened to be measured first.
        for (int round = 0; round < warmup; round++) {
            for (int k = 0; k < sizes.length; k++) {
                trainer.train(batches[k][round % DISTINCT_BATCHES]);
            }
        }
        double[][] seconds = new double[sizes.length][repeats];
        for (int round = 0; round < repeats; round++) {
            for (int k = 0; k < sizes.length; k++) {
                Batch batch = batches[k][round % DISTINCT_BATCHES];
                long start = nanoClock.getAsLong();
                trainer.train(batch);
                seconds[k][round] = (nanoClock.getAsLong() - start) / 1e9;
            }
        }
        List<Point> points = new ArrayList<>(sizes.length);
        for (int k = 0; k < sizes.length; k++) {
            points.add(new Point(sizes[k], median(seconds[k]), seconds[k]));
        }
        return points;
    }

    /** The median (the mean of the two middle values for an even count). */
    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }
}
