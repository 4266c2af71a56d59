package io.streamgrad.serve;

/** A snapshot whose parameters fail their checksum or do not fit its architecture. */
public final class CorruptSnapshotException extends RuntimeException {
    public CorruptSnapshotException(String message) {
        super(message);
    }
}
