package io.streamgrad.batch;

/** Batch sizes are powers of two from 1 to {@link #MAX}; this says so, and what to use instead. */
public final class BatchSize {
    public static final int MAX = 65_536;

    private BatchSize() {}

    public static boolean isPowerOfTwo(long n) {
        return n > 0 && (n & (n - 1)) == 0;
    }

    /** Returns {@code size} if valid, else throws with the nearest powers of two. */
    public static int require(long size) {
        if (isPowerOfTwo(size) && size <= MAX) {
            return (int) size;
        }
        if (size > MAX) {
            throw new IllegalArgumentException(
                    "--batch-size "
                            + size
                            + " is larger than the maximum "
                            + MAX
                            + "; use "
                            + MAX
                            + " or less");
        }
        if (size < 1) {
            throw new IllegalArgumentException(
                    "--batch-size "
                            + size
                            + " must be a power of two from 1 to "
                            + MAX
                            + "; the smallest is 1");
        }
        long below = Long.highestOneBit(size);
        long above = below << 1;
        throw new IllegalArgumentException(
                "--batch-size "
                        + size
                        + " is not a power of two; the nearest are "
                        + below
                        + " and "
                        + above);
    }
}
