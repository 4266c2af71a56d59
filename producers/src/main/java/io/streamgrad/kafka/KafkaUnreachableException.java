package io.streamgrad.kafka;

/** No Kafka broker answered at the given bootstrap servers within the timeout. */
public class KafkaUnreachableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public KafkaUnreachableException(String bootstrapServers, long timeoutMs) {
        super(
                "cannot reach Kafka at "
                        + bootstrapServers
                        + " within "
                        + (timeoutMs % 1000 == 0 ? timeoutMs / 1000 + " s" : timeoutMs + " ms")
                        + ": check that a Kafka broker runs there and that this is its listener"
                        + " (or pass --bootstrap-servers HOST:PORT of one that runs;"
                        + " ./streamgrad demo runs its own); a slow one needs a longer"
                        + " --kafka-timeout-ms; a listener that needs SASL or SSL needs"
                        + " --command-config FILE with the security.protocol it speaks");
    }

    /**
     * Every bootstrap server refused the connection: a broker there would have accepted it.
     *
     * @param refusal what the servers did, e.g. "nothing listens at localhost:1 (connection
     *     refused)"
     */
    public KafkaUnreachableException(String bootstrapServers, String refusal) {
        super(
                "cannot reach Kafka at "
                        + bootstrapServers
                        + ": "
                        + refusal
                        + "; start a broker there, or pass --bootstrap-servers HOST:PORT of one"
                        + " that is running (./streamgrad demo runs its own)");
    }

    /**
     * The listener answers, in another protocol than the client's (TLS or not).
     *
     * @param mismatch what the probe found and what to change ({@link BootstrapProbe})
     */
    static KafkaUnreachableException mismatch(String bootstrapServers, String mismatch) {
        return new KafkaUnreachableException(
                "cannot reach Kafka at " + bootstrapServers + ": " + mismatch, (Void) null);
    }

    /** A message as it is. */
    private KafkaUnreachableException(String message, Void asIs) {
        super(message);
    }

    /** None of the bootstrap servers' host names resolves. */
    public KafkaUnreachableException(String bootstrapServers) {
        super(
                "cannot reach Kafka at "
                        + bootstrapServers
                        + ": no host name there resolves; check --bootstrap-servers HOST:PORT");
    }
}
