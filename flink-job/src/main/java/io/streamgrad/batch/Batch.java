package io.streamgrad.batch;

/**
 * One mini-batch: {@code size} rows cut from a shuffled window, as one contiguous row-major matrix
 * so that the trainer makes one host-to-device copy.
 *
 * @param window index of the window it was cut from
 */
public record Batch(
        String model,
        long window,
        int size,
        int features,
        float[] x,
        double[] labels,
        long minEventTime,
        long maxEventTime) {}
