package io.streamgrad.run;

import io.streamgrad.config.InvalidSettingException;
import io.streamgrad.job.Accumulators;
import io.streamgrad.job.JobConfig;
import io.streamgrad.job.ReplaySource;
import io.streamgrad.job.TrainingJob;
import io.streamgrad.kafka.TopicAdmin;
import io.streamgrad.model.ModelSpec;
import io.streamgrad.run.flags.Flags;
import io.streamgrad.run.flags.TrainJobOptions;
import io.streamgrad.schema.DeadLetter;
import io.streamgrad.schema.Lineage;
import io.streamgrad.schema.ModelSnapshot;
import io.streamgrad.schema.Task;
import io.streamgrad.train.OffsetRanges;
import io.streamgrad.train.ShuffleMode;
import io.streamgrad.train.Snapshots;
import io.streamgrad.train.WarmStart;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/** What {@code train} does end to end: check everything it can, run the job, summarise the run. */
public final class TrainRun {
    private TrainRun() {}

    /**
     * Checks memory, Kafka, the input topic and the size of a full batch, before any job starts;
     * what the events say ({@link #checkSampledEvents}) is checked once the start is resolved
     * ({@link #resolveStart}: a {@code --from-offset} moves where a bounded run's events are
     * sampled).
     *
     * @return the Kafka cluster's id, which a run's state directory records ({@link #prepare})
     * @throws InvalidSettingException naming the setting to change
     * @throws io.streamgrad.kafka.KafkaUnreachableException when Kafka does not answer in time
     */
    public static String preflight(JobConfig c) {
        return checkSettingsAndTopic(c, null, Runtime.getRuntime().maxMemory());
    }

    /**
     * As {@link #preflight(JobConfig)} for a job submitted to a Flink session cluster ({@link
     * ClusterJob}): the same checks of Kafka, the topic and the events. Nothing is checked against
     * this JVM, which does not train: no ND4J is loaded here, the training step and the block
     * shuffle are checked against a slot of the TaskManagers by {@link SessionClusterCheck}, and a
     * pass kept in state ({@code --shuffle pass}) is not checked at all.
     */
    static String preflightForCluster(JobConfig c) {
        String clusterId = checkSettingsAndTopic(c, null, 0);
        checkSampledEvents(c);
        return clusterId;
    }

    /**
     * As {@link #preflight(JobConfig)} for a run over part of the topic (a backtest's range),
     * without the events' checks, which need the range ({@link #checkSample}): a full batch and a
     * pass kept in state are sized by the records the run reads.
     *
     * @param records the run's records, asked once the topic is known to exist; null for the
     *     topic's whole count
     * @param heapBytes the heap of the JVM that trains, for its training step (ND4J's memory) and
     *     what a bounded run keeps in memory; 0 when this JVM does not train (a cluster's job)
     * @return the Kafka cluster's id
     * @throws InvalidSettingException naming the setting to change
     */
    static String checkSettingsAndTopic(JobConfig c, LongSupplier records, long heapBytes) {
        if (heapBytes > 0) {
            Preflight.requireStepFits(c.training());
        }
        Preflight.requireSnapshotFits(c.training());
        String clusterId;
        try (TopicAdmin admin = new TopicAdmin(c.kafka())) {
            clusterId = admin.requireReachable();
            if (!admin.topicExists(c.topics().events())) {
                throw new InvalidSettingException(
                        "topic "
                                + c.topics().events()
                                + " does not exist on "
                                + c.bootstrapServers()
                                + ": produce to it first (./streamgrad produce synthetic ...)"
                                + " or pass {events-topic}");
            }
            // Counted only when a check needs it (a live run's needs none): four requests.
            boolean fullBatch = c.training().batching().fullBatch();
            long count =
                    !fullBatch && (!c.bounded() || heapBytes <= 0)
                            ? -1
                            : records != null
                                    ? records.getAsLong()
                                    : admin.recordCount(c.topics().events());
            if (fullBatch) {
                Preflight.requireFullBatchFits(c.training().batching(), count);
            }
            if (c.bounded() && heapBytes > 0) {
                Preflight.requireShuffleFits(
                        c.training().batching(), c.training().spec().inputSize(), count, heapBytes);
            }
        }
        return clusterId;
    }

