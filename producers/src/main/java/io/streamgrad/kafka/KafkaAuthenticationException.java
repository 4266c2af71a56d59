package io.streamgrad.kafka;

/**
 * The Kafka cluster refused the client's credentials (SASL or SSL authentication failed). Kafka
 * does not retry this, so it surfaces at the first request instead of after a timeout.
 */
public class KafkaAuthenticationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * @param kafka where the client connected, with which settings (the message names the file)
     * @param cause Kafka's exception; its message is redacted with {@link KafkaClientConfig#redact}
     */
    public KafkaAuthenticationException(KafkaClientConfig kafka, Throwable cause) {
        super(message(kafka, cause));
    }

    private static String message(KafkaClientConfig kafka, Throwable cause) {
        String why =
                cause.getMessage() == null ? "" : cause.getMessage().lines().findFirst().orElse("");
        String file = kafka.file();
        return "Kafka at "
                + kafka.bootstrapServers()
                + " refused authentication ("
                + kafka.redact(why)
                + "): "
                + (file != null
                        ? "check the user name and password in sasl.jaas.config (and"
                                + " sasl.mechanism, security.protocol) in "
                                + file
                        : "these servers need credentials: pass --command-config FILE with"
                                + " security.protocol, sasl.mechanism and sasl.jaas.config");
    }

    /**
     * The authentication failure among {@code t} and its causes, or null: Kafka wraps it (in an
     * {@code ExecutionException}, a {@code KafkaException}) depending on the client and call.
     */
    public static org.apache.kafka.common.errors.AuthenticationException find(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof org.apache.kafka.common.errors.AuthenticationException a) {
                return a;
            }
        }
        return null;
    }
}
