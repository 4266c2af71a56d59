package io.streamgrad.kafka;

/**
 * The Kafka cluster refused the client's credentials (SASL authentication failed), or the TLS
 * handshake failed (an untrusted certificate, a protocol mismatch). Kafka does not retry either, so
 * it surfaces at the first request instead of after a timeout; the message says which it was.
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
        if (cause instanceof org.apache.kafka.common.errors.SslAuthenticationException
                && refusedClientCertificate(rootMessage(cause))) {
            // The brokers' alert: they require a client certificate (mutual TLS, their
            // ssl.client.auth=required) and got none, or one they do not trust.
            String where = file != null ? "in " + file : "in a file given as --command-config FILE";
            boolean hasOne = kafka.settings().containsKey("ssl.keystore.location");
            return "the TLS handshake with Kafka at "
                    + kafka.bootstrapServers()
                    + " failed ("
                    + kafka.redact(rootMessage(cause))
                    + "): "
                    + (hasOne
                            ? "the brokers did not accept the client certificate in"
                                    + " ssl.keystore.location "
                                    + where
                                    + ": it must be signed by a CA in the brokers'"
                                    + " ssl.truststore and be valid now"
                            : "the brokers require a client certificate (mutual TLS) and this"
                                    + " client has none: set ssl.keystore.location,"
                                    + " ssl.keystore.password and ssl.key.password "
                                    + where
                                    + " to a keystore with a certificate the brokers trust");
        }
        if (cause instanceof org.apache.kafka.common.errors.SslAuthenticationException) {
            // Not the credentials: TLS failed before SASL began (an untrusted or mismatched
            // certificate, TLS spoken to a listener that does not, or the other way round).
            return "the TLS handshake with Kafka at "
                    + kafka.bootstrapServers()
                    + " failed ("
                    + kafka.redact(rootMessage(cause))
                    + "): if the brokers' certificates are not signed by a CA this JVM trusts, set"
                    + " ssl.truststore.location and ssl.truststore.password "
                    + (file != null ? "in " + file : "in a file given as --command-config FILE")
                    + " to a truststore that holds their CA, and check that security.protocol"
                    + " (SSL or SASL_SSL) is what the listener speaks";
        }
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
     * Whether a TLS failure is the server's alert about the client's certificate (JSSE: "Received
     * fatal alert: bad_certificate", or certificate_required under TLS 1.3, unknown_ca,
     * certificate_unknown); the client's own distrust of the server reads "PKIX path building
     * failed" instead.
     */
    private static boolean refusedClientCertificate(String root) {
        return root.startsWith("Received fatal alert: ")
                && (root.endsWith("bad_certificate")
                        || root.endsWith("certificate_required")
                        || root.endsWith("unknown_ca")
                        || root.endsWith("certificate_unknown"));
    }

    /** The innermost cause's first line: for TLS, the reason ("PKIX path building failed"). */
    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = root.getMessage() != null ? root.getMessage() : root.toString();
        return m.lines().findFirst().orElse("");
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
