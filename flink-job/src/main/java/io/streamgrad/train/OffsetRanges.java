package io.streamgrad.train;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * Kafka offset ranges of one topic, as parallel primitive arrays (so Flink keeps them in keyed
 * state with its POJO serializer, never Kryo): entry {@code i} is partition {@code partitions[i]},
 * offsets {@code first[i]..last[i]} inclusive, from which {@code examples[i]} training examples
 * were drawn (each epoch over bounded input counts its examples again). A model's own run has one
 * entry per partition; ranges inherited through warm starts may have several for one partition (one
 * per run, merged where they are contiguous), so a gap or an overlap between runs stays visible.
 */
public record OffsetRanges(int[] partitions, long[] first, long[] last, long[] examples) {
    /** No offsets. */
    public static final OffsetRanges NONE =
            new OffsetRanges(new int[0], new long[0], new long[0], new long[0]);

    public OffsetRanges {
        int n = partitions.length;
        if (first.length != n || last.length != n || examples.length != n) {
            throw new IllegalArgumentException(
                    "offset ranges need one first, last and count per partition");
        }
    }

    public int size() {
        return partitions.length;
    }

    public boolean isEmpty() {
        return partitions.length == 0;
    }

    /**
     * These ranges widened by the given examples' coordinates (one range per partition); examples
     * that did not come from Kafka (partition {@code < 0}) are ignored.
     *
     * @param examplePartitions the partition of each example
     * @param exampleOffsets the offset of each example, same length
     */
    public OffsetRanges including(int[] examplePartitions, long[] exampleOffsets) {
        TreeMap<Integer, long[]> byPartition = byPartition();
        boolean changed = false;
        // Consecutive examples often share a partition (always, on a one-partition topic): the
        // previous example's entry is reused instead of a boxed map lookup per example.
        int previous = -1;
        long[] r = null;
        for (int i = 0; i < examplePartitions.length; i++) {
            int p = examplePartitions[i];
            if (p < 0) {
                continue;
            }
            long o = exampleOffsets[i];
            if (p != previous) {
                r = byPartition.computeIfAbsent(p, k -> new long[] {o, o, 0});
                previous = p;
            }
            r[0] = Math.min(r[0], o);
            r[1] = Math.max(r[1], o);
            r[2]++;
            changed = true;
        }
        return changed ? of(byPartition) : this;
    }

    /**
     * These (earlier) ranges followed by {@code later}'s: entries of one partition merge when the
     * later one starts right after the earlier one ends; otherwise both are kept.
     */
    public OffsetRanges followedBy(OffsetRanges later) {
        int n = size() + later.size();
        int[] p = Arrays.copyOf(partitions, n);
        long[] f = Arrays.copyOf(first, n);
        long[] l = Arrays.copyOf(last, n);
        long[] e = Arrays.copyOf(examples, n);
        int k = size();
        for (int j = 0; j < later.size(); j++) {
            int merged = -1;
            for (int i = 0; i < k; i++) {
                if (p[i] == later.partitions[j] && l[i] + 1 == later.first[j]) {
                    merged = i;
                }
            }
            if (merged >= 0) {
                l[merged] = later.last[j];
                e[merged] += later.examples[j];
            } else {
                p[k] = later.partitions[j];
                f[k] = later.first[j];
                l[k] = later.last[j];
                e[k] = later.examples[j];
                k++;
            }
        }
        return new OffsetRanges(
                Arrays.copyOf(p, k), Arrays.copyOf(f, k), Arrays.copyOf(l, k), Arrays.copyOf(e, k));
    }

    /** Per partition, the offset after the last one of any range: where training continues. */
    public Map<Integer, Long> nextOffsets() {
        TreeMap<Integer, Long> next = new TreeMap<>();
        for (int i = 0; i < size(); i++) {
            next.merge(partitions[i], last[i] + 1, Math::max);
        }
        return next;
    }

    /** Examples of all ranges. */
    public long totalExamples() {
        return Arrays.stream(examples).sum();
    }

    private TreeMap<Integer, long[]> byPartition() {
        TreeMap<Integer, long[]> m = new TreeMap<>();
        for (int i = 0; i < size(); i++) {
            m.put(partitions[i], new long[] {first[i], last[i], examples[i]});
        }
        return m;
    }

    private static OffsetRanges of(TreeMap<Integer, long[]> m) {
        int n = m.size();
        int[] p = new int[n];
        long[] f = new long[n];
        long[] l = new long[n];
        long[] e = new long[n];
        int i = 0;
        for (Map.Entry<Integer, long[]> en : m.entrySet()) {
            p[i] = en.getKey();
            f[i] = en.getValue()[0];
            l[i] = en.getValue()[1];
            e[i] = en.getValue()[2];
            i++;
        }
        return new OffsetRanges(p, f, l, e);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OffsetRanges r
                && Arrays.equals(partitions, r.partitions)
                && Arrays.equals(first, r.first)
                && Arrays.equals(last, r.last)
                && Arrays.equals(examples, r.examples);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(partitions) * 31 + Arrays.hashCode(last);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < size(); i++) {
            sb.append(i == 0 ? "" : ", ")
                    .append(partitions[i])
                    .append(':')
                    .append(first[i])
                    .append("..")
                    .append(last[i])
                    .append(" (")
                    .append(examples[i])
                    .append(')');
        }
        return sb.append(']').toString();
    }
}
