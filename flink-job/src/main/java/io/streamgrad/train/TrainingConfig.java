package io.streamgrad.train;

import io.streamgrad.config.InvalidSettingException;
import io.streamgrad.drift.DriftMonitor;
import io.streamgrad.model.ModelSpec;
import io.streamgrad.model.OptimizerSpec;
import java.io.Serializable;
import java.util.List;

/**
 * How every model of a job trains: architecture, optimizer, batching and snapshot cadence.
 *
 * @param snapshotEvery emit a snapshot every this many iterations (and at the end of bounded input)
 * @param smoothing weight of the newest batch in the exponentially smoothed loss
 * @param divergencePatience updates the divergence guard skips in a row (non-finite loss or
 *     gradient) before it restores the last good parameters
 * @param driftDetectors specs of the drift detectors watching each model's prequential loss (see
 *     {@link io.streamgrad.drift.DriftDetectors}); empty for none
 */
public record TrainingConfig(
        ModelSpec spec,
        OptimizerSpec optimizer,
        Batching batching,
        long seed,
        int snapshotEvery,
        double smoothing,
        int divergencePatience,
        List<String> driftDetectors)
        implements Serializable {
    public static final int DEFAULT_DIVERGENCE_PATIENCE = 5;

    /** Without drift detection. */
    public TrainingConfig(
            ModelSpec spec,
            OptimizerSpec optimizer,
            Batching batching,
            long seed,
            int snapshotEvery,
            double smoothing,
            int divergencePatience) {
        this(
                spec,
                optimizer,
                batching,
                seed,
                snapshotEvery,
                smoothing,
                divergencePatience,
                List.of());
    }

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
        driftDetectors = List.copyOf(driftDetectors);
        // An automatic block size becomes a number here, where the model's width is known.
        batching = batching.sizedFor(spec.inputSize());
        // Refused at start, not at the first batch.
        driftMonitor(driftDetectors);
    }

    /**
     * A fresh monitor of the configured drift detectors, null when there are none.
     *
     * @throws InvalidSettingException naming {@code {drift-detector}} for a bad spec
     */
    public DriftMonitor newDriftMonitor() {
        return driftMonitor(driftDetectors);
    }

    private static DriftMonitor driftMonitor(List<String> specs) {
        if (specs.isEmpty()) {
            return null;
        }
        try {
            return DriftMonitor.fromSpecs("{drift-detector}", specs);
        } catch (InvalidSettingException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException(e.getMessage());
        }
    }

    /** The mini-batch size (meaningless for full-batch runs, whose batch is the whole set). */
    public int batchSize() {
        return batching.batchSize();
    }
}
