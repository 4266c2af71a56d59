package io.streamgrad.drift;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * ADWIN, the adaptive sliding window: keeps the longest recent window whose mean is consistent with
 * "no change", and drops its older part whenever two sub-windows differ by more than chance allows.
 * Used on a loss, it raises an alarm only when the newer part's mean is the higher one (the loss
 * got worse); a falling loss is the model learning, and only shortens the window.
 *
 * <p>From A. Bifet and R. Gavaldà, "Learning from time-changing data with adaptive windowing", SIAM
 * International Conference on Data Mining (SDM), 2007. This is ADWIN2 (section 4): the window is
 * stored as an exponential histogram, at most {@code M} buckets of each size 2^i, merged two at a
 * time as they age, so memory and time per value are O(M log(W/M)), and cut points are tested only
 * at bucket boundaries. A cut between an older sub-window W0 (n0 values, mean μ0) and a newer W1
 * (n1, μ1) is made when |μ0 − μ1| ≥ ε_cut, with the variance-aware bound of section 3 (after
 * Theorem 3.1):
 *
 * <pre>
 *   m     = 1 / (1/n0 + 1/n1)
 *   ε_cut = sqrt( (2/m) · σ²_W · ln(2/δ') ) + (2 / (3m)) · ln(2/δ')
 * </pre>
 *
 * where σ²_W is the variance of the whole window and δ' = δ / ln(n), n = |W|: ADWIN2 tests O(log n)
 * cut points, and this is the correction of the authors' reference implementation (MOA); the
 * paper's δ/n for ADWIN0, which tests all n, is stricter. The bound assumes values in [0, 1] (an
 * error indicator, a loss scaled into [0, 1]).
 *
 * <p>As in the reference implementation, cuts are looked for every {@code clock} values, and both
 * sub-windows must hold at least {@code minSubWindow} values.
 */
public final class Adwin implements DriftDetector {
    private final double delta;
    private final int maxBuckets;
    private final int clock;
    private final int minSubWindow;

    /** rows.get(i): buckets of 2^i values, oldest first; each bucket {sum, variance·count}. */
    private final List<ArrayDeque<double[]>> rows = new ArrayList<>();

    private long width;
    private double total;
    private double variance; // Σ (x − mean)² over the window
    private long count;
    private long detections;
    private boolean lastCutRose; // the newer sub-window's mean was higher at the last cut

    /**
     * @param delta confidence, in (0, 1) (e.g. 0.002): smaller, fewer false alarms, longer delay
     * @param maxBuckets buckets kept per size, >= 2 (the paper's M; e.g. 5)
     * @param clock look for a cut every this many values, >= 1 (e.g. 32)
     * @param minSubWindow values each sub-window needs before a cut, >= 1 (e.g. 5)
     * @throws IllegalArgumentException for values out of range
     */
    public Adwin(double delta, int maxBuckets, int clock, int minSubWindow) {
        if (!(delta > 0 && delta < 1)) {
            throw new IllegalArgumentException("adwin delta must be in (0, 1), got " + delta);
        }
        if (maxBuckets < 2) {
            throw new IllegalArgumentException("adwin buckets must be >= 2, got " + maxBuckets);
        }
        if (clock < 1) {
            throw new IllegalArgumentException("adwin clock must be >= 1, got " + clock);
        }
        if (minSubWindow < 1) {
            throw new IllegalArgumentException(
                    "adwin min-window must be >= 1, got " + minSubWindow);
        }
        this.delta = delta;
        this.maxBuckets = maxBuckets;
        this.clock = clock;
        this.minSubWindow = minSubWindow;
    }

    /** ADWIN with the reference implementation's defaults except δ: M = 5, clock 32, min 5. */
    public static Adwin withDelta(double delta) {
        return new Adwin(delta, 5, 32, 5);
    }

    @Override
    public boolean update(double x) {
        DriftDetector.requireFinite(x);
        count++;
        insert(x);
        if (count % clock != 0) {
            return false;
        }
        // The window adapts to every change, but only a rise of the mean is an alarm: on a loss, a
        // fall is the model learning, not the world moving.
        boolean rise = false;
        while (cutOnce()) {
            rise |= lastCutRose;
        }
        if (rise) {
            detections++;
        }
        return rise;
    }

    /** Values in the current window. */
    public long width() {
        return width;
    }

    /** Mean of the current window. */
    public double mean() {
        return width == 0 ? 0 : total / width;
    }

