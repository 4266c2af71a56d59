package io.streamgrad.run.flags;

import io.streamgrad.batch.BatchSize;
import io.streamgrad.config.InvalidSettingException;
import io.streamgrad.train.Batching;
import io.streamgrad.train.ShuffleMode;
import io.streamgrad.window.Durations;
import io.streamgrad.window.LatePolicy;
import io.streamgrad.window.WindowSpec;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The mini-batch flags shared by demo and train: one path from flags to {@link Batching}. */
public final class BatchingOptions {
    @Option(
            names = "--batch-size",
            defaultValue = "64",
            description =
                    "Mini-batch size, a power of two 1..65536; or 'full' for full-batch gradient"
                            + " descent on a small bounded set; or 'auto' (demo, bounded train):"
                            + " full up to --full-batch-limit events, else the power of two a"
                            + " short pilot of 'advise' recommends (default: ${DEFAULT-VALUE})")
    public String batchSize;

    @Option(
            names = "--window",
            defaultValue = "count:4",
            description =
                    "Shuffle window: count:K (K batches) or event-time:DURATION (tumbling, e.g."
                            + " event-time:10s) (default: ${DEFAULT-VALUE})")
    public String window;

    @Option(
            names = "--max-out-of-orderness",
            defaultValue = "5s",
            description =
                    "How late an event may arrive behind the newest and still be on time; the"
                            + " watermark trails by this much (default: ${DEFAULT-VALUE})")
    public String maxOutOfOrderness;

    @Option(
            names = "--idle-timeout",
            defaultValue = "60s",
            description =
                    "Live streams: after this long without events, train what has arrived, and"
                            + " stop waiting for quiet partitions' watermarks; 0 = off (default:"
                            + " ${DEFAULT-VALUE})")
    public String idleTimeout;

    @Option(
            names = "--late-events",
            defaultValue = "deadletter",
            description =
                    "Event-time windows: events whose window has closed go to the dead-letter"
                            + " topic (deadletter) or into the next open window (next-window)"
                            + " (default: ${DEFAULT-VALUE})")
    public String lateEvents;

    @Option(
            names = "--epochs",
            defaultValue = "1",
            description =
                    "Bounded runs: passes over the data, each reshuffled (default:"
                            + " ${DEFAULT-VALUE})")
    public int epochs;

    @Option(
            names = "--full-batch-limit",
            defaultValue = "" + Batching.DEFAULT_FULL_BATCH_LIMIT,
            description = "Most events --batch-size full accepts (default: ${DEFAULT-VALUE})")
    public int fullBatchLimit;

    @Option(
            names = "--full-pass-loss",
            negatable = true,
            defaultValue = "true",
            fallbackValue = "true",
            description =
                    "Bounded runs: after each epoch, emit the loss over the whole pass (one more"
                            + " read of the range; with --shuffle pass, from the pass kept in"
                            + " state); --no-full-pass-loss skips it (default: on)")
    public boolean fullPassLoss;

    @Option(
            names = "--shuffle",
            defaultValue = "auto",
            description =
                    "Bounded runs, order of each epoch before the window shuffle: 'blocks' reads"
                            + " the range from Kafka again in blocks of offsets in a seeded random"
                            + " order (memory: three groups of blocks, one read ahead, one queued,"
                            + " one trained on); 'window' reads it in source"
                            + " order (memory: one window; the one for event-time windows);"
                            + " 'pass' keeps the whole pass in state and reshuffles all of it each"
                            + " epoch (memory and checkpoints grow with the pass; refused when it"
                            + " does not fit); 'auto': blocks for count windows, window for"
                            + " event-time windows (default: ${DEFAULT-VALUE})")
    public String shuffle;

    @Option(
            names = "--shuffle-block",
            defaultValue = "auto",
            description =
                    "--shuffle blocks: consecutive offsets of a partition in one block, or 'auto':"
                            + " the largest power of two up to 8192 whose events take at most 4 MiB"
                            + " (4 bytes per feature + 100): 8192 up to 103 features, 1024 for 784,"
                            + " 64 for 10,000 (default: ${DEFAULT-VALUE})")
    public String shuffleBlock;

    @Option(
            names = "--shuffle-group",
            defaultValue = "" + Batching.DEFAULT_GROUP_BLOCKS,
            description =
                    "--shuffle blocks: blocks read together, their records interleaved at random"
                        + " (memory: three such groups of records, one read ahead, one queued, one"
                        + " trained on) (default: ${DEFAULT-VALUE})")
    public int shuffleGroup;

    /** {@code --batch-size auto}: resolved by the run before the job starts. */
    public boolean auto() {
        return "auto".equals(batchSize);
    }

    /** {@code --shuffle-block}: "auto" ({@link Batching#AUTO_BLOCK_OFFSETS}) or offsets ≥ 1. */
    static int blockOffsets(String value) {
        if ("auto".equals(value)) {
            return Batching.AUTO_BLOCK_OFFSETS;
        }
        try {
            int n = Integer.parseInt(value.strip());
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // Refused below with the value as given.
        }
        throw new InvalidSettingException(
                "{shuffle-block} is 'auto' or a number of offsets from 1 to 2,147,483,647, got '"
                        + value
                        + "'");
    }

