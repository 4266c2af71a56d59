package io.streamgrad.run.flags;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The flags of {@code ./streamgrad advise}: the data (a data set as in {@code demo}, or a topic),
 * the model flags of {@code train}, and what to measure.
 */
public final class AdviseOptions {
    @Mixin public ModelOptions model = new ModelOptions();

    @Option(
            names = "--dataset",
            description =
                    "synthetic | idx:DIR | csv:TRAIN[,TEST] (the training split is sampled), as in"
                            + " demo; not with --bootstrap-servers (default: synthetic)")
    public String dataset;

    @Option(
            names = "--label-column",
            description = "csv: the label column, header name or 0-based index (default: last)")
    public String labelColumn;

    @Option(
            names = "--noise",
            defaultValue = "0.5",
            description = "Synthetic data: teacher noise (default: ${DEFAULT-VALUE})")
    public double noise;

    @Option(
            names = "--bootstrap-servers",
            description =
                    "Read the sample from a Kafka topic on these servers instead of --dataset;"
                            + " the input size is then that of its events")
    public String bootstrapServers;

    @Option(
            names = "--command-config",
            paramLabel = "FILE",
            description =
                    "With --bootstrap-servers: Kafka client settings (security.protocol, sasl.*,"
                            + " ssl.*, ...) as a Java properties file, as Kafka's own tools take"
                            + " it")
    public java.nio.file.Path commandConfig;

    @Option(
            names = "--kafka-timeout-ms",
            description =
                    "With --bootstrap-servers: how long to wait for Kafka to answer before giving"
                            + " up (default: 10000)")
    public Long kafkaTimeoutMs;

    @Option(
            names = "--events-topic",
            description =
                    "With --bootstrap-servers: the topic of LabeledEvents (default: "
                            + io.streamgrad.kafka.Topic.Names.EVENTS
                            + ")")
    public String eventsTopic;

    @Option(
            names = "--sample-events",
            defaultValue = "16384",
            description =
                    "Events in the sample: generated (synthetic), drawn with --seed from the"
                            + " training split (data set), or read from the beginning (topic);"
                            + " at least twice --max-batch-size (default: ${DEFAULT-VALUE})")
    public int sampleEvents;

    @Option(
            names = "--batch-size",
            defaultValue = "64",
            description =
                    "The batch size the learning rate was chosen for; the suggested rate is scaled"
                            + " from it (default: ${DEFAULT-VALUE})")
    public String batchSize;

    @Option(
            names = "--min-batch-size",
            defaultValue = "16",
            description =
                    "Smallest batch size timed, and the small batch of the noise estimate"
                            + " (default: ${DEFAULT-VALUE})")
    public int minBatchSize;

    @Option(
            names = "--max-batch-size",
            defaultValue = "2048",
            description =
                    "Largest batch size timed, the big batch of the noise estimate and the pilot's"
                            + " batch (default: ${DEFAULT-VALUE})")
    public int maxBatchSize;

    @Option(
            names = "--noise-pairs",
            defaultValue = "100",
            description =
                    "Pairs of batches averaged by the noise estimate (default: ${DEFAULT-VALUE})")
    public int noisePairs;

    @Option(
            names = "--timing-repeats",
            defaultValue = "15",
            description =
                    "Timed steps per batch size, in rounds over the sizes after 20 warm-up rounds;"
                            + " the median is kept"
                            + " (default: ${DEFAULT-VALUE})")
    public int timingRepeats;

    @Option(
            names = "--pilot-iterations",
            defaultValue = "200",
            description =
                    "Length of the pilot run at --max-batch-size that counts N_iter (default:"
                            + " ${DEFAULT-VALUE})")
    public int pilotIterations;
}
