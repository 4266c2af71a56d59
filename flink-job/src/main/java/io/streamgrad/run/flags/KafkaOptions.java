package io.streamgrad.run.flags;

import io.streamgrad.config.InvalidSettingException;
import io.streamgrad.kafka.InvalidClientConfigException;
import io.streamgrad.kafka.KafkaClientConfig;
import io.streamgrad.kafka.TopicAdmin;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Where Kafka is, how to talk to it and how long to wait for it: the same flags on every command
 * that uses it.
 */
public final class KafkaOptions {
    @Option(
            names = "--bootstrap-servers",
            required = true,
            description = "Kafka bootstrap servers, HOST:PORT[,HOST:PORT...]")
    public String bootstrapServers;

    @Option(
            names = "--command-config",
            paramLabel = "FILE",
            description =
                    "Kafka client settings (security.protocol, sasl.*, ssl.*, ...) as a Java"
                            + " properties file, as Kafka's own tools take it; applied to every"
                            + " client of this command (the job's source and sinks, producers,"
                            + " readers, admin). Secrets in it are never printed")
    public Path commandConfig;

    @Option(
            names = "--kafka-timeout-ms",
            defaultValue = "10000",
            description =
                    "How long to wait for Kafka to answer before giving up (default:"
                            + " ${DEFAULT-VALUE})")
    public long timeoutMs;

    /** The shortest wait {@code --kafka-timeout-ms} takes, ms. */
    static final long MIN_TIMEOUT_MS = 1_000;

    private KafkaClientConfig client;

    /**
     * The servers and the client settings of {@code --command-config}, read once, with {@code
     * --kafka-timeout-ms} as every admin client's wait; keys no Kafka client knows are reported on
     * standard error (Kafka ignores them).
     *
     * @throws InvalidSettingException naming {@code --command-config}, the file and line at fault,
     *     or a timeout below 100 ms
     */
    public KafkaClientConfig client() {
        if (client == null) {
            requireTimeout(timeoutMs);
            client = load(bootstrapServers, commandConfig).withTimeoutMs(timeoutMs);
            for (String key : client.unknownKeys()) {
                System.err.println(
                        "streamgrad: warning: "
                                + commandConfig
                                + ": '"
                                + key
                                + "' is not a Kafka client setting; Kafka ignores it");
            }
        }
        return client;
    }

    /**
     * Reads a client properties file for these servers.
     *
     * @param file the file, or null for none (plaintext, no settings)
     * @throws InvalidSettingException naming {@code --command-config}
     */
    public static KafkaClientConfig load(String bootstrapServers, Path file) {
        try {
            return KafkaClientConfig.load(bootstrapServers, file);
        } catch (InvalidClientConfigException e) {
            throw new InvalidSettingException("{command-config} " + e.getMessage());
        }
    }

    /** An admin client on these servers; fails fast with a usage error on a bad timeout. */
    public TopicAdmin admin() {
        return new TopicAdmin(client());
    }

    /**
     * As {@link #load(String, Path)}, with {@code timeoutMs} as every admin client's wait: for a
     * command whose Kafka flags are optional ({@code advise}).
     *
     * @throws InvalidSettingException for a file at fault or a timeout out of range
     */
    public static KafkaClientConfig load(String bootstrapServers, Path file, long timeoutMs) {
        requireTimeout(timeoutMs);
        return load(bootstrapServers, file).withTimeoutMs(timeoutMs);
    }

    private static void requireTimeout(long timeoutMs) {
        // Below a second a healthy broker's first answer (a new connection, the client's own
        // start, a TLS handshake) can come too late, and the run would blame the broker.
        if (timeoutMs < MIN_TIMEOUT_MS || timeoutMs > Integer.MAX_VALUE) {
            throw new InvalidSettingException(
                    "{kafka-timeout-ms} must be "
                            + MIN_TIMEOUT_MS
                            + " to "
                            + Integer.MAX_VALUE
                            + " (ms), got "
                            + timeoutMs);
        }
    }
}