    private void insert(double x) {
        if (width > 0) {
            double mean = total / width;
            variance += width * (x - mean) * (x - mean) / (width + 1);
        }
        width++;
        total += x;
        row(0).addLast(new double[] {x, 0});
        for (int i = 0; i < rows.size(); i++) {
            ArrayDeque<double[]> r = rows.get(i);
            if (r.size() <= maxBuckets) {
                break;
            }
            double[] a = r.pollFirst();
            double[] b = r.pollFirst();
            double n = 1L << i;
            double d = a[0] / n - b[0] / n;
            // Merged variance (Chan, Golub, LeVeque): S = S_a + S_b + n_a n_b (μ_a − μ_b)² / (n_a +
            // n_b).
            row(i + 1).addLast(new double[] {a[0] + b[0], a[1] + b[1] + n * n * d * d / (2 * n)});
        }
    }

    private ArrayDeque<double[]> row(int i) {
        while (rows.size() <= i) {
            rows.add(new ArrayDeque<>());
        }
        return rows.get(i);
    }

    /** Drops the oldest bucket if some cut point shows a change; true if it did. */
    private boolean cutOnce() {
        if (width < 2L * minSubWindow) {
            return false;
        }
        double lnInv = Math.log(2 * Math.log(width) / delta); // ln(2/δ'), δ' = δ / ln n
        double varW = variance / width;
        long n0 = 0;
        double s0 = 0;
        for (int i = rows.size() - 1; i >= 0; i--) {
            long size = 1L << i;
            Iterator<double[]> it = rows.get(i).iterator();
            while (it.hasNext()) {
                double[] bucket = it.next();
                n0 += size;
                s0 += bucket[0];
                long n1 = width - n0;
                if (n1 < minSubWindow) {
                    return false;
                }
                if (n0 < minSubWindow) {
                    continue;
                }
                double m = 1 / (1.0 / n0 + 1.0 / n1);
                double eps = Math.sqrt(2 / m * varW * lnInv) + 2 / (3 * m) * lnInv;
                if (Math.abs(s0 / n0 - (total - s0) / n1) >= eps) {
                    lastCutRose = (total - s0) / n1 > s0 / n0;
                    dropOldest();
                    return true;
                }
            }
        }
        return false;
    }

    private void dropOldest() {
        for (int i = rows.size() - 1; i >= 0; i--) {
            ArrayDeque<double[]> r = rows.get(i);
            if (r.isEmpty()) {
                continue;
            }
            double[] b = r.pollFirst();
            long nb = 1L << i;
            long rest = width - nb;
            if (rest == 0) {
                width = 0;
                total = 0;
                variance = 0;
            } else {
                double d = b[0] / nb - (total - b[0]) / rest;
                variance -= b[1] + (double) nb * rest * d * d / width;
                variance = Math.max(0, variance);
                width = rest;
                total -= b[0];
            }
            while (!rows.isEmpty() && rows.get(rows.size() - 1).isEmpty()) {
                rows.remove(rows.size() - 1);
            }
            return;
        }
    }

    @Override
    public void writeState(java.io.DataOutput out) throws java.io.IOException {
        out.writeLong(count);
        out.writeLong(detections);
        out.writeLong(width);
        out.writeDouble(total);
        out.writeDouble(variance);
        out.writeInt(rows.size());
        for (ArrayDeque<double[]> r : rows) {
            out.writeInt(r.size());
            for (double[] b : r) {
                out.writeDouble(b[0]);
                out.writeDouble(b[1]);
            }
        }
    }

    @Override
    public void readState(java.io.DataInput in) throws java.io.IOException {
        count = in.readLong();
        detections = in.readLong();
        width = in.readLong();
        total = in.readDouble();
        variance = in.readDouble();
        rows.clear();
        int n = in.readInt();
        for (int i = 0; i < n; i++) {
            ArrayDeque<double[]> r = new ArrayDeque<>();
            int size = in.readInt();
            for (int j = 0; j < size; j++) {
                r.addLast(new double[] {in.readDouble(), in.readDouble()});
            }
            rows.add(r);
        }
    }

    @Override
    public long detections() {
        return detections;
    }

    @Override
    public long count() {
        return count;
    }

    @Override
    public String describe() {
        return String.format(
                Locale.ROOT,
                "adwin(delta=%s,buckets=%d,clock=%d,min-window=%d)",
                delta,
                maxBuckets,
                clock,
                minSubWindow);
    }
}