    /**
     * Checks the events the run will meet against its settings: their feature count, the classes
     * they carry ({@link #classesOutsideModel}, {@link #fewerClassesWarning}) and the event-time
     * window against their rate. A live run's windows meet the stream's rate now: its newest events
     * are sampled; a bounded run's from where it starts ({@code --from-offset}), not the head.
     *
     * @throws InvalidSettingException naming the setting to change
     */
    public static void checkSampledEvents(JobConfig c) {
        TopicSample sample =
                TopicSample.read(
                        c.kafka(), c.topics().events(), !c.bounded(), c.startOffsets(), null);
        checkSample(c, sample).forEach(TopicReader::sayOnStandardError);
    }

    /**
     * The checks of {@link #checkSampledEvents} against a sample already read (a backtest reads its
     * range's once for all its variants).
     *
     * @return the warnings to show, each once, in order
     * @throws InvalidSettingException naming the setting to change
     */
    static List<String> checkSample(JobConfig c, TopicSample sample) {
        Integer seen = sample.featureCount();
        int expected = c.training().spec().inputSize();
        if (seen != null && seen != expected) {
            throw new InvalidSettingException(
                    "events on "
                            + c.topics().events()
                            + " have "
                            + seen
                            + " features but {features} is "
                            + expected
                            + ": pass {features} "
                            + seen);
        }
        List<String> warnings = new ArrayList<>();
        classesOutsideModel(c, sample).ifPresent(warnings::add);
        fewerClassesWarning(c, sample).ifPresent(warnings::add);
        // A rate measured on fewer than two batches of events says little about the stream.
        if (sample.sampled() >= 2L * c.training().batching().batchSize()) {
            Preflight.requireWindowHoldsABatch(
                    c.training().batching(),
                    sample.eventsPerSecond(),
                    String.format(
                            "at the rate of %s (%,.1f per second of event time)",
                            sample.describe(sample.sampled(), "", c.topics().events()),
                            sample.eventsPerSecond()));
        }
        return warnings;
    }

    /**
     * The share of sampled labelled events whose class the model lacks above which a run is refused
     * before it starts: such events are dead-lettered, so a run with more of them trains on little
     * of its data (a model given fewer classes than the data has); below it they are bad records
     * among good ones, warned about.
     */
    static final double OUTSIDE_CLASSES_REFUSED = 0.10;

    /**
     * Refuses a classifier of K classes on a topic whose sampled events carry class indices outside
     * 0..K-1 in more than {@value #OUTSIDE_CLASSES_REFUSED} of them, naming the largest class seen
     * and the setting that trains it; a warning when fewer do (the job dead-letters them as {@code
     * class-out-of-range}). Empty for regression or when every sampled class fits.
     *
     * @throws InvalidSettingException when more than the share refused carry classes outside
     */
    static Optional<String> classesOutsideModel(JobConfig c, TopicSample sample) {
        ModelSpec spec = c.training().spec();
        if (!spec.task().isClassification()) {
            return Optional.empty();
        }
        int k = spec.classes();
        long outside = sample.outsideClasses(k);
        long labelled = sample.labelled();
        if (outside == 0) {
            return Optional.empty();
        }
        int largest = sample.largestClass();
        String fix =
                largest < k
                        ? "class indices are 0..K-1: check the producer"
                        : "if the data set has those classes, pass "
                                + (spec.task() == Task.MULTICLASS
                                        ? ""
                                        : spec.family().equals("logistic")
                                                ? "{model} softmax "
                                                : "{task} multiclass ")
                                + "{classes} "
                                + (largest + 1)
                                + " (or more, if the data set has classes the sample missed)"
                                + (sample.outsideClasses(Integer.MAX_VALUE) > 0
                                        ? "; indices below 0 are the producer's to fix"
                                        : "");
        String said =
                String.format(
                        "%,d of %s carry classes outside the model's 0..%d (the largest seen is"
                                + " %d)",
                        outside,
                        sample.describe(labelled, "labelled ", c.topics().events()),
                        k - 1,
                        largest);
        if (outside > OUTSIDE_CLASSES_REFUSED * labelled) {
            throw new InvalidSettingException(said + ": the run would dead-letter them; " + fix);
        }
        return Optional.of(
                "warning: "
                        + Flags.message(
                                new InvalidSettingException(
                                        said
                                                + ": the job dead-letters them as"
                                                + " class-out-of-range; "
                                                + fix)));
    }

    /** Sampled events below which the classes they carry say little about the topic's. */
    static final long CLASS_SAMPLE_MIN = 1_000;

