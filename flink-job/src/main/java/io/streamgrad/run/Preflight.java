package io.streamgrad.run;

import io.streamgrad.config.InvalidSettingException;
import io.streamgrad.kafka.Topic;
import io.streamgrad.model.BackendMemory;
import io.streamgrad.model.StepMemory;
import io.streamgrad.train.Batching;
import io.streamgrad.train.TrainingConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;

/** Checks that commands make before a job starts, each failing with the fix in its message. */
public final class Preflight {
    private Preflight() {}

    /** Refuses a batch whose training step does not fit in what the ND4J backend can use. */
    public static void requireStepFits(TrainingConfig c) {
        requireStepFits(c, BackendMemory.current());
    }

    /** Refuses a batch whose training step does not fit in {@code memory}. */
    public static void requireStepFits(TrainingConfig c, BackendMemory memory) {
        Batching b = c.batching();
        long batch = b.fullBatch() ? b.fullBatchLimit() : b.batchSize();
        StepMemory.requireFits(c.spec(), c.optimizer(), batch, b.describeBatchSize(), memory);
    }

    /** Refuses a model whose snapshot (parameters and optimizer state) exceeds a record. */
    public static void requireSnapshotFits(TrainingConfig c) {
        long p = c.spec().parameterCount();
        long values = p + c.optimizer().toUpdater().stateSize(p);
        long bytes = values * Float.BYTES + 64 * 1024; // and headers, names, provenance
        if (bytes > Topic.SNAPSHOTS.maxRecordBytes()) {
            throw new InvalidSettingException(
                    String.format(
                            "a snapshot of %s with %s is %,d MB, more than the %d MB a snapshot"
                                    + " record may hold: use a smaller model or an optimizer with"
                                    + " less state (sgd keeps none)",
                            c.spec().shorthand(),
                            c.optimizer().name(),
                            bytes >> 20,
                            Topic.SNAPSHOTS.maxRecordBytes() >> 20));
        }
    }

    /**
     * Heap bytes one example takes kept in Flink's heap state: its float features, the record and
     * its two strings, the list's slot (measured with a heap histogram: about 200 bytes besides the
     * features).
     */
    static long keptExampleBytes(int features) {
        return 4L * features + 200;
    }

    /**
     * Bytes one raw record of a group takes in the replay reader, which packs a group: its value (4
     * bytes per feature and Avro's framing), its key and coordinates (about 150 bytes with the
     * framing), and up to a quarter of the value spare (a group's byte arrays start at the size of
     * the group before and an eighth, and a group filled again keeps its arrays while they have at
     * most a quarter spare).
     */
    static long rawRecordBytes(int features) {
        return 4L * features + features + 150;
    }

    /**
     * Refuses, before a bounded run starts, a shuffle that does not fit in half the heap: a pass
     * kept in state ({@code --shuffle pass}) or a group of blocks ({@code --shuffle blocks}),
     * naming the largest block size that fits.
     *
     * @param events the records the run will read (an upper bound: the topic's)
     * @param heapBytes the heap of the JVM that trains
     */
    public static void requireShuffleFits(
            Batching batching, int features, long events, long heapBytes) {
        Batching b = batching.sizedFor(features);
        long budget = heapBytes / 2;
        long perRecord = rawRecordBytes(features);
        int held = io.streamgrad.job.ReplaySource.GROUPS_HELD;
        long largestBlock = Math.max(0, budget / perRecord / b.groupBlocks() / held);
        if (!b.rereadsKafka() && b.keepsPass() && !b.fullBatch()) {
            long bytes = events * keptExampleBytes(features);
            if (bytes > budget) {
                throw new InvalidSettingException(
                        String.format(
                                "{shuffle} pass keeps all %,d events of %d features in state,"
                                        + " about %,d MiB, more than half the %,d MiB heap: %s;"
                                        + " or give the JVM more: "
                                        + moreHeap(bytes),
                                events,
                                features,
                                bytes >> 20,
                                heapBytes >> 20,
                                b.window() instanceof io.streamgrad.window.WindowSpec.EventTime
                                        ? "use {shuffle} window, which reads each epoch again"
                                                + " from Kafka in event-time order"
                                        : String.format(
                                                "use {shuffle} blocks, which reads each epoch"
                                                        + " again from Kafka (with {shuffle-group}"
                                                        + " %d, a {shuffle-block} of up to %,d"
                                                        + " offsets fits)",
                                                b.groupBlocks(), largestBlock)));
            }
        }
        requireBlocksFit(
                b, features, events, heapBytes, bytes -> "give the JVM more: " + moreHeap(bytes));
    }

