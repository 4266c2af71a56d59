package io.streamgrad.producers.data;

/** A data file that cannot be read as what it claims to be; the message names file and place. */
public final class DataFileException extends RuntimeException {
    public DataFileException(String message) {
        super(message);
    }

    public DataFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
