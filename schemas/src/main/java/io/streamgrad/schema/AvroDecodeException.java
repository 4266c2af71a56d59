package io.streamgrad.schema;

/** Bytes that are not a record of the expected type; the message says why. */
public class AvroDecodeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public AvroDecodeException(String message) {
        super(message);
    }
}
