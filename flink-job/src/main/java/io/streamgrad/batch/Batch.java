package io.streamgrad.batch;

import java.util.List;

/**
 * One mini-batch: {@code size} rows cut from a shuffled shuffleIndex, as one contiguous row-major
 * matrix so that the trainer makes one host-to-device copy.
 *
 * @param shuffleIndex index of the shuffle it was cut from (one per closed window, flush or final
 *     cut)
 */
public record Batch(
        String modelKey,
        long shuffleIndex,
        int size,
        int features,
        float[] x,
        double[] labels,
        long minEventTime,
        long maxEventTime) {

    /** Packs rows, in the given order, into one batch; each row keeps its own label. */
    public static Batch of(String modelKey, long shuffleIndex, List<TrainingExample> rows) {
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("a batch has at least one example");
        }
        int d = rows.get(0).features().length;
        float[] x = new float[Math.multiplyExact(rows.size(), d)];
        double[] y = new double[rows.size()];
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (int i = 0; i < rows.size(); i++) {
            TrainingExample e = rows.get(i);
            System.arraycopy(e.features(), 0, x, i * d, d);
            y[i] = e.label();
            min = Math.min(min, e.eventTime());
            max = Math.max(max, e.eventTime());
        }
        return new Batch(modelKey, shuffleIndex, rows.size(), d, x, y, min, max);
    }
}
