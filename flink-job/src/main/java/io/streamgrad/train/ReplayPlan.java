package io.streamgrad.train;

import io.streamgrad.batch.TrainingExample;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The passes of a bounded run that reads its range from Kafka again for every epoch and full-pass
 * loss, instead of keeping the pass in Flink state (Kafka is the data set; the job keeps only what
 * it cannot re-read).
 *
 * <p>Pass {@code p} is epoch {@code p / k + 1} with {@code k = 2} when full-pass losses are
 * evaluated (training passes are even, evaluation passes odd) and {@code k = 1} otherwise. A record
 * of pass {@code p} carries the stream timestamp {@code t + p × unit}: passes follow each other in
 * event time, so one watermark closes each pass's event-time windows, and an operator reads the
 * pass from a record's timestamp alone. The unit is a multiple of the event-time window at least
 * 2<sup>42</sup> ms (139 years), so a pass's windows are the first pass's windows shifted.
 *
 * <p>Reading order ({@link ShuffleMode}): {@code WINDOW} merges the partitions by timestamp (each
 * in offset order; the smallest head goes first, ties to the lower partition); {@code BLOCKS} cuts
 * each partition into blocks of {@code blockOffsets} consecutive offsets (aligned to multiples of
 * it), orders the blocks by a seeded random key per epoch, reads {@code groupBlocks} of them at a
 * time and orders a group's records by a seeded random key per record. Keys depend on a block's or
 * record's own coordinates only, so examples dead-lettered out of a range leave the others' order
 * unchanged.
 *
 * @param epochs training passes
 * @param evaluate whether an evaluation pass (the full-pass loss) follows each training pass
 * @param unitMs the timestamp shift between consecutive passes (ms)
 * @param order how training passes are read; evaluation passes are read in {@code WINDOW} order
 */