    /**
     * A warning when a multi-class model of K ≥ 3 classes meets a topic whose sampled events carry
     * only classes 0 and 1 (a binary data set, which {@code --model logistic} trains with one
     * output instead of K): it trains, so this is no refusal, and a topic sorted by label starts
     * with few classes too. Empty otherwise, or when fewer than {@value #CLASS_SAMPLE_MIN} events
     * were sampled.
     */
    static Optional<String> fewerClassesWarning(JobConfig c, TopicSample sample) {
        int k = c.training().spec().classes();
        if (c.training().spec().task() != Task.MULTICLASS
                || k < 3
                || sample.sampled() < CLASS_SAMPLE_MIN
                || sample.largestClass() < 0
                || sample.largestClass() > 1) {
            return Optional.empty();
        }
        return Optional.of(
                String.format(
                        "warning: %s carry only classes 0 and 1, and the model has %d: if the"
                                + " data set is binary, --model logistic trains it with one output"
                                + " (or give --classes 2); a topic sorted by label also starts with"
                                + " few classes",
                        sample.describe(sample.sampled(), "", c.topics().events()), k));
    }

    /**
     * A warning when drift detectors watch a bounded run that reads its range shuffled ({@code
     * blocks} or {@code pass}): they watch the loss in training order, in which a change in the
     * stream's order is spread over the whole pass, so they see none. Empty otherwise.
     */
    public static Optional<String> driftOrderWarning(JobConfig c) {
        ShuffleMode shuffle = c.training().batching().shuffle();
        int epochs = c.training().batching().epochs();
        if (!c.bounded()
                || c.training().driftDetectors().isEmpty()
                || shuffle == ShuffleMode.WINDOW
                || (shuffle == ShuffleMode.PASS && epochs == 1)) {
            return Optional.empty();
        }
        String which =
                shuffle == ShuffleMode.PASS
                        ? "--shuffle pass reads epochs 2 to " + epochs + " of "
                        : "--shuffle " + shuffle.wireName() + " reads ";
        return Optional.of(
                "warning: --drift-detector watches the loss in training order, and "
                        + which
                        + c.topics().events()
                        + " in a shuffled order, across which a drift in the stream is spread"
                        + " thin: to find where the stream changed, keep its order with --shuffle"
                        + " window (or an event-time --window)");
    }

    /**
     * Resolves {@code --batch-size auto} (see {@link AutoBatchSize}) for a bounded run over the
     * events topic as it is now: its record count decides between the full batch and a pilot on its
     * first events. Returns null when the batch size is not auto.
     *
     * @throws InvalidSettingException for a live run, or a topic that does not exist
     */
    public static AutoBatchSize.Choice resolveAutoBatchSize(TrainJobOptions o) {
        if (!o.batching.auto()) {
            return null;
        }
        if (!o.bounded) {
            throw new InvalidSettingException(
                    "{batch-size} auto needs {bounded}: a live stream has no size to choose by;"
                            + " give a power of two (./streamgrad advise recommends one)");
        }
        long events;
        try (TopicAdmin admin = o.kafka.admin()) {
            admin.requireReachable();
            if (!admin.topicExists(o.topics.events)) {
                throw new InvalidSettingException(
                        "topic "
                                + o.topics.events
                                + " does not exist on "
                                + o.kafka.bootstrapServers
                                + ": produce to it first or pass {events-topic}");
            }
            events = admin.recordCount(o.topics.events);
        }
        return AutoBatchSize.resolve(
                o.model,
                o.batching,
                events,
                () -> TopicEvents.first(o.kafka.client(), o.topics.events, AutoBatchSize.SAMPLE));
    }

    /**
     * A job configuration with its warm start and start offsets resolved, and what to tell the user
     * about them (null when there is nothing to say).
     */
    public record StartPoint(JobConfig config, String announcement) {}

