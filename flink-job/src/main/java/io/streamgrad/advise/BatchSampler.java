package io.streamgrad.advise;

import io.streamgrad.batch.Batch;
import io.streamgrad.batch.TrainingExample;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Draws mini-batches for the measurements: each call an independent batch of the given size. */
@FunctionalInterface
public interface BatchSampler {
    /** The model key batches carry (only labels them). */
    String MODEL_KEY = "advise";

    Batch draw(int size);

    /**
     * Rows drawn uniformly with replacement from a fixed sample: the batches are then i.i.d. draws
     * from the sample's empirical distribution, so E‖g_b − g‖² = tr(Σ)/b holds exactly for the
     * sample's per-example gradient covariance Σ (1/N normalised) and mean g, without the
     * finite-population factor (N − b)/(N − 1) that drawing without replacement would bring.
     *
     * @param sample the examples, at least one
     */
    static BatchSampler withReplacement(List<TrainingExample> sample, long seed) {
        if (sample.isEmpty()) {
            throw new IllegalArgumentException("an empty sample has no batches");
        }
        List<TrainingExample> rows = List.copyOf(sample);
        SplittableRandom rng = new SplittableRandom(seed);
        long[] drawn = {0};
        return size -> {
            List<TrainingExample> batch = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                batch.add(rows.get(rng.nextInt(rows.size())));
            }
            return Batch.of(MODEL_KEY, drawn[0]++, batch);
        };
    }
}