    /**
     * The shuffle flags given other than as their defaults, as {@code {name}} tokens: each shapes
     * only a bounded run ({@code --shuffle-block} and {@code --shuffle-group} only its blocks).
     */
    private List<String> shuffleFlagsGiven(boolean blockFlagsOnly) {
        List<String> given = new ArrayList<>();
        if (!blockFlagsOnly && !"auto".equals(shuffle)) {
            given.add("{shuffle} " + shuffle);
        }
        if (!"auto".equals(shuffleBlock)) {
            given.add("{shuffle-block} " + shuffleBlock);
        }
        if (shuffleGroup != Batching.DEFAULT_GROUP_BLOCKS) {
            given.add("{shuffle-group} " + shuffleGroup);
        }
        return given;
    }

    /** "leave {a} out" or "leave {a} and {b} out", for flags given as "{a} value". */
    private static String leaveOut(List<String> given) {
        List<String> names = given.stream().map(g -> g.substring(0, g.indexOf(' '))).toList();
        return "leave " + String.join(" and ", names) + " out";
    }

    /**
     * Refuses shuffle flags on a live run, which reads each event once as it arrives and shuffles
     * only within each window: they would be ignored.
     *
     * @throws InvalidSettingException naming the flags given
     */
    public void requireNoShuffleFlagsLive() {
        List<String> given = shuffleFlagsGiven(false);
        if (!given.isEmpty()) {
            throw new InvalidSettingException(
                    String.join(", ", given)
                            + (given.size() == 1 ? " orders" : " order")
                            + " the epochs of a bounded run; a live run trains events as they"
                            + " arrive, each window shuffled: give {bounded}, or "
                            + leaveOut(given));
        }
    }

    /**
     * Refuses the full-pass flags on a live run: a live run has no pass, and no full batch ({@code
     * --batch-size full} is refused there on its own). Ignored, they would still be recorded as the
     * model's settings, and a resume without them refused.
     *
     * @throws InvalidSettingException naming the flags given
     */
    public void requireNoPassFlagsLive() {
        List<String> given = new ArrayList<>();
        if (!fullPassLoss) {
            given.add("{no-full-pass-loss}");
        }
        if (fullBatchLimit != Batching.DEFAULT_FULL_BATCH_LIMIT) {
            given.add("{full-batch-limit} " + fullBatchLimit);
        }
        if (!given.isEmpty()) {
            throw new InvalidSettingException(
                    String.join(", ", given)
                            + (given.size() == 1 ? " is" : " are")
                            + " for the passes of a bounded run (a full-pass loss, a full"
                            + " batch); a live run makes no pass: give {bounded}, or leave "
                            + (given.size() == 1 ? "it" : "them")
                            + " out");
        }
    }

    /** Validates every flag; a bad value throws {@link InvalidSettingException} naming the fix. */
    public Batching toBatching() {
        if (auto()) {
            throw new InvalidSettingException(
                    "{batch-size} auto is chosen before a bounded run starts (demo, train"
                            + " {bounded}); here give a power of two such as 64");
        }
        try {
            int size = BatchSize.parse(batchSize);
            WindowSpec w = WindowSpec.parse(window);
            ShuffleMode mode =
                    "auto".equals(shuffle)
                            ? Batching.defaultShuffle(w)
                            : ShuffleMode.fromWireName(shuffle);
            int blocks = blockOffsets(shuffleBlock);
            List<String> blockFlags = shuffleFlagsGiven(true);
            if (size == 0 && !blockFlags.isEmpty()) {
                throw new InvalidSettingException(
                        String.join(", ", blockFlags)
                                + (blockFlags.size() == 1 ? " is" : " are")
                                + " for {shuffle} blocks, but a full batch ({batch-size} full)"
                                + " reads its range once, in no blocks: "
                                + leaveOut(blockFlags));
            }
            if (mode != ShuffleMode.BLOCKS && !blockFlags.isEmpty()) {
                throw new InvalidSettingException(
                        String.join(", ", blockFlags)
                                + (blockFlags.size() == 1 ? " is" : " are")
                                + " for {shuffle} blocks, but this run reads "
                                + ("auto".equals(shuffle)
                                        ? "its range in source order ({shuffle} auto is window"
                                                + " with event-time windows)"
                                        : mode == ShuffleMode.PASS
                                                ? "its pass once and keeps it ({shuffle} pass)"
                                                : "its range in source order ({shuffle} window)")
                                + ": "
                                + leaveOut(blockFlags)
                                + ", or give {shuffle} blocks");
            }
            return new Batching(
                    size,
                    size == 0,
                    w,
                    Durations.parseMillis("{max-out-of-orderness}", maxOutOfOrderness),
                    Durations.parseMillis("{idle-timeout}", idleTimeout),
                    LatePolicy.fromWireName(lateEvents),
                    epochs,
                    fullBatchLimit,
                    fullPassLoss,
                    mode,
                    blocks,
                    shuffleGroup);
        } catch (InvalidSettingException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException(e.getMessage());
        }
    }
}
