package io.streamgrad.job;

/**
 * A run that cannot go on, for a reason stated in the user's terms: the range its replay fixed is
 * no longer in Kafka as it was (deleted by retention, the topic deleted or made again), or its
 * checkpoint names other records than its settings do. A restart would meet the same state, so the
 * job throws it inside Flink's {@code SuppressRestartsException}, and the command prints its
 * message alone, as it prints a refused setting's.
 */
public class RunStoppedException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what stopped the run and what to do, as the command prints it
     */
    public RunStoppedException(String message) {
        super(message);
    }

    /** The first {@code RunStoppedException} in {@code t}'s chain of causes, or null. */
    public static RunStoppedException find(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof RunStoppedException r) {
                return r;
            }
        }
        return null;
    }
}