    /**
     * Refuses a block shuffle ({@code --shuffle blocks} of a bounded run) whose three groups of raw
     * records (one read ahead, one queued, one emitted) take more than half of {@code heapBytes},
     * naming the largest block size that fits.
     *
     * @param events the records of the range, which the groups can never hold more of; 0 or less
     *     when unknown (a job on a cluster)
     * @param heapBytes the heap of the JVM whose source reads the blocks (a slot's share of a
     *     TaskManager's on a cluster)
     * @param more how to get more memory there, given the bytes the groups need: the message's last
     *     words
     * @throws InvalidSettingException when the groups do not fit
     */
    public static void requireBlocksFit(
            Batching batching,
            int features,
            long events,
            long heapBytes,
            LongFunction<String> more) {
        Batching b = batching.sizedFor(features);
        if (!b.rereadsKafka() || b.shuffle() != io.streamgrad.train.ShuffleMode.BLOCKS) {
            return;
        }
        long budget = heapBytes / 2;
        long perRecord = rawRecordBytes(features);
        int held = io.streamgrad.job.ReplaySource.GROUPS_HELD;
        // A group never holds more than the range; the groups held at once may be of two passes
        // (the reader starts the next pass at once), so each can be the whole range.
        long perGroup =
                Math.min(
                        saturatingProduct(b.groupBlocks(), b.blockOffsets()),
                        events > 0 ? events : Long.MAX_VALUE);
        long bytes = saturatingProduct(saturatingProduct(held, perGroup), perRecord);
        if (bytes > budget) {
            long largestBlock = budget / perRecord / b.groupBlocks() / held;
            long largestGroup = budget / perRecord / b.blockOffsets() / held;
            List<String> fixes = new ArrayList<>();
            if (largestBlock > 0) {
                fixes.add(
                        String.format(
                                "lower {shuffle-block} to at most %,d (with {shuffle-group} %,d)",
                                largestBlock, b.groupBlocks()));
            }
            if (largestGroup > 0) {
                fixes.add(
                        String.format(
                                "lower {shuffle-group} to at most %,d (with {shuffle-block} %,d)",
                                largestGroup, b.blockOffsets()));
            }
            if (fixes.isEmpty()) {
                fixes.add("lower {shuffle-block} and {shuffle-group}");
            }
            throw new InvalidSettingException(
                    String.format(
                            "{shuffle} blocks holds %d groups (one read ahead, one queued, one"
                                    + " being trained on) of %,d blocks of %,d records of %d"
                                    + " features%s, about %,d MiB, more than half the %,d MiB"
                                    + " heap: %s; or %s",
                            held,
                            b.groupBlocks(),
                            b.blockOffsets(),
                            features,
                            perGroup < saturatingProduct(b.groupBlocks(), b.blockOffsets())
                                    ? String.format(
                                            " (at most the range's %,d records each)", perGroup)
                                    : "",
                            bytes >> 20,
                            heapBytes >> 20,
                            String.join(", or ", fixes),
                            more.apply(bytes)));
        }
    }