    /**
     * Resolves {@code --warm-start} and {@code --from-offset} against the snapshots and events
     * topics before the job starts. A warm start reads from right after the last offset of each
     * partition its snapshot's lineage (ancestors included) says was trained, unless {@code
     * fromOffset} names offsets; partitions the lineage does not name start as {@code --from} says.
     *
     * @param warmStartSpec {@code latest|VERSION|run:ID|file:PATH}, or null for a fresh model
     * @param modelKey the snapshot's model key, null for the topic's only key
     * @param fromOffset {@code P:OFFSET[,...]} or one offset for all partitions, or null
     * @throws InvalidSettingException for a snapshot that does not exist or does not fit the flags
     *     (architecture, features, classes, optimizer), one without lineage offsets (written before
     *     v5) or from another topic when no {@code --from-offset} is given, or offsets outside what
     *     the topic holds
     */
    public static StartPoint resolveStart(
            JobConfig c, String warmStartSpec, String modelKey, String fromOffset) {
        if (warmStartSpec == null && modelKey != null) {
            throw new InvalidSettingException(
                    "{model-key} chooses a {warm-start} snapshot: give both");
        }
        if (warmStartSpec == null && fromOffset == null) {
            return new StartPoint(c, null);
        }
        String topic = c.topics().events();
        SortedMap<Integer, long[]> bounds;
        try (KafkaConsumer<byte[], byte[]> consumer = TopicReader.consumer(c.kafka())) {
            bounds = EvaluateRun.offsets(consumer, topic, c.kafka().timeoutMs()).bounds();
        }
        Map<Integer, Long> explicit = null;
        if (fromOffset != null) {
            explicit = new TreeMap<>();
            EvaluationRange.parseOffsets(
                    "from-offset", fromOffset, bounds, explicit, new HashSet<>());
            requireWithin("from-offset", explicit, bounds, topic);
        }
        if (warmStartSpec == null) {
            return new StartPoint(
                    c.warmStarting(null, explicit),
                    "reading " + topic + " from " + describe(explicit) + " (--from-offset)");
        }
        ModelSnapshot s = warmStartSnapshot(c, warmStartSpec, modelKey, explicit == null);
        String name = s.getModel() + " v" + s.getVersion() + " of run " + s.getRunId();
        try {
            Snapshots.warmStartState(s, c.training(), 0); // fits the flags, checksum
        } catch (IllegalStateException e) {
            throw new InvalidSettingException(
                    "{warm-start} " + warmStartSpec + ": " + e.getMessage());
        }
        WarmStart warm = WarmStart.of(s);
        if (explicit != null) {
            return new StartPoint(
                    c.warmStarting(warm, explicit),
                    "warm start from "
                            + name
                            + "; reading "
                            + topic
                            + " from "
                            + describe(explicit)
                            + " (--from-offset)");
        }
        Lineage lineage = s.getLineage();
        OffsetRanges trained = Snapshots.allTrained(s);
        if (trained == null || !lineage.getOffsetsComplete() && trained.isEmpty()) {
            throw new InvalidSettingException(
                    "{warm-start} snapshot "
                            + name
                            + " records no trained offsets (written before snapshots kept their"
                            + " lineage): give {from-offset} to say where to continue reading "
                            + topic
                            + " ("
                            + EvaluationRange.holds(bounds)
                            + ")");
        }
        if (!lineage.getSourceTopic().equals(topic)) {
            throw new InvalidSettingException(
                    "{warm-start} snapshot "
                            + name
                            + " trained on "
                            + lineage.getSourceTopic()
                            + ", not {events-topic} "
                            + topic
                            + ": its offsets say nothing about this topic; give {from-offset}");
        }
        Map<Integer, Long> next = new TreeMap<>(trained.nextOffsets());
        next.keySet().retainAll(bounds.keySet());
        requireWithin("warm-start", next, bounds, topic);
        String others =
                bounds.keySet().stream()
                        .filter(p -> !next.containsKey(p))
                        .map(String::valueOf)
                        .collect(Collectors.joining(","));
        return new StartPoint(
                c.warmStarting(warm, next),
                "warm start from "
                        + name
                        + "; reading "
                        + topic
                        + " right after the offsets it trained: "
                        + describe(next)
                        + (others.isEmpty()
                                ? ""
                                : "; partitions it never trained ("
                                        + others
                                        + ") from the "
                                        + (c.fromEarliest() ? "earliest" : "latest")));
    }

