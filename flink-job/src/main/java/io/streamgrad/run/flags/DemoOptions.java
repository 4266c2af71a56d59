package io.streamgrad.run.flags;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The flags of {@code ./streamgrad demo}: the data, the model and batching, the local job. */
public final class DemoOptions {
    @Mixin public ModelOptions model = new ModelOptions();
    @Mixin public BatchingOptions batching = new BatchingOptions();
    @Mixin public JobFileOption jobFile = new JobFileOption();

    /** Synthetic data only: a teacher that changes, to watch the model follow (and drift fire). */
    @Mixin public DriftOptions drift = new DriftOptions();

    @Option(
            names = "--dataset",
            defaultValue = "synthetic",
            description =
                    "synthetic | idx:DIR (MNIST format: trains on the train split, evaluates on"
                            + " the test split) | csv:TRAIN[,TEST] (default: ${DEFAULT-VALUE})")
    public String dataset;

    @Option(
            names = "--label-column",
            description = "csv: the label column, header name or 0-based index (default: last)")
    public String labelColumn;

    @Option(
            names = "--skip-missing-labels",
            description =
                    "csv: skip and count rows whose label is missing (empty, NA, N/A, NaN, null,"
                            + " ?) instead of refusing the file")
    public boolean skipMissingLabels;

    @Option(
            names = "--holdout-fraction",
            defaultValue = "0.2",
            description =
                    "csv without TEST: the share of rows held out, drawn with --seed (default:"
                            + " ${DEFAULT-VALUE})")
    public double holdoutFraction;

    @Option(
            names = "--events",
            defaultValue = "100000",
            description = "Synthetic data: training events (default: ${DEFAULT-VALUE})")
    public long events;

    @Option(
            names = "--holdout-events",
            defaultValue = "10000",
            description =
                    "Synthetic data: held-out events for the final evaluation (default:"
                            + " ${DEFAULT-VALUE})")
    public int holdoutEvents;

    @Option(
            names = "--partitions",
            defaultValue = "4",
            description = "Partitions of the events topic (default: ${DEFAULT-VALUE})")
    public int partitions;

    @Option(
            names = "--noise",
            defaultValue = "0.5",
            description = "Teacher noise (default: ${DEFAULT-VALUE})")
    public double noise;

    @Option(
            names = "--rate",
            defaultValue = "0",
            description =
                    "Producer rate limit, events/s; 0 = unlimited (default: ${DEFAULT-VALUE})")
    public double rate;

    @Option(
            names = "--bad-events",
            defaultValue = "0",
            description =
                    "Also write this many malformed records, to see them dead-lettered (default:"
                            + " ${DEFAULT-VALUE})")
    public int badEvents;

    @Option(
            names = "--parallelism",
            defaultValue = "1",
            description = "Flink parallelism (default: ${DEFAULT-VALUE})")
    public int parallelism;
}
