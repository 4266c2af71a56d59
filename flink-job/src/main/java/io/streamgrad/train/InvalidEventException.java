package io.streamgrad.train;

import io.streamgrad.schema.DeadLetterReason;

/** An event the job cannot train on: {@code reason} goes on its dead letter. */
public class InvalidEventException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final DeadLetterReason reason;

    public InvalidEventException(DeadLetterReason reason, String detail) {
        super(detail);
        this.reason = reason;
    }

    public DeadLetterReason reason() {
        return reason;
    }
}
