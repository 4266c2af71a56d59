package io.streamgrad.train;

import io.streamgrad.config.InvalidSettingException;
import io.streamgrad.model.ModelSpec;
import io.streamgrad.model.OptimizerSpec;
import java.io.Serializable;

/**
 * How every model of a job trains: architecture, optimizer, batching and snapshot cadence.
 *
 * @param snapshotEvery emit a snapshot every this many iterations (and at the end of bounded input)
 * @param smoothing weight of the newest batch in the exponentially smoothed loss
 * @param divergencePatience updates the divergence guard skips in a row (non-finite loss or
 *     gradient) before it restores the last good parameters
 */
public record TrainingConfig(
        ModelSpec spec,
        OptimizerSpec optimizer,
        Batching batching,
        long seed,
        int snapshotEvery,
        double smoothing,
        int divergencePatience)
        implements Serializable {
    public static final int DEFAULT_DIVERGENCE_PATIENCE = 5;

    /** With the default divergence patience. */
    public TrainingConfig(
            ModelSpec spec,
            OptimizerSpec optimizer,
            Batching batching,
            long seed,
            int snapshotEvery,
            double smoothing) {
        this(
                spec,
                optimizer,
                batching,
                seed,
                snapshotEvery,
                smoothing,
                DEFAULT_DIVERGENCE_PATIENCE);
    }

    public TrainingConfig {
        if (snapshotEvery < 1) {
            throw new InvalidSettingException(
                    "{snapshot-every} must be at least 1 iteration, got " + snapshotEvery);
        }
        if (divergencePatience < 1) {
            throw new InvalidSettingException(
                    "{divergence-patience} must be at least 1 update, got " + divergencePatience);
        }
        if (!(smoothing > 0 && smoothing <= 1)) {
            throw new InvalidSettingException("smoothing must be in (0, 1], got " + smoothing);
        }
    }

    /** The mini-batch size (meaningless for full-batch runs, whose batch is the whole set). */
    public int batchSize() {
        return batching.batchSize();
    }
}
