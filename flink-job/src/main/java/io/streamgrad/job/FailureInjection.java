package io.streamgrad.job;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Failures on purpose, for the failover tests: the trainer operator calls {@link #reached} at the
 * points where a crash is most likely to break exactly-once (a record between checkpoints, an
 * update in the middle of a window's batches, right after a snapshot was handed to its sink), and
 * an armed point throws there once. Unarmed, as in every real run, a call is one volatile read.
 *
 * <p>The counts are static: they work where the tasks run in the test's JVM (a MiniCluster), and
 * survive the job's restarts, so each armed failure happens exactly once.
 */
public final class FailureInjection {
    private FailureInjection() {}

    /** Where the trainer operator may be made to fail. */
    public enum Point {
        /** An example arrives (between checkpoints). */
        RECORD,
        /** An update was made and its metric emitted, other batches of the window still to come. */
        STEP,
        /** A snapshot was emitted to the snapshot sink, not yet committed. */
        SNAPSHOT
    }

    /** The failure thrown; its message names the point. */
    public static final class InjectedFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        InjectedFailure(Point p, long nth) {
            super("injected failure at " + p + " #" + nth);
        }
    }

    private static volatile boolean armed;
    private static final Map<Point, AtomicLong> REMAINING = new EnumMap<>(Point.class);
    private static final Map<Point, Long> AT = new EnumMap<>(Point.class);

    /**
     * Fails the {@code nth} time {@code p} is reached in this JVM (counting across restarts).
     *
     * @throws IllegalArgumentException if {@code nth < 1}
     */
    public static synchronized void failAt(Point p, long nth) {
        if (nth < 1) {
            throw new IllegalArgumentException("nth must be at least 1, got " + nth);
        }
        REMAINING.put(p, new AtomicLong(nth));
        AT.put(p, nth);
        armed = true;
    }

    /** Disarms every point. */
    public static synchronized void reset() {
        armed = false;
        REMAINING.clear();
        AT.clear();
    }

    /** How many armed failures have not happened yet. */
    public static synchronized int pending() {
        int n = 0;
        for (AtomicLong left : REMAINING.values()) {
            if (left.get() > 0) {
                n++;
            }
        }
        return n;
    }

    static void reached(Point p) {
        if (!armed) {
            return;
        }
        AtomicLong left;
        long nth;
        synchronized (FailureInjection.class) {
            left = REMAINING.get(p);
            nth = AT.getOrDefault(p, 0L);
        }
        if (left != null && left.decrementAndGet() == 0) {
            throw new InjectedFailure(p, nth);
        }
    }
}
