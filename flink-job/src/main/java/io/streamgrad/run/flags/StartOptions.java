package io.streamgrad.run.flags;

import picocli.CommandLine.Option;

/**
 * Where {@code train} starts (and the job jar's entry point): from a snapshot ({@code
 * --warm-start}), at explicit offsets, or, without these flags, where the group or {@code --from}
 * says. Apart from {@link TrainJobOptions} because a backtest's range has its own {@code
 * --from-offset}.
 */
public final class StartOptions {
    @Option(
            names = "--warm-start",
            paramLabel = "latest|VERSION|run:ID|file:PATH",
            description =
                    "Start the model from a snapshot on --snapshots-topic (or a file) instead of a"
                        + " fresh model (latest: the newest trained on --events-topic; VERSION:"
                        + " that iteration; run:ID: that run's last snapshot): parameters,"
                        + " optimizer state, feature statistics and iteration count continue, and"
                        + " the snapshot becomes the parent of the next. Reading starts right after"
                        + " the last offset of each partition the snapshot's lineage says it"
                        + " trained (no gap, no overlap) unless --from-offset says otherwise. The"
                        + " flags must describe the snapshot's model; refused with a state"
                        + " directory that holds a checkpoint")
    public String warmStart;

    @Option(
            names = "--model-key",
            paramLabel = "KEY",
            description =
                    "Model key of the --warm-start snapshot (default: the snapshots topic's only"
                            + " key); events of other keys train fresh models")
    public String modelKey;

    @Option(
            names = "--from-offset",
            paramLabel = "P:OFFSET[,P:OFFSET...]|OFFSET",
            description =
                    "Start reading at these offsets, per partition or one for all (partitions not"
                            + " named: --from), whatever the group has committed. Needed to"
                            + " warm-start from a snapshot whose lineage has no offsets")
    public String fromOffset;
}
