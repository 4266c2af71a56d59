package io.streamgrad.drift;

import java.util.Locale;

/**
 * The Page-Hinkley test for an increase in the mean of a sequence (a rising loss).
 *
 * <p>From E. S. Page, "Continuous inspection schemes", Biometrika 41(1/2):100–115, 1954, in the
 * form of H. Mouss, D. Mouss, N. Mouss and L. Sefouhi, "Test of Page-Hinckley, an approach for
 * fault detection in an agro-alimentary production system", 5th Asian Control Conference, 2004
 * (also J. Gama, R. Sebastião, P. P. Rodrigues, "On evaluating stream learning algorithms", Machine
 * Learning 90, 2013, section 4.1): with x̄_t the mean of x_1..x_t,
 *
 * <pre>
 *   m_T  = Σ_{t=1..T} (x_t − x̄_t − δ)      cumulative deviation above the mean, less a tolerance δ
 *   M_T  = min_{t ≤ T} m_t
 *   PH_T = m_T − M_T                        alarm when PH_T > λ
 * </pre>
 *
 * δ is the size of change tolerated (in the values' units), λ the alarm threshold: larger λ, fewer
 * false alarms and a longer delay. After an alarm the test starts afresh, so the next one is about
 * the new mean. No alarm before {@code minInstances} values.
 *
 * <p>Delay: after a jump of the mean by Δ > δ, m grows by about Δ − δ per value, so an alarm comes
 * after about λ / (Δ − δ) values.
 */
public final class PageHinkley implements DriftDetector {
    private final double delta;
    private final double lambda;
    private final long minInstances;

    private long count;
    private long detections;
    private long n;
    private double mean;
    private double sum;
    private double min;

    /**
     * @param delta tolerated change, >= 0 (e.g. 0.01)
     * @param lambda alarm threshold, > 0 (e.g. 100)
     * @param minInstances values needed after a (re)start before an alarm (e.g. 30)
     * @throws IllegalArgumentException for values out of range
     */
    public PageHinkley(double delta, double lambda, long minInstances) {
        if (!(delta >= 0) || Double.isInfinite(delta)) {
            throw new IllegalArgumentException("page-hinkley delta must be >= 0, got " + delta);
        }
        if (!(lambda > 0) || Double.isInfinite(lambda)) {
            throw new IllegalArgumentException("page-hinkley lambda must be > 0, got " + lambda);
        }
        if (minInstances < 1) {
            throw new IllegalArgumentException(
                    "page-hinkley min-instances must be >= 1, got " + minInstances);
        }
        this.delta = delta;
        this.lambda = lambda;
        this.minInstances = minInstances;
        restart();
    }

    @Override
    public boolean update(double x) {
        DriftDetector.requireFinite(x);
        count++;
        n++;
        mean += (x - mean) / n;
        sum += x - mean - delta;
        min = Math.min(min, sum);
        if (n >= minInstances && sum - min > lambda) {
            detections++;
            restart();
            return true;
        }
        return false;
    }

    /** The current statistic PH_T = m_T − M_T. */
    public double statistic() {
        return n == 0 ? 0 : sum - min;
    }

    private void restart() {
        n = 0;
        mean = 0;
        sum = 0;
        min = Double.POSITIVE_INFINITY;
    }

    @Override
    public void writeState(java.io.DataOutput out) throws java.io.IOException {
        out.writeLong(count);
        out.writeLong(detections);
        out.writeLong(n);
        out.writeDouble(mean);
        out.writeDouble(sum);
        out.writeDouble(min);
    }

    @Override
    public void readState(java.io.DataInput in) throws java.io.IOException {
        count = in.readLong();
        detections = in.readLong();
        n = in.readLong();
        mean = in.readDouble();
        sum = in.readDouble();
        min = in.readDouble();
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
                "page-hinkley(delta=%s,lambda=%s,min-instances=%d)",
                delta,
                lambda,
                minInstances);
    }
}
