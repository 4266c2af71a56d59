package io.streamgrad.train;

/** An event the job cannot train on: {@code reason} is the short code on the dead letter. */
public class InvalidEventException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String reason;

    public InvalidEventException(String reason, String detail) {
        super(detail);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
