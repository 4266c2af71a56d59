package io.streamgrad.train;

import io.streamgrad.batch.BatchSize;
import io.streamgrad.config.InvalidSettingException;
import io.streamgrad.window.LatePolicy;
import io.streamgrad.window.WindowSpec;
import java.io.Serializable;

/**
 * How examples become mini-batches: batch size, shuffle window, event-time lateness, idle timeout
 * and epochs. One record for the flags, the job and the tests.
 *
 * @param batchSize a power of two; ignored when {@code fullBatch}
 * @param fullBatch one update per epoch on every example of a small bounded set (plain gradient
 *     descent): the documented exception to the power-of-two rule
 * @param maxOutOfOrdernessMs how far behind the newest event time an event may arrive and still be
 *     on time (bounds the watermark delay)
 * @param idleTimeoutMs when a live stream has been quiet this long, train what has arrived; also
 *     marks quiet source partitions idle so they do not hold back the watermark. 0 = off
 * @param latePolicy what happens to events whose event-time window has closed
 * @param epochs passes over bounded input; 1 for live streams
 * @param fullBatchLimit the most events full-batch gradient descent accepts
 * @param fullPassLoss in bounded runs, keep the pass in state and emit the loss over all of it at
 *     the end of each epoch (always on when {@code epochs > 1} or {@code fullBatch})
 */
public record Batching(
        int batchSize,
        boolean fullBatch,
        WindowSpec window,
        long maxOutOfOrdernessMs,
        long idleTimeoutMs,
        LatePolicy latePolicy,
        int epochs,
        int fullBatchLimit,
        boolean fullPassLoss)
        implements Serializable {

    public static final int DEFAULT_FULL_BATCH_LIMIT = 2_000;

    public Batching {
        if (!fullBatch) {
            BatchSize.require(batchSize);
        }
        if (maxOutOfOrdernessMs < 0) {
            throw new InvalidSettingException("{max-out-of-orderness} must not be negative");
        }
        if (idleTimeoutMs < 0) {
            throw new InvalidSettingException("{idle-timeout} must not be negative");
        }
        if (epochs < 1) {
            throw new InvalidSettingException("{epochs} must be at least 1, got " + epochs);
        }
        if (fullBatchLimit < 1) {
            throw new InvalidSettingException(
                    "{full-batch-limit} must be at least 1, got " + fullBatchLimit);
        }
    }

    /** Count windows of 4 batches of 64, the defaults of the CLI. */
    public static Batching defaults() {
        return new Batching(
                64,
                false,
                new WindowSpec.Count(4),
                5_000,
                60_000,
                LatePolicy.DEADLETTER,
                1,
                DEFAULT_FULL_BATCH_LIMIT,
                true);
    }

    public Batching withBatchSize(int size) {
        return new Batching(
                size,
                false,
                window,
                maxOutOfOrdernessMs,
                idleTimeoutMs,
                latePolicy,
                epochs,
                fullBatchLimit,
                fullPassLoss);
    }

    public Batching withWindow(WindowSpec w) {
        return new Batching(
                batchSize,
                fullBatch,
                w,
                maxOutOfOrdernessMs,
                idleTimeoutMs,
                latePolicy,
                epochs,
                fullBatchLimit,
                fullPassLoss);
    }

    public Batching withEpochs(int e) {
        return new Batching(
                batchSize,
                fullBatch,
                window,
                maxOutOfOrdernessMs,
                idleTimeoutMs,
                latePolicy,
                e,
                fullBatchLimit,
                fullPassLoss);
    }

    /** Examples a count window holds before it closes. */
    public long countWindowSize() {
        return window instanceof WindowSpec.Count c ? (long) batchSize * c.batches() : 0;
    }

    /** Whether a bounded run keeps every example of the pass in state. */
    public boolean keepsPass() {
        return epochs > 1 || fullBatch || fullPassLoss;
    }

    /** The batch size as users write it: a number, or "full". */
    public String describeBatchSize() {
        return fullBatch ? BatchSize.FULL : Integer.toString(batchSize);
    }
}