    /**
     * The warm start's snapshot. {@code latest} continuing where a lineage ended ({@code
     * thisTopicFirst}, no {@code --from-offset}) means the latest trained on the events topic, when
     * the key has any: a snapshots topic shared by data sets would otherwise hand over another
     * topic's model, whose offsets say nothing here, and the run would be refused.
     */
    private static ModelSnapshot warmStartSnapshot(
            JobConfig c, String spec, String modelKey, boolean thisTopicFirst) {
        try {
            if (!spec.equals("latest") || !thisTopicFirst) {
                return SnapshotCatalog.find(c.kafka(), c.topics().snapshots(), spec, modelKey);
            }
            List<ModelSnapshot> all =
                    TopicReader.readAll(
                            c.kafka(), c.topics().snapshots(), ModelSnapshot.class, x -> true);
            return SnapshotChoice.choose(
                    spec,
                    modelKey,
                    c.topics().snapshots(),
                    SnapshotChoice.trainedOnFirst(all, c.topics().events(), modelKey));
        } catch (InvalidSettingException e) {
            // SnapshotChoice names its flag as evaluate spells it.
            throw new InvalidSettingException(
                    e.render(n -> n.equals("snapshot") ? "{warm-start}" : "{" + n + "}"));
        }
    }

    /** Each start offset must be one the topic holds now (its end: nothing there yet). */
    private static void requireWithin(
            String flag,
            Map<Integer, Long> start,
            SortedMap<Integer, long[]> bounds,
            String topic) {
        for (Map.Entry<Integer, Long> e : start.entrySet()) {
            long[] b = bounds.get(e.getKey());
            if (e.getValue() < b[0] || e.getValue() > b[1]) {
                throw new InvalidSettingException(
                        "{"
                                + flag
                                + "} starts partition "
                                + e.getKey()
                                + " at offset "
                                + e.getValue()
                                + ", outside what "
                                + topic
                                + " holds: "
                                + EvaluationRange.holds(bounds)
                                + (e.getValue() < b[0]
                                        ? " (the events before were deleted: training would skip"
                                                + " them; give {from-offset} to accept the gap)"
                                        : ""));
            }
        }
    }

    private static String describe(Map<Integer, Long> offsets) {
        return offsets.entrySet().stream()
                .map(e -> "partition " + e.getKey() + " offset " + e.getValue())
                .collect(Collectors.joining(", "));
    }

    /**
     * A run ready to start: its configuration (with the run id it continues, if it resumes), its
     * state directory and the checkpoint it resumes from.
     *
     * @param announcement what the run is about to do, for the first line of output
     */
    public record Prepared(
            JobConfig config,
            StateDirectory state,
            JobRunner.LocalState local,
            String announcement,
            String clusterId,
            String topicId,
            Map<Integer, long[]> range) {}

