package io.streamgrad.window;

/**
 * Decides which event-time window an arriving event joins, or that it is late. Free of Flink: the
 * operator passes the current watermark.
 *
 * <p>A window closes when the watermark reaches its last millisecond (or when an idle timeout
 * closed it early); an event is late when its own window has closed. Late events are either
 * dead-lettered or put into the earliest window still open, per {@link LatePolicy}.
 */
public final class EventTimeAssigner {
    private EventTimeAssigner() {}

    /**
     * Where an event goes.
     *
     * @param window the window it joins; meaningless when it is dead-lettered
     * @param late its own window had closed
     * @param deadLetter late, and the policy dead-letters late events
     */
    public record Assignment(long window, boolean late, boolean deadLetter) {}

    /**
     * @param watermark the operator's current watermark
     * @param closedThrough the highest window already closed, or Long.MIN_VALUE if none
     */
    public static Assignment assign(
            WindowSpec.EventTime spec,
            long eventTime,
            long watermark,
            long closedThrough,
            LatePolicy policy) {
        long own = spec.windowOf(eventTime);
        boolean late = spec.lastMillisOf(own) <= watermark || own <= closedThrough;
        if (!late) {
            return new Assignment(own, false, false);
        }
        if (policy == LatePolicy.DEADLETTER) {
            return new Assignment(own, true, true);
        }
        long firstOpenByWatermark =
                watermark == Long.MAX_VALUE ? Long.MAX_VALUE : spec.windowOf(watermark + 1);
        long firstOpen =
                closedThrough == Long.MIN_VALUE
                        ? firstOpenByWatermark
                        : Math.max(closedThrough + 1, firstOpenByWatermark);
        return new Assignment(firstOpen, true, false);
    }
}
