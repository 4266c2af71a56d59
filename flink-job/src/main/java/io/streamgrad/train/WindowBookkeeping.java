package io.streamgrad.train;

/**
 * The counters and times a model key's windows need between events, kept as one value in Flink
 * keyed state (and in every checkpoint).
 *
 * @param openCount examples waiting in open windows
 * @param passCount examples of the pass kept for later epochs and the full-pass loss
 * @param closedThrough the highest event-time window already closed, {@link Long#MIN_VALUE} if none
 * @param lastArrivalMs processing time (ms) of the newest arrival, for the idle timeout
 * @param idleTimerAtMs processing time (ms) of the registered idle timer, {@link #NO_TIMER} if none
 */
public record WindowBookkeeping(
        long openCount,
        long passCount,
        long closedThrough,
        long lastArrivalMs,
        long idleTimerAtMs) {

    public static final long NO_TIMER = Long.MIN_VALUE;

    /** A model key that has seen nothing yet. */
    public static final WindowBookkeeping INITIAL =
            new WindowBookkeeping(0, 0, Long.MIN_VALUE, 0, NO_TIMER);

    WindowBookkeeping withOpenCount(long n) {
        return new WindowBookkeeping(n, passCount, closedThrough, lastArrivalMs, idleTimerAtMs);
    }

    WindowBookkeeping withPassCount(long n) {
        return new WindowBookkeeping(openCount, n, closedThrough, lastArrivalMs, idleTimerAtMs);
    }

    WindowBookkeeping withClosedThrough(long w) {
        return new WindowBookkeeping(openCount, passCount, w, lastArrivalMs, idleTimerAtMs);
    }

    WindowBookkeeping withLastArrival(long ms) {
        return new WindowBookkeeping(openCount, passCount, closedThrough, ms, idleTimerAtMs);
    }

    WindowBookkeeping withIdleTimer(long ms) {
        return new WindowBookkeeping(openCount, passCount, closedThrough, lastArrivalMs, ms);
    }
}