    /**
     * Opens the run's state directory: resumes from its newest checkpoint, or starts afresh ({@code
     * startOver} deletes what is there and ignores the group's committed offsets).
     *
     * @param clusterId the Kafka cluster's id ({@link #preflight}): a state directory holds one
     *     cluster's offsets
     * @throws InvalidSettingException when the directory holds another configuration's model, a run
     *     on another Kafka cluster or on an events topic since deleted and made again, when a
     *     bounded run of this group already finished, or when a bounded run would read nothing
     *     because the group's offsets are at the end of the topic and there is nothing to resume
     */
    public static Prepared prepare(
            JobConfig c, Path stateDir, boolean startOver, String clusterId) {
        StateDirectory state = StateDirectory.at(stateDir);
        if (startOver) {
            state.clear();
            c = c.startingOver();
        }
        String topicId;
        try (TopicAdmin admin = new TopicAdmin(c.kafka())) {
            topicId = admin.topicId(c.topics().events()).orElse(null);
        }
        StateDirectory.Found found = state.open(c, clusterId, topicId);
        if (found.completed()) {
            boolean sameTopic = found.eventsTopic().equals(c.topics().events());
            long added =
                    sameTopic && found.range().isPresent()
                            ? eventsAddedSince(c, found.range().get())
                            : 0;
            throw InvalidSettingException.withRemedies(
                    "run "
                            + found.runId()
                            + " of group "
                            + c.groupId()
                            + " already trained "
                            + found.eventsTopic()
                            + " to its end (state in "
                            + state.path()
                            + "): "
                            + (added > 0
                                    ? String.format(
                                            "%,d events were added since; {warm-start} run:%s"
                                                    + " {start-over} trains its model on them"
                                                    + " (from its last snapshot), ",
                                            added, found.runId())
                                    : "")
                            + "{start-over} trains a fresh model"
                            + (sameTopic ? " on it again" : " on " + c.topics().events())
                            + ", or use another {group-id}");
        }
        if (c.warmStart() != null && found.checkpoint().isPresent()) {
            // The checkpoint already holds a model (and its offsets): starting it from a snapshot
            // too would be two starting points for one run.
            throw new InvalidSettingException(
                    "{warm-start} and the checkpoint of run "
                            + found.runId()
                            + " in "
                            + state.path()
                            + " both say where the model starts: leave out {warm-start} to resume"
                            + " that run (it keeps its warm start), or {start-over} to warm-start"
                            + " afresh");
        }
        if (found.checkpoint().isPresent()) {
            // Checked first: a lost range needs --start-over whatever the checkpoint holds.
            if (replays(c) && found.range().isPresent()) {
                requireRetained(c, found.range().get(), state);
            }
            requireReadable(found.checkpoint().get(), state);
            JobConfig resumed = c.withRunId(found.runId());
            return new Prepared(
                    resumed,
                    state,
                    new JobRunner.LocalState(
                            state.checkpoints(),
                            found.checkpoint(),
                            false,
                            Optional.of(found.outputStart())),
                    "resuming run "
                            + found.runId()
                            + " from checkpoint "
                            + found.checkpoint().get().getFileName()
                            + " in "
                            + state.path()
                            + " (model, optimizer state, open windows and offsets)",
                    clusterId,
                    topicId,
                    null);
        }
        if (c.bounded() && !c.ignoreCommittedOffsets() && c.startOffsets() == null) {
            try (TopicAdmin admin = new TopicAdmin(c.kafka())) {
                if (admin.groupAtEnd(c.groupId(), c.topics().events())) {
                    throw InvalidSettingException.withRemedies(
                            "group "
                                    + c.groupId()
                                    + " has already read "
                                    + c.topics().events()
                                    + " to its end and "
                                    + state.path()
                                    + " holds no checkpoint to resume: a bounded run would train"
                                    + " nothing. {start-over} replays the topic from the"
                                    + " beginning on a fresh model, or use another {group-id}");
                }
            }
        }
        Map<Integer, long[]> range = c.bounded() ? requireRecords(c) : null;
        if (replays(c)) {
            // The job starts where this range does, so the range's start run.json records (and
            // a resume checks against retention) is where the job reads from, even if retention
            // moves the topic's head or the group's offsets change before the job starts. Its end
            // the job fixes itself, at or after this one.
            Map<Integer, Long> starts = new TreeMap<>();
            range.forEach((p, r) -> starts.put(p, r[0]));
            c = c.startingAt(starts);
        }
        return new Prepared(
                c,
                state,
                new JobRunner.LocalState(
                        state.checkpoints(), Optional.empty(), false, Optional.empty()),
                ("starting run " + c.runId() + " afresh " + startsAt(c, range)).strip()
                        + "; state kept in "
                        + state.path(),
                clusterId,
                topicId,
                replays(c) ? range : null);
    }

    /**
     * Where a fresh run starts, in events: a bounded run's range ("over 12,345 events"), a live
     * run's backlog ("12,345 events behind the end of T, from group G's committed offsets…"), so
     * that a live run that will train nothing until new events come says so.
     *
     * @param range a bounded run's range; null for a live run (read now, as its source will)
     */
    private static String startsAt(JobConfig c, Map<Integer, long[]> range) {
        Map<Integer, long[]> r;
        try {
            r = range != null ? range : TrainingJob.boundedRangeNow(c);
        } catch (RuntimeException e) {
            return ""; // only for the announcement: the job finds its start itself
        }
        long events = r.values().stream().mapToLong(p -> p[1] - p[0]).sum();
        if (c.bounded()) {
            return String.format("over %,d events of %s", events, c.topics().events());
        }
        String from =
                c.startOffsets() != null
                        ? "from the warm start's offsets"
                        : (c.ignoreCommittedOffsets()
                                        ? "from "
                                        : "from group "
                                                + c.groupId()
                                                + "'s committed offsets where it has them, else ")
                                + (c.fromEarliest() ? "the earliest" : "the latest");
        return String.format(
                "%,d events behind the end of %s (%s)", events, c.topics().events(), from);
    }

    /** Whether {@code c} reads its range from Kafka once per pass (a bounded replay). */
    private static boolean replays(JobConfig c) {
        return c.bounded() && c.training().batching().rereadsKafka();
    }

