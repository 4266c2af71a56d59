package io.streamgrad.run.flags;

import io.streamgrad.run.EvaluationRange;
import picocli.CommandLine.Option;

/**
 * Which offsets of the events topic a replay reads ({@code evaluate}, {@code backtest}): per
 * partition or for all, by offset, by record time, or the newest N; default the whole topic.
 */
public final class RangeOptions {
    @Option(
            names = "--from-offset",
            paramLabel = "P:OFFSET[,P:OFFSET...]|OFFSET",
            description =
                    "First offset read, per partition or one for all (default: each partition's"
                            + " first); naming partitions reads only those")
    public String fromOffset;

    @Option(
            names = "--to-offset",
            paramLabel = "P:OFFSET[,P:OFFSET...]|OFFSET",
            description =
                    "Offset after the last one read (exclusive, like Kafka's end offsets), per"
                            + " partition or one for all (default: each partition's end)")
    public String toOffset;

    @Option(
            names = "--from-time",
            paramLabel = "TIME",
            description =
                    "Start at the first record with a timestamp at or after TIME (ISO-8601, e.g."
                            + " 2026-11-30T12:00:00Z, or epoch ms)")
    public String fromTime;

    @Option(
            names = "--to-time",
            paramLabel = "TIME",
            description = "End before the first record with a timestamp at or after TIME")
    public String toTime;

    @Option(
            names = "--last",
            paramLabel = "N",
            description = "The newest N records of each partition (before --to-offset/--to-time)")
    public Long last;

    public EvaluationRange.Request toRequest() {
        return new EvaluationRange.Request(fromOffset, toOffset, fromTime, toTime, last);
    }
}
