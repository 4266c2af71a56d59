package io.streamgrad.run.flags;

import io.streamgrad.config.InvalidSettingException;
import io.streamgrad.kafka.TopicAdmin;
import picocli.CommandLine.Option;

/** Where Kafka is and how long to wait for it: the same two flags on every command that uses it. */
public final class KafkaOptions {
    @Option(
            names = "--bootstrap-servers",
            required = true,
            description = "Kafka bootstrap servers, HOST:PORT[,HOST:PORT...]")
    public String bootstrapServers;

    @Option(
            names = "--kafka-timeout-ms",
            defaultValue = "10000",
            description =
                    "How long to wait for Kafka to answer before giving up (default:"
                            + " ${DEFAULT-VALUE})")
    public long timeoutMs;

    /** An admin client on these servers; fails fast with a usage error on a bad timeout. */
    public TopicAdmin admin() {
        if (timeoutMs < 100) {
            throw new InvalidSettingException(
                    "{kafka-timeout-ms} must be at least 100, got " + timeoutMs);
        }
        return new TopicAdmin(bootstrapServers, timeoutMs);
    }
}