    /** a × b, or {@link Long#MAX_VALUE} where that overflows (both non-negative). */
    private static long saturatingProduct(long a, long b) {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    /**
     * How a local run gets a heap that holds {@code bytes} in its half (the launcher's setting,
     * README "Memory"): whole gibibytes, rounded up.
     */
    static String moreHeap(long bytes) {
        long gib = Math.max(1, -Math.floorDiv(-2 * bytes, 1L << 30));
        String given = heapGivenIn(System::getenv);
        // The launcher adds no heap of its own when one is given there: STREAMGRAD_HEAP would
        // change nothing.
        return given == null
                ? "STREAMGRAD_HEAP=" + gib + "g ./streamgrad ..."
                : "-Xmx"
                        + gib
                        + "g in "
                        + given
                        + ", which sets the heap here, not STREAMGRAD_HEAP";
    }

    private static final java.util.regex.Pattern HEAP_FLAG =
            java.util.regex.Pattern.compile(
                    "(^|\\s)-(Xm[sx]|XX:(MaxHeapSize|InitialHeapSize|MaxRAMPercentage|MaxRAM)=)");

    /**
     * The environment variable through which the heap was given the JVM other than by {@code
     * STREAMGRAD_HEAP} (the launcher's test, README "Memory"), or null.
     */
    static String heapGivenIn(java.util.function.UnaryOperator<String> env) {
        for (String name :
                List.of("STREAMGRAD_JAVA_OPTS", "JDK_JAVA_OPTIONS", "JAVA_TOOL_OPTIONS")) {
            String v = env.apply(name);
            if (v != null && HEAP_FLAG.matcher(v).find()) {
                return name;
            }
        }
        return null;
    }

    /**
     * Refuses, before a backtest starts, a range its variants cannot keep: variants that read the
     * range once ({@code --shuffle pass}, a full batch) and train more than one epoch or report the
     * full-pass loss keep the whole range in state ({@link Batching#keepsPass}), each its own copy;
     * variants that read it from Kafka again for each pass keep none of it.
     *
     * @param variants each variant's batching
     * @param events the records of the range
     * @param heapBytes the heap of the JVM that runs the backtest
     * @throws InvalidSettingException when the kept copies need more than half the heap, naming how
     *     many events of the range fit and the ways out
     */
    public static void requireBacktestFits(
            List<Batching> variants, int features, long events, long heapBytes) {
        // Variants that read the range from Kafka again keep none of it.
        long keeping = variants.stream().filter(b -> !b.rereadsKafka() && b.keepsPass()).count();
        long budget = heapBytes / 2;
        long bytes = keeping * events * keptExampleBytes(features);
        if (keeping == 0 || bytes <= budget) {
            return;
        }
        throw new InvalidSettingException(
                String.format(
                        "the backtest keeps its range of %,d events of %d features in state once"
                                + " for each of its %d variants with more than one {epochs} or"
                                + " {full-pass-loss}, about %,d MiB, more than half the %,d MiB"
                                + " heap: a range of at most %,d events fits ({last} or"
                                + " {from-offset}/{to-offset}), or fewer such variants (but for"
                                + " {batch-size} full, one epoch and {no-full-pass-loss} keep"
                                + " nothing), or {shuffle} blocks or window, which read the range"
                                + " from Kafka again for each pass and keep none of it (not with"
                                + " {batch-size} full); or give the JVM more: "
                                + moreHeap(bytes),
                        events,
                        features,
                        keeping,
                        bytes >> 20,
                        heapBytes >> 20,
                        budget / keeping / keptExampleBytes(features)));
    }

    /** Full-batch gradient descent is for small sets: refuses more events than the limit. */
    public static void requireFullBatchFits(Batching b, long events) {
        if (b.fullBatch() && events > b.fullBatchLimit()) {
            throw new InvalidSettingException(
                    "{batch-size} full is for small bounded sets, and there are "
                            + events
                            + " events ({full-batch-limit} "
                            + b.fullBatchLimit()
                            + "): use a power-of-two batch size such as 64, or raise"
                            + " {full-batch-limit}");
        }
    }

    /**
     * Refuses an event-time window that holds less than one batch at the given rate of events per
     * second of event time ({@code rateSource} says where the rate comes from).
     */
    public static void requireWindowHoldsABatch(
            Batching b, double eventsPerSecond, String rateSource) {
        if (b.fullBatch()
                || !(b.window() instanceof io.streamgrad.window.WindowSpec.EventTime w)
                || !(eventsPerSecond > 0)
                || Double.isInfinite(eventsPerSecond)) {
            return;
        }
        long perWindow = (long) Math.floor(w.sizeMs() * eventsPerSecond / 1000.0);
        if (perWindow < b.batchSize()) {
            long needed = (long) Math.ceil(b.batchSize() * 1000.0 / eventsPerSecond);
            throw new InvalidSettingException(
                    "{window} "
                            + w.describe()
                            + " holds about "
                            + perWindow
                            + " events "
                            + rateSource
                            + ", less than one batch of "
                            + b.batchSize()
                            + ": use {window} event-time:"
                            + io.streamgrad.window.Durations.formatRoundedUp(needed)
                            + " or more, or a smaller {batch-size}");
        }
    }

    /**
     * Refuses an event larger than the events topic's records ({@link Topic#EVENTS}, Kafka's
     * default 1 MiB), before anything is written.
     *
     * @param key the record key it is written with (the model key)
     * @throws InvalidSettingException with the event's size, the limit and the feature count that
     *     fits
     */
    public static void requireEventFits(io.streamgrad.schema.LabeledEvent event, String key) {
        try {
            io.streamgrad.producers.data.EventSize.requireFits(
                    event, key, Topic.EVENTS.maxRecordBytes());
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException(e.getMessage());
        }
    }
}
