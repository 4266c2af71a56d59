package io.streamgrad.job;

import io.streamgrad.train.ReplayPlan;
import io.streamgrad.train.ShuffleMode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * The whole replay of a bounded run's range as one split, with how far it has got: what a
 * checkpoint of the {@link ReplaySource} holds (a few longs per partition, whatever the range).
 *
 * @param range per partition, the first offset and the offset after the last (fixed at the first
 *     start, so every pass reads the same records)
 * @param pass the pass being read (0-based, see {@code train.ReplayPlan})
 * @param group in a pass read as blocks, the group of blocks being read
 * @param emitted in a pass read as blocks, records of the group already emitted
 * @param next in a pass read in merge order, per partition the next offset to read
 * @param grouping the blocks {@code group} and {@code emitted} count in: the plan's when the split
 *     was written ({@link Grouping#UNKNOWN} in a split of version 1, which did not record it)
 * @param passes what each pass was when the split was written: its number, reading order and seed
 *     ({@link Passes#UNKNOWN} in a split of version 1 or 2, which did not record them)
 * @param topicId the id of the topic the range was fixed in ({@code TopicAdmin#topicId}): a topic
 *     deleted and made again under its name has another, and its offsets name other records; empty
 *     when not known (a split of version 4 or earlier)
 */
public record ReplaySplit(
        Map<Integer, long[]> range,
        int pass,
        int group,
        long emitted,
        Map<Integer, Long> next,
        Grouping grouping,
        Passes passes,
        String topicId)
        implements SourceSplit {

    static final String ID = "replay";

    /**
     * How a pass read as blocks is cut: the position {@code (group, emitted)} names different
     * records under another grouping, so a split resumed mid-pass must be read with its own.
     *
     * @param blockOffsets consecutive offsets per block ({@code --shuffle-block})
     * @param groupBlocks blocks per group ({@code --shuffle-group})
     */
    public record Grouping(int blockOffsets, int groupBlocks) {
        /** A split written before the grouping was recorded (serializer version 1). */
        public static final Grouping UNKNOWN = new Grouping(0, 0);

        /**
         * The largest automatic block, and the default group, when splits did not record their
         * grouping (until Dec 1 2026): 1,024 offsets, 16 blocks.
         */
        public static final Grouping BEFORE_RECORDED = new Grouping(1_024, 16);

        static Grouping of(ReplayPlan plan) {
            return new Grouping(plan.blockOffsets(), plan.groupBlocks());
        }
    }

    /**
     * What makes pass {@code p} of a plan the pass it is: whether passes alternate with full-pass
     * loss passes (then pass 1 is epoch 1's loss, else epoch 2), how training passes are read, and
     * the seed of a blocks pass's order. A position inside a pass names other records when any of
     * them changes.
     *
     * @param order how training passes are read ({@code --shuffle}); null when not recorded
     * @param evaluate whether a full-pass loss pass follows each training pass ({@code
     *     --full-pass-loss})
     * @param seed the seed of the blocks' and records' order ({@code --seed})
     */
    public record Passes(ShuffleMode order, boolean evaluate, long seed) {
        /** A split written before these were recorded (serializer versions 1 and 2). */
        public static final Passes UNKNOWN = new Passes(null, false, 0);

        static Passes of(ReplayPlan plan) {
            return new Passes(plan.order(), plan.evaluate(), plan.seed());
        }

        boolean readsBlocks(int pass) {
            return ReplayPlan.readsBlocks(order, evaluate, pass);
        }
    }

    /** Whether this split stopped inside a pass read as blocks, past its start. */
    boolean midBlocksPass(ReplayPlan plan) {
        return pass < plan.passes() && plan.readsBlocks(pass) && (group > 0 || emitted > 0);
    }

    /**
     * Refuses a split that stopped inside a pass read as blocks under another grouping than the
     * plan's: resuming would skip some records of the pass and read others twice. A split of
     * version 1 (grouping unknown) was written when an automatic block had at most 1,024 offsets
     * ({@link Grouping#BEFORE_RECORDED}): under a plan of at most that, it is taken to have used
     * the plan's grouping, as before it was recorded; under a larger block it is refused.
     *
     * @throws RunStoppedException naming both groupings and the flags that resume this split
     */
    void requireResumableBy(ReplayPlan plan) {
        requireSamePasses(plan);
        Grouping planned = Grouping.of(plan);
        boolean unknown = grouping.equals(Grouping.UNKNOWN);
        Grouping was =
                unknown
                        ? new Grouping(
                                Math.min(
                                        planned.blockOffsets(),
                                        Grouping.BEFORE_RECORDED.blockOffsets()),
                                planned.groupBlocks())
                        : grouping;
        if (!midBlocksPass(plan) || was.equals(planned)) {
            return;
        }
        throw new RunStoppedException(
                "the checkpoint stopped in pass "
                        + pass
                        + " at group "
                        + group
                        + " of blocks of "
                        + was.blockOffsets()
                        + " offsets, "
                        + was.groupBlocks()
                        + " blocks per group"
                        + (unknown
                                ? " (it was written before checkpoints recorded the blocks, when"
                                        + " an automatic block had at most 1,024 offsets; if its"
                                        + " run set --shuffle-block, give that value instead)"
                                : "")
                        + "; this job reads blocks of "
                        + planned.blockOffsets()
                        + " offsets, "
                        + planned.groupBlocks()
                        + " per group, where that position names other records. Resume it with"
                        + " --shuffle-block "
                        + was.blockOffsets()
                        + " --shuffle-group "
                        + was.groupBlocks()
                        + ", or start the run without this checkpoint");
    }

    /**
     * Refuses a split whose position the plan would read as other records: past pass 0 under
     * another numbering of passes (full-pass loss on or off), inside a pass read in another order,
     * or inside a blocks pass under another seed. A split that did not record its passes ({@link
     * Passes#UNKNOWN}) is taken to have used the plan's, as before they were recorded.
     *
     * @throws IllegalStateException naming what differs and the flags that resume this split
     */
    private void requireSamePasses(ReplayPlan plan) {
        Passes now = Passes.of(plan);
        if (passes.equals(Passes.UNKNOWN)) {
            return;
        }
        // Past pass 0, pass numbers mean other epochs with full-pass loss switched: even a split
        // past the plan's last pass may not be done under the other numbering.
        boolean renumbered = passes.evaluate() != now.evaluate() && pass > 0;
        // Full-pass loss switched off after the job's epochs were all trained: done either way.
        boolean trained = passes.evaluate() && !now.evaluate() && (pass + 1) / 2 >= plan.epochs();
        if ((!renumbered || trained) && pass >= plan.passes()) {
            return;
        }
        // A merge pass read to its end still counts as inside: its reader moves to the next pass
        // only with the next pass's first record, so a restore would read the pass again.
        boolean inside =
                passes.readsBlocks(pass)
                        ? group > 0 || emitted > 0
                        : !nextOffsets().equals(starts(range));
        List<String> differs = new ArrayList<>();
        List<String> flags = new ArrayList<>();
        if (renumbered) {
            differs.add(
                    "it numbered passes "
                            + (passes.evaluate()
                                    ? "with a full-pass loss pass after each epoch"
                                    : "one per epoch"));
            flags.add(passes.evaluate() ? "--full-pass-loss" : "--no-full-pass-loss");
        }
        if (passes.order() != now.order() && (renumbered || inside && !plan.evaluates(pass))) {
            differs.add("it read training passes in " + passes.order().wireName() + " order");
            flags.add("--shuffle " + passes.order().wireName());
        }
        boolean seeded =
                renumbered
                        ? passes.order() == ShuffleMode.BLOCKS
                        : inside && passes.readsBlocks(pass);
        if (seeded && passes.seed() != now.seed()) {
            differs.add("it ordered blocks with seed " + passes.seed());
            flags.add("--seed " + passes.seed());
        }
        if (differs.isEmpty()) {
            return;
        }
        // The block settings too, so one refusal names every flag (the grouping check would
        // refuse them next).
        Grouping planned = Grouping.of(plan);
        if (passes.order() == ShuffleMode.BLOCKS
                && !grouping.equals(Grouping.UNKNOWN)
                && !grouping.equals(planned)) {
            differs.add(
                    "it read blocks of "
                            + grouping.blockOffsets()
                            + " offsets, "
                            + grouping.groupBlocks()
                            + " per group");
            flags.add(
                    "--shuffle-block "
                            + grouping.blockOffsets()
                            + " --shuffle-group "
                            + grouping.groupBlocks());
        }
        throw new RunStoppedException(
                "the checkpoint stopped in pass "
                        + pass
                        + " where this job's settings name other records: "
                        + String.join("; ", differs)
                        + ". Resume it with "
                        + String.join(" ", flags)
                        + ", or start the run without this checkpoint");
    }

    @Override
    public String splitId() {
        return ID;
    }

    /** The start of pass {@code p}. */
    ReplaySplit atPass(int p) {
        return new ReplaySplit(range, p, 0, 0, starts(range), grouping, passes, topicId);
    }

    /** Per partition of {@code range}, its first offset: where every pass starts. */
    static Map<Integer, Long> starts(Map<Integer, long[]> range) {
        Map<Integer, Long> starts = new TreeMap<>();
        range.forEach((partition, r) -> starts.put(partition, r[0]));
        return starts;
    }

    /** {@link #next}, with every partition of the range in it (its start when not read yet). */
    Map<Integer, Long> nextOffsets() {
        Map<Integer, Long> offsets = starts(range);
        offsets.putAll(next);
        return offsets;
    }

    /**
     * Reads and writes splits (and the enumerator's pending one) as plain data. Version 2 added the
     * grouping, version 3 the passes (the shuffle mode by ordinal, written by builds of Dec 1 2026
     * only), version 4 the passes with the shuffle mode by name, version 5 the topic's id; a split
     * of an earlier version reads with {@link Grouping#UNKNOWN}, {@link Passes#UNKNOWN} or an empty
     * topic id for what it lacks.
     */
    static final class Serializer implements SimpleVersionedSerializer<ReplaySplit> {
        static final int VERSION = 5;

        @Override
        public int getVersion() {
            return VERSION;
        }

        @Override
        public byte[] serialize(ReplaySplit s) throws IOException {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                out.writeInt(s.range().size());
                for (var r : s.range().entrySet()) {
                    out.writeInt(r.getKey());
                    out.writeLong(r.getValue()[0]);
                    out.writeLong(r.getValue()[1]);
                    out.writeLong(s.next().getOrDefault(r.getKey(), r.getValue()[0]));
                }
                out.writeInt(s.pass());
                out.writeInt(s.group());
                out.writeLong(s.emitted());
                out.writeInt(s.grouping().blockOffsets());
                out.writeInt(s.grouping().groupBlocks());
                Passes p = s.passes();
                // By name, not ordinal: a new mode must not change what old checkpoints say.
                out.writeUTF(p.order() == null ? "" : p.order().wireName());
                out.writeBoolean(p.evaluate());
                out.writeLong(p.seed());
                out.writeUTF(s.topicId());
            }
            return bytes.toByteArray();
        }

        private static ShuffleMode shuffleMode(String name) throws IOException {
            for (ShuffleMode m : ShuffleMode.values()) {
                if (m.wireName().equals(name)) {
                    return m;
                }
            }
            throw new IOException("unknown shuffle mode '" + name + "' in a replay split");
        }

        @Override
        public ReplaySplit deserialize(int version, byte[] serialized) throws IOException {
            if (version < 1 || version > VERSION) {
                throw new IOException("unknown replay split version " + version);
            }
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized))) {
                int n = in.readInt();
                Map<Integer, long[]> range = new TreeMap<>();
                Map<Integer, Long> next = new TreeMap<>();
                for (int i = 0; i < n; i++) {
                    int partition = in.readInt();
                    range.put(partition, new long[] {in.readLong(), in.readLong()});
                    next.put(partition, in.readLong());
                }
                int pass = in.readInt();
                int group = in.readInt();
                long emitted = in.readLong();
                Grouping grouping =
                        version == 1 ? Grouping.UNKNOWN : new Grouping(in.readInt(), in.readInt());
                Passes passes = Passes.UNKNOWN;
                if (version == 3) {
                    int ordinal = in.readByte();
                    if (ordinal >= ShuffleMode.values().length) {
                        throw new IOException("unknown shuffle mode " + ordinal + " in a split");
                    }
                    passes =
                            new Passes(
                                    ordinal < 0 ? null : ShuffleMode.values()[ordinal],
                                    in.readBoolean(),
                                    in.readLong());
                } else if (version >= 4) {
                    String order = in.readUTF();
                    passes =
                            new Passes(
                                    order.isEmpty() ? null : shuffleMode(order),
                                    in.readBoolean(),
                                    in.readLong());
                }
                String topicId = version >= 5 ? in.readUTF() : "";
                return new ReplaySplit(
                        range, pass, group, emitted, next, grouping, passes, topicId);
            }
        }
    }
}
