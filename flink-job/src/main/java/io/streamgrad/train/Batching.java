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
 * @param fullPassLoss in bounded runs, emit the loss over the whole pass at the end of each epoch
 *     (always on with {@code fullBatch})
 * @param shuffle how bounded runs order examples before the windows' shuffle, and whether later
 *     epochs read Kafka again or a pass kept in state
 * @param blockOffsets {@link ShuffleMode#BLOCKS}: consecutive offsets of a partition in one block;
 *     {@link #AUTO_BLOCK_OFFSETS} until a {@link TrainingConfig} sizes it by the model's features
 *     ({@link #autoBlockOffsets})
 * @param groupBlocks {@link ShuffleMode#BLOCKS}: blocks read and interleaved together
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
        boolean fullPassLoss,
        ShuffleMode shuffle,
        int blockOffsets,
        int groupBlocks)
        implements Serializable {

    /**
     * The block size left to the model: {@link TrainingConfig} replaces it by {@link
     * #autoBlockOffsets} of the model's features, so a plan, a checkpoint's provenance and the
     * memory check before the start only ever see a number.
     */
    public static final int AUTO_BLOCK_OFFSETS = 0;

    /**
     * Bytes of events in an automatic block, at most: 4 MiB, so that wide events get blocks whose
     * three groups fit the heap (a fixed 1,024 offsets of 100,000 features needed 25 GB).
     */
    public static final long AUTO_BLOCK_BYTES = 4L << 20;

    /**
     * Offsets in an automatic block, at most: 8,192. Larger blocks of narrow events read fewer
     * bytes past their ends (2 M events of 100 features: 2.10 times the range's bytes from the
     * broker with 1,024 offsets, 1.12 with 8,192) and hold more records per group; a group is
     * packed (a few arrays, not an object per record), so the collector's work does not grow with
     * it: G1 used 0.8 s of CPU in a one-pass run at 8,192 as at 1,024, where one object per record
     * had cost 2.5 to 3.8 s (README, "Shuffle modes").
     */
    public static final int AUTO_BLOCK_MAX_OFFSETS = 8_192;

    /**
     * An event's bytes in the log besides its features: key, model and event ids, times, label and
     * the record's framing (about 90 for {@code produce synthetic}'s 100-feature events).
     */
    static final int EVENT_BYTES_BESIDES_FEATURES = 100;

    public static final int DEFAULT_GROUP_BLOCKS = 16;

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
        if (blockOffsets < 0) {
            throw new InvalidSettingException(
                    "{shuffle-block} must be auto or at least 1, got " + blockOffsets);
        }
        if (groupBlocks < 1) {
            throw new InvalidSettingException(
                    "{shuffle-group} is a number of blocks of at least 1, got " + groupBlocks);
        }
        if (shuffle == ShuffleMode.BLOCKS && window instanceof WindowSpec.EventTime) {
            throw new InvalidSettingException(
                    "{shuffle} blocks reads offsets out of event-time order, so event-time"
                            + " windows would see most events late: use {shuffle} window (or"
                            + " pass) with {window} event-time:…");
        }
    }

    /**
     * The shuffle mode a run gets when it names none: blocks for count windows (breaks the source
     * order), window for event-time windows (keeps it).
     */
    public static ShuffleMode defaultShuffle(WindowSpec window) {
        return window instanceof WindowSpec.EventTime ? ShuffleMode.WINDOW : ShuffleMode.BLOCKS;
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
                true,
                ShuffleMode.BLOCKS,
                AUTO_BLOCK_OFFSETS,
                DEFAULT_GROUP_BLOCKS);
    }

    /**
     * The automatic block size for events of {@code features} floats: the largest power of two of
     * offsets, at most {@value #AUTO_BLOCK_MAX_OFFSETS}, whose events take at most {@link
     * #AUTO_BLOCK_BYTES} (4 bytes per feature plus {@value #EVENT_BYTES_BESIDES_FEATURES}), at
     * least 1. Up to 103 features: 8,192 offsets; 784 (MNIST): 1,024; 10,000: 64; 100,000: 8.
     *
     * @throws IllegalArgumentException when {@code features} is below 1
     */
    public static int autoBlockOffsets(int features) {
        if (features < 1) {
            throw new IllegalArgumentException("features must be at least 1, got " + features);
        }
        long fit = AUTO_BLOCK_BYTES / (4L * features + EVENT_BYTES_BESIDES_FEATURES);
        return fit < 1 ? 1 : Integer.highestOneBit((int) Math.min(fit, AUTO_BLOCK_MAX_OFFSETS));
    }

    /** This batching with an automatic block size replaced by that of {@code features} floats. */
    public Batching sizedFor(int features) {
        return blockOffsets == AUTO_BLOCK_OFFSETS
                ? withBlocks(autoBlockOffsets(features), groupBlocks)
                : this;
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
                fullPassLoss,
                shuffle,
                blockOffsets,
                groupBlocks);
    }

    /** The same batching with window {@code w}; a default blocks shuffle follows it to window. */
    public Batching withWindow(WindowSpec w) {
        ShuffleMode mode =
                shuffle == ShuffleMode.BLOCKS && w instanceof WindowSpec.EventTime
                        ? ShuffleMode.WINDOW
                        : shuffle;
        return new Batching(
                batchSize,
                fullBatch,
                w,
                maxOutOfOrdernessMs,
                idleTimeoutMs,
                latePolicy,
                epochs,
                fullBatchLimit,
                fullPassLoss,
                mode,
                blockOffsets,
                groupBlocks);
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
                fullPassLoss,
                shuffle,
                blockOffsets,
                groupBlocks);
    }

    public Batching withFullPassLoss(boolean on) {
        return new Batching(
                batchSize,
                fullBatch,
                window,
                maxOutOfOrdernessMs,
                idleTimeoutMs,
                latePolicy,
                epochs,
                fullBatchLimit,
                on,
                shuffle,
                blockOffsets,
                groupBlocks);
    }

    /** Examples a count window holds before it closes. */
    public long countWindowSize() {
        return window instanceof WindowSpec.Count c ? (long) batchSize * c.batches() : 0;
    }

    public Batching withShuffle(ShuffleMode mode) {
        return new Batching(
                batchSize,
                fullBatch,
                window,
                maxOutOfOrdernessMs,
                idleTimeoutMs,
                latePolicy,
                epochs,
                fullBatchLimit,
                fullPassLoss,
                mode,
                blockOffsets,
                groupBlocks);
    }

    /** The same batching with {@link ShuffleMode#BLOCKS}' block size and blocks per group. */
    public Batching withBlocks(int offsets, int blocks) {
        return new Batching(
                batchSize,
                fullBatch,
                window,
                maxOutOfOrdernessMs,
                idleTimeoutMs,
                latePolicy,
                epochs,
                fullBatchLimit,
                fullPassLoss,
                shuffle,
                offsets,
                blocks);
    }

    /**
     * Whether a bounded run reads Kafka again for its later epochs and full-pass losses (a replay,
     * see {@link ReplayPlan}); else it keeps the pass in state when it needs it ({@link
     * #keepsPass}).
     */
    public boolean rereadsKafka() {
        return !fullBatch && shuffle != ShuffleMode.PASS;
    }

    /** Whether a bounded run read once keeps every example of the pass in state. */
    public boolean keepsPass() {
        return epochs > 1 || fullBatch || fullPassLoss;
    }

    /**
     * How a bounded run orders its examples, as the first line of {@code train} says it: "shuffle
     * blocks of 8,192 offsets, 16 at a time", "shuffle window" (source order, each window mixed),
     * "shuffle pass" (kept in state) or "full batch".
     */
    public String describeShuffle() {
        if (fullBatch) {
            return "full batch";
        }
        return shuffle == ShuffleMode.BLOCKS
                ? String.format(
                        java.util.Locale.ROOT,
                        "shuffle blocks of %,d offsets, %d at a time",
                        blockOffsets,
                        groupBlocks)
                : "shuffle " + shuffle.wireName();
    }

    /** The batch size as users write it: a number, or "full". */
    public String describeBatchSize() {
        return fullBatch ? BatchSize.FULL : Integer.toString(batchSize);
    }
}
