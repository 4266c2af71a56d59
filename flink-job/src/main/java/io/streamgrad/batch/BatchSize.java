package io.streamgrad.batch;

import io.streamgrad.config.InvalidSettingException;
import io.streamgrad.train.Batching;

/**
 * Batch sizes are powers of two from 1 to {@link #MAX}; this says so, and what to use instead. The
 * one exception is {@code full}: plain gradient descent on a small bounded set (see {@link
 * Batching#fullBatch()}).
 */
public final class BatchSize {
    public static final int MAX = 65_536;

    /** The flag value that selects full-batch gradient descent. */
    public static final String FULL = "full";

    private BatchSize() {}

    /**
     * Parses {@code --batch-size}: a power of two, or {@link #FULL} (returned as 0).
     *
     * @throws IllegalArgumentException naming the nearest valid sizes
     */
    public static int parse(String value) {
        String v = value == null ? "" : value.trim();
        if (v.equalsIgnoreCase(FULL)) {
            return 0;
        }
        long n;
        try {
            n = Long.parseLong(v.replace("_", ""));
        } catch (NumberFormatException e) {
            if (v.matches("\\d+")) {
                return require(Long.MAX_VALUE);
            }
            throw new InvalidSettingException(
                    "{batch-size} '"
                            + value
                            + "' is not a number; give a power of two from 1 to "
                            + MAX
                            + " (e.g. 64) or 'full' for full-batch gradient descent");
        }
        return require(n);
    }

    public static boolean isPowerOfTwo(long n) {
        return n > 0 && (n & (n - 1)) == 0;
    }

    /** Returns {@code size} if valid, else throws with the nearest powers of two. */
    public static int require(long size) {
        if (isPowerOfTwo(size) && size <= MAX) {
            return (int) size;
        }
        if (size > MAX) {
            throw new InvalidSettingException(
                    "{batch-size} "
                            + size
                            + " is larger than the maximum "
                            + MAX
                            + "; use "
                            + MAX
                            + " or less");
        }
        if (size < 1) {
            throw new InvalidSettingException(
                    "{batch-size} "
                            + size
                            + " must be a power of two from 1 to "
                            + MAX
                            + "; the smallest is 1");
        }
        long below = Long.highestOneBit(size);
        long above = below << 1;
        throw new InvalidSettingException(
                "{batch-size} "
                        + size
                        + " is not a power of two; the nearest are "
                        + below
                        + " and "
                        + above);
    }
}
