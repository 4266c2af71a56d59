package io.streamgrad.drift;

/**
 * A change detector fed one value at a time. Not thread-safe; state is plain fields so an owner can
 * keep one per model.
 */
public interface DriftDetector {
    /**
     * Adds one value.
     *
     * @return true if a change is detected at this value
     * @throws IllegalArgumentException if {@code x} is not finite
     */
    boolean update(double x);

    /** Changes detected since construction. */
    long detections();

    /** Values seen since construction. */
    long count();

    /**
     * Writes the detector's state (not its parameters), so that an owner that keeps it in a
     * checkpoint can rebuild it with {@link #readState}.
     */
    void writeState(java.io.DataOutput out) throws java.io.IOException;

    /** Replaces this detector's state with one written by {@link #writeState} of the same kind. */
    void readState(java.io.DataInput in) throws java.io.IOException;

    /**
     * Short name with parameters, e.g. {@code adwin(delta=0.002,buckets=5,clock=32,min-window=5)}.
     */
    String describe();

    static void requireFinite(double x) {
        if (!Double.isFinite(x)) {
            throw new IllegalArgumentException("drift detectors need finite values, got " + x);
        }
    }
}
