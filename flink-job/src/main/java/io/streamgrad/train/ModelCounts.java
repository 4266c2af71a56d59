package io.streamgrad.train;

/**
 * One model key's event accounting, kept in Flink keyed state so it survives failover and restarts
 * with the model. At every checkpoint (indeed after every call into {@link KeyedTrainer}): {@code
 * consumed = trained + deadLettered + pending}.
 *
 * @param consumed events of this model that reached its trainer (decoded and valid)
 * @param trained events that went into a training step of their first pass (a step the divergence
 *     guard skipped included: its events were used, its update refused)
 * @param deadLettered events the trainer sent to the dead letters (late under {@code --late-events
 *     deadletter})
 * @param pending events buffered in open windows or the carried remainder, not yet trained
 */
public record ModelCounts(long consumed, long trained, long deadLettered, long pending) {
    /** A model key that has seen nothing yet. */
    public static final ModelCounts ZERO = new ModelCounts(0, 0, 0, 0);

    ModelCounts arrived() {
        return new ModelCounts(consumed + 1, trained, deadLettered, pending + 1);
    }

    ModelCounts arrivedAndDeadLettered() {
        return new ModelCounts(consumed + 1, trained, deadLettered + 1, pending);
    }

    /**
     * Training took buffered events: whatever is no longer pending was trained.
     *
     * <p>More buffered than pending happens only with state written before the accounting existed
     * (an upgrade resuming an older checkpoint): those events are counted as consumed then, rather
     * than failing the job on every restart.
     *
     * @param pendingNow the events still buffered (open windows plus the carried remainder)
     */
    ModelCounts settled(long pendingNow) {
        long unaccounted = Math.max(0, pendingNow - pending);
        long before = pending + unaccounted;
        return new ModelCounts(
                consumed + unaccounted, trained + before - pendingNow, deadLettered, pendingNow);
    }
}