public record ReplayPlan(
        int epochs,
        boolean evaluate,
        long unitMs,
        ShuffleMode order,
        int blockOffsets,
        int groupBlocks,
        long seed)
        implements Serializable {

    /** The smallest shift between passes: 2^42 ms, longer than any plausible range. */
    static final long MIN_UNIT_MS = 1L << 42;

    public ReplayPlan {
        if (order == ShuffleMode.PASS) {
            throw new IllegalArgumentException("a pass kept in state is not read again");
        }
        if (unitMs < MIN_UNIT_MS || epochs < 1) {
            throw new IllegalArgumentException("unit " + unitMs + " ms, epochs " + epochs);
        }
    }

    /**
     * The plan of a bounded run's batching.
     *
     * @param seed the run's seed (the block order's)
     * @throws IllegalArgumentException when the batching keeps its pass in state instead, or its
     *     block size is still {@link Batching#AUTO_BLOCK_OFFSETS}
     */
    public static ReplayPlan of(Batching b, long seed) {
        if (!b.rereadsKafka()) {
            throw new IllegalArgumentException("this batching keeps its pass in state");
        }
        if (b.blockOffsets() == Batching.AUTO_BLOCK_OFFSETS) {
            throw new IllegalArgumentException(
                    "the block size is still automatic: a TrainingConfig sizes it by the model");
        }
        long window =
                b.window() instanceof io.streamgrad.window.WindowSpec.EventTime w ? w.sizeMs() : 1;
        long unit = -Math.floorDiv(-MIN_UNIT_MS, window) * window;
        return new ReplayPlan(
                b.epochs(),
                b.fullPassLoss(),
                unit,
                b.shuffle(),
                b.blockOffsets(),
                b.groupBlocks(),
                seed);
    }

    /**
     * Whether {@code other} reads the range exactly as this plan does (the same passes, shifts and
     * order), so that one read serves both: a backtest's variants share one replay. The block size,
     * blocks per group and seed order a {@code BLOCKS} pass only; a {@code WINDOW} pass reads in
     * source order whatever they are.
     */
    public boolean readsLike(ReplayPlan other) {
        return epochs == other.epochs
                && evaluate == other.evaluate
                && unitMs == other.unitMs
                && order == other.order
                && (order != ShuffleMode.BLOCKS
                        || (blockOffsets == other.blockOffsets
                                && groupBlocks == other.groupBlocks
                                && seed == other.seed));
    }

    /**
     * How the plan reads its range, in the settings that decide it, as {@code {setting}} tokens
     * ({@link io.streamgrad.config.InvalidSettingException}): "{epochs} 2, {full-pass-loss},
     * {shuffle} blocks ({shuffle-block} 1024, {shuffle-group} 16, {seed} 7)".
     */
    public String describeReading() {
        return "{epochs} "
                + epochs
                + (evaluate ? ", {full-pass-loss}" : ", no {full-pass-loss}")
                + ", {shuffle} "
                + order.wireName()
                + (order == ShuffleMode.BLOCKS
                        ? " ({shuffle-block} "
                                + blockOffsets
                                + ", {shuffle-group} "
                                + groupBlocks
                                + ", {seed} "
                                + seed
                                + ")"
                        : "");
    }

    /** Passes in all: one per epoch, two with full-pass losses. */
    public int passes() {
        return evaluate ? 2 * epochs : epochs;
    }

    /** The timestamp shift of pass {@code pass} (ms). */
    public long shift(int pass) {
        return pass * unitMs;
    }

    /** The pass a shifted timestamp belongs to; timestamps before 1970 count as pass 0's. */
    public int passOf(long shiftedTimestamp) {
        return (int) Math.max(0, Math.floorDiv(shiftedTimestamp, unitMs));
    }

    /** The epoch (1-based) of a pass. */
    public int epochOf(int pass) {
        return (evaluate ? pass / 2 : pass) + 1;
    }

    /** Whether a pass evaluates (the full-pass loss) instead of training. */
    public boolean evaluates(int pass) {
        return evaluates(evaluate, pass);
    }

    /** Whether pass {@code pass} evaluates, in a plan with full-pass losses or without. */
    public static boolean evaluates(boolean evaluate, int pass) {
        return evaluate && pass % 2 == 1;
    }

    /** Whether pass {@code pass} is read as blocks, in a plan of this order and evaluation. */
    public static boolean readsBlocks(ShuffleMode order, boolean evaluate, int pass) {
        return order == ShuffleMode.BLOCKS && !evaluates(evaluate, pass);
    }

    /** Whether a pass is read as blocks in random order. */
    public boolean readsBlocks(int pass) {
        return readsBlocks(order, evaluate, pass);
    }

    /** Offsets {@code from} (inclusive) to {@code to} (exclusive) of one partition. */
    public record Block(int partition, long from, long to) {}

    /**
     * The blocks of a training pass in reading order, cut into groups read together.
     *
     * @param range per partition, the first offset and the offset after the last
     */
    public List<List<Block>> groups(int pass, Map<Integer, long[]> range) {
        List<Block> blocks = new ArrayList<>();
        for (var r : new TreeMap<>(range).entrySet()) {
            long from = r.getValue()[0];
            long to = r.getValue()[1];
            for (long b = Math.floorDiv(from, blockOffsets);
                    from < to && b * blockOffsets < to;
                    b++) {
                blocks.add(
                        new Block(
                                r.getKey(),
                                Math.max(from, b * blockOffsets),
                                Math.min(to, (b + 1) * blockOffsets)));
            }
        }
        int epoch = epochOf(pass);
        blocks.sort(
                Comparator.comparingLong(
                                (Block b) ->
                                        blockKey(epoch, b.partition(), b.from() / blockOffsets))
                        .thenComparingInt(Block::partition)
                        .thenComparingLong(Block::from));
        List<List<Block>> groups = new ArrayList<>();
        for (int i = 0; i < blocks.size(); i += groupBlocks) {
            groups.add(List.copyOf(blocks.subList(i, Math.min(blocks.size(), i + groupBlocks))));
        }
        return groups;
    }

    /**
     * The examples of one key in the order pass {@code pass} reads them, as the replay source does
     * (for offline replays): examples must carry their Kafka partition and offset.
     *
     * @param examples the key's examples of the range, any order
     */
    public List<TrainingExample> order(int pass, List<TrainingExample> examples) {
        return order(pass, examples, null);
    }

    /**
     * As {@link #order(int, List)} over a range that may hold records that are not examples
     * (dead-lettered ones): their blocks count in the grouping as the source's do.
     *
     * @param range per partition, the first offset and the offset after the last; null for the
     *     examples' own
     */
    public List<TrainingExample> order(
            int pass, List<TrainingExample> examples, Map<Integer, long[]> range) {
        Map<Integer, List<TrainingExample>> byPartition = new TreeMap<>();
        for (TrainingExample e : examples) {
            byPartition.computeIfAbsent(e.partition(), p -> new ArrayList<>()).add(e);
        }
        byPartition
                .values()
                .forEach(l -> l.sort(Comparator.comparingLong(TrainingExample::offset)));
        if (!readsBlocks(pass)) {
            return merged(byPartition);
        }
        if (range == null) {
            Map<Integer, long[]> own = new TreeMap<>();
            byPartition.forEach(
                    (p, l) ->
                            own.put(
                                    p,
                                    new long[] {
                                        l.get(0).offset(), l.get(l.size() - 1).offset() + 1
                                    }));
            range = own;
        }
        List<TrainingExample> out = new ArrayList<>(examples.size());
        for (List<Block> group : groups(pass, range)) {
            List<TrainingExample> records = new ArrayList<>();
            for (Block b : group) {
                for (TrainingExample e : byPartition.getOrDefault(b.partition(), List.of())) {
                    if (e.offset() >= b.from() && e.offset() < b.to()) {
                        records.add(e);
                    }
                }
            }
            records.sort(
                    Comparator.comparingLong(
                                    (TrainingExample e) ->
                                            recordKey(pass, e.partition(), e.offset()))
                            .thenComparingInt(TrainingExample::partition)
                            .thenComparingLong(TrainingExample::offset));
            out.addAll(records);
        }
        return out;
    }

    /**
     * Partitions merged as {@code WINDOW} reads them: the smallest event time among the partitions'
     * heads first, ties to the lower partition.
     */
    private static List<TrainingExample> merged(Map<Integer, List<TrainingExample>> byPartition) {
        List<List<TrainingExample>> lists = new ArrayList<>(byPartition.values());
        int[] next = new int[lists.size()];
        List<TrainingExample> out = new ArrayList<>();
        while (true) {
            int from = -1;
            for (int i = 0; i < lists.size(); i++) {
                if (next[i] < lists.get(i).size()
                        && (from < 0
                                || lists.get(i).get(next[i]).eventTime()
                                        < lists.get(from).get(next[from]).eventTime())) {
                    from = i;
                }
            }
            if (from < 0) {
                return out;
            }
            out.add(lists.get(from).get(next[from]++));
        }
    }

    /** The random key that orders a record within its group in an epoch. */
    public long recordKey(int pass, int partition, long offset) {
        return mix(
                mix(seed ^ 0x632BE59BD9B4E019L * epochOf(pass))
                        ^ partition * 0x9E3779B97F4A7C15L
                        ^ offset);
    }

    private long blockKey(int epoch, int partition, long block) {
        return mix(
                mix(mix(seed * 0xC2B2AE3D27D4EB4FL ^ epoch) ^ partition * 0x165667B19E3779F9L)
                        ^ block);
    }

    /** A 64-bit finalizer (MurmurHash3's fmix64): a fixed bijection that spreads nearby inputs. */
    private static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xFF51AFD7ED558CCDL;
        z = (z ^ (z >>> 33)) * 0xC4CEB9FE1A85EC53L;
        return z ^ (z >>> 33);
    }
}
