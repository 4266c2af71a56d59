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
 * @param pass a replayed range's pass the key is in ({@link ReplayPlan}); 0 otherwise
 * @param evaluatedLoss in an evaluation pass, the sum of the losses evaluated so far
 * @param evaluatedCorrect in an evaluation pass, the correct predictions so far (NaN for
 *     regression)
 * @param evaluated in an evaluation pass, the examples evaluated so far
 */
public record WindowBookkeeping(
        long openCount,
        long passCount,
        long closedThrough,
        long lastArrivalMs,
        long idleTimerAtMs,
        int pass,
        double evaluatedLoss,
        double evaluatedCorrect,
        long evaluated) {

    public static final long NO_TIMER = Long.MIN_VALUE;

    /** A model key that has seen nothing yet. */
    public static final WindowBookkeeping INITIAL =
            new WindowBookkeeping(0, 0, Long.MIN_VALUE, 0, NO_TIMER, 0, 0, 0, 0);

    WindowBookkeeping withOpenCount(long n) {
        return new WindowBookkeeping(
                n,
                passCount,
                closedThrough,
                lastArrivalMs,
                idleTimerAtMs,
                pass,
                evaluatedLoss,
                evaluatedCorrect,
                evaluated);
    }

    WindowBookkeeping withPassCount(long n) {
        return new WindowBookkeeping(
                openCount,
                n,
                closedThrough,
                lastArrivalMs,
                idleTimerAtMs,
                pass,
                evaluatedLoss,
                evaluatedCorrect,
                evaluated);
    }

    WindowBookkeeping withClosedThrough(long w) {
        return new WindowBookkeeping(
                openCount,
                passCount,
                w,
                lastArrivalMs,
                idleTimerAtMs,
                pass,
                evaluatedLoss,
                evaluatedCorrect,
                evaluated);
    }

    WindowBookkeeping withLastArrival(long ms) {
        return new WindowBookkeeping(
                openCount,
                passCount,
                closedThrough,
                ms,
                idleTimerAtMs,
                pass,
                evaluatedLoss,
                evaluatedCorrect,
                evaluated);
    }

    WindowBookkeeping withIdleTimer(long ms) {
        return new WindowBookkeeping(
                openCount,
                passCount,
                closedThrough,
                lastArrivalMs,
                ms,
                pass,
                evaluatedLoss,
                evaluatedCorrect,
                evaluated);
    }

    WindowBookkeeping withPass(int p) {
        return new WindowBookkeeping(
                openCount, passCount, closedThrough, lastArrivalMs, idleTimerAtMs, p, 0, 0, 0);
    }

    WindowBookkeeping withEvaluated(double loss, double correct, long examples) {
        return new WindowBookkeeping(
                openCount,
                passCount,
                closedThrough,
                lastArrivalMs,
                idleTimerAtMs,
                pass,
                loss,
                correct,
                examples);
    }
}