    /**
     * Events the topic holds past a range a run trained to its end: per partition, those after the
     * range's end or the group's committed offset, whichever is later (all of a partition added
     * since), whatever retention deleted before it.
     *
     * @param range per partition, the first offset and the offset after the last
     */
    static long eventsAddedSince(JobConfig c, Map<Integer, long[]> range) {
        SortedMap<Integer, long[]> now;
        try (KafkaConsumer<byte[], byte[]> consumer = TopicReader.consumer(c.kafka())) {
            now =
                    EvaluateRun.offsets(consumer, c.topics().events(), c.kafka().timeoutMs())
                            .bounds();
        }
        // The range recorded before the job started ends where the topic ended then; the job
        // fixes its own end as it starts, at or after that, and commits it for the group when the
        // range is done: events written in between were trained.
        Map<Integer, Long> committed;
        try (TopicAdmin admin = new TopicAdmin(c.kafka())) {
            committed = admin.committedOffsets(c.groupId(), c.topics().events());
        }
        long added = 0;
        for (Map.Entry<Integer, long[]> p : now.entrySet()) {
            long[] was = range.get(p.getKey());
            long from =
                    Math.max(
                            p.getValue()[0],
                            Math.max(
                                    was == null ? 0 : was[1],
                                    committed.getOrDefault(p.getKey(), 0L)));
            added += Math.max(0, p.getValue()[1] - from);
        }
        return added;
    }

    /**
     * The range a fresh bounded run of {@code c} would read if it started now ({@link
     * TrainingJob#boundedRangeNow}), refused before anything starts when it holds no records: its
     * job would train nothing and end.
     *
     * @return per partition, the first offset and the offset after the last
     * @throws InvalidSettingException saying why the range is empty and what to give instead
     */
    static Map<Integer, long[]> requireRecords(JobConfig c) {
        return requireRecords(c, true);
    }

    /**
     * As {@link #requireRecords(JobConfig)}, for a command that may have no {@code --start-over}
     * (the job jar).
     *
     * @param canStartOver whether the command takes {@code --start-over} (named as a remedy)
     */
    static Map<Integer, long[]> requireRecords(JobConfig c, boolean canStartOver) {
        Map<Integer, long[]> range = TrainingJob.boundedRangeNow(c);
        long records = range.values().stream().mapToLong(r -> r[1] - r[0]).sum();
        if (records > 0) {
            return range;
        }
        String where =
                range.entrySet().stream()
                        .map(e -> "partition " + e.getKey() + " at offset " + e.getValue()[1])
                        .collect(Collectors.joining(", "));
        Map<Integer, Long> first = beginningOffsets(c);
        boolean topicEmpty =
                range.entrySet().stream()
                        .allMatch(e -> first.getOrDefault(e.getKey(), 0L) >= e.getValue()[1]);
        String what =
                "a bounded run over "
                        + c.topics().events()
                        + " would read nothing: its range ends where it starts ("
                        + where
                        + "); ";
        if (c.warmStart() != null) {
            throw InvalidSettingException.withRemedies(
                    what
                            + "the warm start's model has trained every offset the topic holds, so"
                            + " there is nothing new to train on yet");
        } else if (c.startOffsets() != null) {
            throw new InvalidSettingException(
                    what
                            + "{from-offset} starts at the topic's end; give an earlier"
                            + " {from-offset}");
        } else if (topicEmpty) {
            throw InvalidSettingException.withRemedies(
                    what + "the topic holds no events; produce to it first");
        } else if (c.fromEarliest() && !c.ignoreCommittedOffsets()) {
            throw InvalidSettingException.withRemedies(
                    what
                            + "group "
                            + c.groupId()
                            + " has read it to its end (its committed offsets); "
                            + (canStartOver
                                    ? "{start-over} replays it from the beginning, or use another"
                                            + " {group-id}"
                                    : "give another {group-id}, or {from-offset} to replay it"));
        }
        throw new InvalidSettingException(
                what
                        + "{from} latest starts at the topic's end where group "
                        + c.groupId()
                        + " has no committed offsets; use {from} earliest");
    }

    /** The first offset each partition of the events topic still holds. */
    private static Map<Integer, Long> beginningOffsets(JobConfig c) {
        try (TopicAdmin admin = new TopicAdmin(c.kafka())) {
            return admin.beginningOffsets(c.topics().events());
        }
    }

