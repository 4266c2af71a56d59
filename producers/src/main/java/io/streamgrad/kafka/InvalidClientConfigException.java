package io.streamgrad.kafka;

/**
 * A Kafka client properties file ({@link KafkaClientConfig}) that cannot be used: unreadable, a
 * line that is not {@code key=value}, a key set twice or without a value, or a key streamgrad sets
 * itself. The message names the file (and line) and what to do; it never quotes a value.
 */
public class InvalidClientConfigException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public InvalidClientConfigException(String message) {
        super(message);
    }
}
