package io.streamgrad.model;

import io.streamgrad.batch.BatchSize;
import io.streamgrad.config.InvalidSettingException;

/**
 * The memory one training step needs at a batch size, estimated from the model's shape: what {@link
 * DenseNetwork} allocates for a step (inputs and one-hot targets, the forward activations and loss
 * temporaries, the backward deltas) plus what lives as long as the model (parameters, gradients,
 * optimizer state). An upper-side estimate of the ND4J buffers, so that a batch that cannot fit is
 * refused before the job starts rather than failing inside it.
 *
 * @param inputs features and targets of the batch
 * @param activations forward pass and loss temporaries
 * @param backward deltas and products of the backward pass
 * @param parameters parameters and their gradients
 * @param optimizerState the updater's state
 */
public record StepMemory(
        long inputs, long activations, long backward, long parameters, long optimizerState) {

    public long total() {
        return inputs + activations + backward + parameters + optimizerState;
    }

    public static StepMemory estimate(
            ModelSpec spec, OptimizerSpec optimizer, long batch, int bytesPerValue) {
        int[] sizes = spec.layerSizes();
        long hidden = 0;
        long widest = 0;
        for (int l = 1; l + 1 < sizes.length; l++) {
            hidden += sizes[l];
        }
        for (int s : sizes) {
            widest = Math.max(widest, s);
        }
        long out = spec.outputSize();
        long p = spec.parameterCount();
        long b = batch;
        long bytes = bytesPerValue;
        return new StepMemory(
                bytes * b * (spec.inputSize() + out),
                // per hidden layer z and a; output logits and ~3 loss temporaries
                bytes * b * (2 * hidden + 4 * out),
                // delta, upstream product and activation derivative of the widest layer pair
                bytes * b * (2 * hidden + out + 2 * widest),
                bytes * 2 * p,
                bytes * optimizer.toUpdater().stateSize(p));
    }

    /**
     * Refuses a batch size whose step does not fit in {@code availableBytes}.
     *
     * @throws IllegalArgumentException naming the largest power of two that fits
     */
    public static void requireFits(
            ModelSpec spec,
            OptimizerSpec optimizer,
            long batch,
            String batchFlag,
            BackendMemory memory) {
        StepMemory need = estimate(spec, optimizer, batch, Float.BYTES);
        if (need.total() <= memory.availableBytes()) {
            return;
        }
        long fits = largestFitting(spec, optimizer, memory);
        String advice =
                fits == 0
                        ? "even a batch of 1 does not fit: the model is too large for this backend"
                        : "the largest power of two that fits is {batch-size} " + fits;
        throw new InvalidSettingException(
                "{batch-size} "
                        + batchFlag
                        + " does not fit: one training step of "
                        + spec.shorthand()
                        + " needs about "
                        + mib(need.total())
                        + " but "
                        + memory.describe()
                        + "; "
                        + advice);
    }

    /** The largest power of two up to {@link BatchSize#MAX} whose step fits; 0 if none does. */
    public static int largestFitting(
            ModelSpec spec, OptimizerSpec optimizer, BackendMemory memory) {
        int fits = 0;
        for (int b = 1; b <= BatchSize.MAX; b <<= 1) {
            if (estimate(spec, optimizer, b, Float.BYTES).total() <= memory.availableBytes()) {
                fits = b;
            }
        }
        return fits;
    }

    static String mib(long bytes) {
        return String.format(java.util.Locale.ROOT, "%,.0f MiB", bytes / (1024.0 * 1024.0));
    }
}
