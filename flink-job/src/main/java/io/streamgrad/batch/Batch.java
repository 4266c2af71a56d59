package io.streamgrad.batch;

import java.util.List;

/**
 * One mini-batch: {@code size} rows cut from a shuffled shuffleIndex, as one contiguous row-major
 * matrix so that the trainer makes one host-to-device copy.
 *
 * @param shuffleIndex index of the shuffle it was cut from (one per closed window, flush or final
 *     cut)
 * @param partitions the Kafka partition of each row (-1: not from Kafka), for the model's lineage
 * @param offsets the Kafka offset of each row
 */
public record Batch(
        String modelKey,
        long shuffleIndex,
        int size,
        int features,
        float[] x,
        double[] labels,
        long minEventTime,
        long maxEventTime,
        int[] partitions,
        long[] offsets) {

    /** Rows that did not come from Kafka. */
    public Batch(
            String modelKey,
            long shuffleIndex,
            int size,
            int features,
            float[] x,
            double[] labels,
            long minEventTime,
            long maxEventTime) {
        this(
                modelKey,
                shuffleIndex,
                size,
                features,
                x,
                labels,
                minEventTime,
                maxEventTime,
                filled(size, -1),
                new long[size]);
    }

    private static int[] filled(int n, int value) {
        int[] a = new int[n];
        java.util.Arrays.fill(a, value);
        return a;
    }

    /** Packs rows, in the given order, into one batch; each row keeps its own label. */
    public static Batch of(String modelKey, long shuffleIndex, List<TrainingExample> rows) {
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("a batch has at least one example");
        }
        int d = rows.get(0).features().length;
        float[] x = new float[Math.multiplyExact(rows.size(), d)];
        double[] y = new double[rows.size()];
        int[] partitions = new int[rows.size()];
        long[] offsets = new long[rows.size()];
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (int i = 0; i < rows.size(); i++) {
            TrainingExample e = rows.get(i);
            System.arraycopy(e.features(), 0, x, i * d, d);
            y[i] = e.label();
            partitions[i] = e.partition();
            offsets[i] = e.offset();
            min = Math.min(min, e.eventTime());
            max = Math.max(max, e.eventTime());
        }
        return new Batch(
                modelKey, shuffleIndex, rows.size(), d, x, y, min, max, partitions, offsets);
    }
}
