package io.streamgrad.cli;

import io.streamgrad.batch.Batching;
import io.streamgrad.model.BackendMemory;
import io.streamgrad.model.StepMemory;
import io.streamgrad.train.TrainingConfig;

/** Checks that commands make before a job starts, each failing with the fix in its message. */
final class Preflight {
    private Preflight() {}

    /** Refuses a batch whose training step does not fit in what the ND4J backend can use. */
    static void requireStepFits(TrainingConfig c) {
        Batching b = c.batching();
        long batch = b.fullBatch() ? b.fullBatchLimit() : b.batchSize();
        try {
            StepMemory.requireFits(
                    c.model(),
                    c.optimizer(),
                    batch,
                    b.describeBatchSize(),
                    BackendMemory.current());
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    /** Full-batch gradient descent is for small sets: refuses more events than the limit. */
    static void requireFullBatchFits(Batching b, long events) {
        if (b.fullBatch() && events > b.fullBatchLimit()) {
            throw new UsageException(
                    "--batch-size full is for small bounded sets, and there are "
                            + events
                            + " events (--full-batch-limit "
                            + b.fullBatchLimit()
                            + "): use a power-of-two batch size such as 64, or raise"
                            + " --full-batch-limit");
        }
    }

    /**
     * In the demo the synthetic events are {@code spacingMs} apart, so an event-time window holds a
     * known number of them: refuses a window that holds less than one batch.
     */
    static void requireWindowHoldsABatch(Batching b, long spacingMs) {
        if (b.fullBatch() || !(b.window() instanceof io.streamgrad.batch.WindowSpec.EventTime w)) {
            return;
        }
        long perWindow = w.sizeMs() / spacingMs;
        if (perWindow < b.batchSize()) {
            long needed = (long) b.batchSize() * spacingMs;
            throw new UsageException(
                    "--window "
                            + w.describe()
                            + " holds "
                            + perWindow
                            + " events at the demo's "
                            + spacingMs
                            + " ms spacing, less than one batch of "
                            + b.batchSize()
                            + ": use --window event-time:"
                            + io.streamgrad.batch.Durations.format(needed)
                            + " or more, or a smaller --batch-size");
        }
    }
}
