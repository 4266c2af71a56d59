package io.streamgrad.train;

import io.streamgrad.batch.BatchSize;
import io.streamgrad.model.ModelSpec;
import io.streamgrad.model.OptimizerSpec;
import java.io.Serializable;

/**
 * How every model of a job trains: architecture, optimizer, batching and snapshot cadence.
 *
 * @param windowBatches a count window closes after this many full batches have arrived; the window
 *     is the unit of shuffling
 * @param snapshotEvery emit a snapshot every this many iterations (and at the end of bounded input)
 * @param smoothing weight of the newest batch in the exponentially smoothed loss
 */
public record TrainingConfig(
        ModelSpec model,
        OptimizerSpec optimizer,
        int batchSize,
        int windowBatches,
        long seed,
        int snapshotEvery,
        double smoothing)
        implements Serializable {

    public TrainingConfig {
        BatchSize.require(batchSize);
        if (windowBatches < 1) {
            throw new IllegalArgumentException(
                    "--window-batches must be at least 1, got " + windowBatches);
        }
        if (snapshotEvery < 1) {
            throw new IllegalArgumentException(
                    "--snapshot-every must be at least 1 iteration, got " + snapshotEvery);
        }
        if (!(smoothing > 0 && smoothing <= 1)) {
            throw new IllegalArgumentException("smoothing must be in (0, 1], got " + smoothing);
        }
    }

    public int windowSize() {
        return batchSize * windowBatches;
    }
}
