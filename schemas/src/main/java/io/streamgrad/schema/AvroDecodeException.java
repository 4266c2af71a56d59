package io.streamgrad.schema;

/** Bytes that are not a record of the expected type; the message says why. */
public class AvroDecodeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final DeadLetterReason reason;

    public AvroDecodeException(String message) {
        this(DeadLetterReason.UNDECODABLE, message);
    }

    /**
     * @param reason {@link DeadLetterReason#UNDECODABLE} or {@link DeadLetterReason#UNKNOWN_SCHEMA}
     */
    public AvroDecodeException(DeadLetterReason reason, String message) {
        super(message);
        this.reason = reason;
    }

    /** The dead-letter reason of a record that failed this way. */
    public DeadLetterReason reason() {
        return reason;
    }
}