    /**
     * Refuses to resume a bounded replay whose range retention has partly deleted since the run
     * first started: the resumed job would stop when its next pass reached the gap.
     */
    private static void requireRetained(
            JobConfig c, Map<Integer, long[]> range, StateDirectory state) {
        List<String> lost = ReplaySource.lostHead(range, beginningOffsets(c));
        if (!lost.isEmpty()) {
            throw InvalidSettingException.withRemedies(
                    "the run in "
                            + state.path()
                            + " replays "
                            + c.topics().events()
                            + ", whose range was deleted in part (by retention, or a"
                            + " delete-records request) since the run first started: "
                            + String.join(", ", lost)
                            + ". Resumed, each epoch would be shorter, so it is not: {start-over}"
                            + " trains afresh on what the topic still holds (keep what a run's"
                            + " epochs read, the topic's retention.ms, while it runs), or use"
                            + " another {group-id}");
        }
    }

    /**
     * Refuses, before anything starts, a checkpoint Flink could not restore (corrupt metadata,
     * state files missing), with the fix: start over, or move it aside so the next older readable
     * checkpoint is resumed.
     */
    private static void requireReadable(Path checkpoint, StateDirectory state) {
        String problem = CheckpointCheck.problem(checkpoint);
        if (problem == null) {
            return;
        }
        String older =
                state.completeCheckpoints().stream()
                        .filter(p -> !p.equals(checkpoint))
                        .filter(p -> CheckpointCheck.problem(p) == null)
                        .findFirst()
                        .map(
                                p ->
                                        "; or move it aside (mv "
                                                + checkpoint
                                                + " "
                                                + checkpoint
                                                + ".corrupt) to resume from the older "
                                                + p.getFileName()
                                                + ", which is readable")
                        .orElse("");
        throw InvalidSettingException.withRemedies(
                "the state directory "
                        + state.path()
                        + " is damaged: its newest checkpoint "
                        + checkpoint
                        + " cannot be restored: "
                        + problem
                        + ". {start-over} deletes the directory and trains a fresh model"
                        + older);
    }

    /**
     * Runs a prepared job in a local MiniCluster until bounded input ends (or the calling thread is
     * interrupted, which cancels it: {@link JobRunner.JobCancelledException}); a finished bounded
     * run is marked complete in its state directory.
     *
     * @throws InvalidSettingException when a bounded run emitted no snapshot: the message gives the
     *     top dead-letter reasons and the fix ({@link DeadLetterReport})
     */
    public static RunSummary run(Prepared p, int webUiPort, JobRunner.Observer observer)
            throws Exception {
        JobConfig c = p.config();
        JobRunner.LocalState local = p.local();
        if (local.outputStart().isEmpty()) {
            // A fresh run's outputs begin at the topics' ends now; recorded, so that a resumed
            // attempt reads the first attempt's outputs too.
            try (TopicAdmin admin = new TopicAdmin(c.kafka())) {
                JobRunner.ensureOutputTopics(admin, c.topics());
                local = local.withOutputStart(OutputStart.now(admin, c.topics()));
            }
        }
        p.state().begin(c, local.outputStart().get(), p.clusterId(), p.topicId(), p.range());
        long startMs = System.currentTimeMillis();
        JobRunner.Outcome outcome = JobRunner.runLocally(c, local, webUiPort, observer);
        boolean emitted = Accumulators.Counter.SNAPSHOTS.in(outcome.accumulators()) > 0;
        if (c.bounded() && emitted) {
            // A run that emitted no model trained nothing: it is not marked done (the refusal
            // below says why), so running it again is not refused as "already trained". Counted
            // by the job (checkpointed, earlier attempts included), not read back from a topic
            // that compaction may have thinned.
            p.state().complete(c);
        }
        if (c.bounded() && !emitted) {
            // The dead-letter topic may be shared: the letters written since the run first
            // started (its earlier attempts' too: their events are behind the checkpoint). A run
            // recorded before its outputs' start was has only this attempt's start time.
            boolean recorded = !OutputStart.BEGINNING.equals(outcome.outputStart());
            throw new InvalidSettingException(
                    DeadLetterReport.explain(
                            TopicReader.readAllWritten(
                                    c.kafka(),
                                    c.topics().deadLetter(),
                                    outcome.outputStart().deadLetters(),
                                    DeadLetter.class,
                                    d -> recorded || d.getFailedAt() >= startMs,
                                    TopicReader::sayOnStandardError)));
        }
        return RunSummary.of(
                c.runId(),
                c.training(),
                outcome.accumulators(),
                outcome.metrics(),
                outcome.snapshots(),
                null,
                null,
                0,
                outcome.wallSeconds(),
                outcome.wallSeconds());
    }
}
