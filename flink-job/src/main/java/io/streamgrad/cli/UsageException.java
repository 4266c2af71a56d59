package io.streamgrad.cli;

/** A wrong flag or config value: printed as one line, exit code 2. */
public class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }
}
