package io.streamgrad.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamgrad.batch.TrainingExample;
import io.streamgrad.model.Activation;
import io.streamgrad.model.ModelSpec;
import io.streamgrad.model.OptimizerSpec;
import io.streamgrad.producers.SyntheticConfig;
import io.streamgrad.producers.SyntheticEvents;
import io.streamgrad.schema.DeadLetter;
import io.streamgrad.schema.EventCounts;
import io.streamgrad.schema.LabeledEvent;
import io.streamgrad.schema.MetricKind;
import io.streamgrad.schema.ModelSnapshot;
import io.streamgrad.schema.Task;
import io.streamgrad.schema.TrainingMetric;
import io.streamgrad.train.Batching;
import io.streamgrad.train.EventValidator;
import io.streamgrad.train.ModelTrainer;
import io.streamgrad.train.OfflineReplay;
import io.streamgrad.train.Snapshots;
import io.streamgrad.train.TrainingConfig;
import io.streamgrad.window.LatePolicy;
import io.streamgrad.window.WindowSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The trainer operator under Flink's own keyed operator harness: watermarks and processing time are
 * set by the test, and the main output (metrics) and side outputs (snapshots, late events) are
 * asserted exactly.
 */
class TrainKeyedProcessFunctionTest {
    private static final int FEATURES = 5;
    private static final int BATCH = 4;
    private static final String KEY = "m";

    @Test
    void aTrainerChainedToTheReplaysOneReaderRefusesToOpenOnSeveralSubtasks() throws Exception {
        TrainingConfig config = config(new WindowSpec.Count(4), LatePolicy.DEADLETTER, 0, 2);
        // Max parallelism 128, two subtasks: rescaled in place, as reactive mode would.
        var twoSubtasks = subtask(config, true, 2);
        Exception e =
                org.junit.jupiter.api.Assertions.assertThrows(Exception.class, twoSubtasks::open);
        Throwable cause = e;
        while (!(cause instanceof IllegalStateException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        assertTrue(
                cause.getMessage().contains("restart it from its checkpoint with --parallelism 2"),
                cause.getMessage());
        twoSubtasks.close();
        // The same function keyed by hash opens on two subtasks; chained, on one.
        try (var hashed = subtask(config, false, 2)) {
            hashed.open();
        }
        try (var one = subtask(config, true, 1)) {
            one.open();
        }
    }

    /** Subtask 0 of {@code subtasks}, max parallelism 128. */
    private static KeyedOneInputStreamOperatorTestHarness<String, TrainingExample, TrainingMetric>
            subtask(TrainingConfig config, boolean oneSubtaskOnly, int subtasks) throws Exception {
        TrainKeyedProcessFunction f =
                new TrainKeyedProcessFunction(config, "run", "events", true, Map.of());
        return new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(oneSubtaskOnly ? f.oneSubtaskOnly() : f),
                TrainingExample::modelKey,
                Types.STRING,
                128,
                subtasks,
                0);
    }

    @Test
    void eventTimeWindowsCloseOnTheWatermarkAndLateEventsAreDeadLettered() throws Exception {
        TrainingConfig config =
                config(new WindowSpec.EventTime(1_000), LatePolicy.DEADLETTER, 0, 2);
        List<TrainingExample> examples = examples(9);
        // Bounded, as an offline replay is: both shuffle with the seed of epoch 1.
        try (var h = harness(config, true)) {
            for (int i = 0; i < 8; i++) {
                h.processElement(examples.get(i), 100L * i); // window 0: [0, 1000)
            }
            assertEquals(0, steps(h).size(), "the window is open until 999");
            h.processWatermark(999);
            List<TrainingMetric> metrics = steps(h);
            assertEquals(2, metrics.size(), "8 events at batch 4 are 2 iterations");
            assertEquals(List.of(new EventCounts(8L, 8L, 0L, 0L)), counts(h));
            assertEquals(List.of(1L, 2L), metrics.stream().map(m -> m.getIteration()).toList());
            assertEquals(List.of(4L, 8L), metrics.stream().map(m -> m.getExamplesSeen()).toList());
            List<ModelSnapshot> snapshots =
                    values(h.getSideOutput(TrainKeyedProcessFunction.SNAPSHOTS));
            assertEquals(1, snapshots.size(), "a snapshot every 2 iterations");

            // The same events replayed offline train the same model, bit for bit.
            ModelTrainer replayed =
                    OfflineReplay.replay(
                            KEY, config, examples.subList(0, 8), OfflineReplay.ignoring());
            assertArrayEquals(
                    replayed.network().parameters(), Snapshots.flatParameters(snapshots.get(0)));

            // Window 0 has closed: an event of it is late, and goes to the dead letters.
            h.processElement(examples.get(8).at(3, 42), 500);
            assertEquals(2, steps(h).size(), "a late event trains nothing");
            List<DeadLetter> late = values(h.getSideOutput(TrainKeyedProcessFunction.LATE_EVENTS));
            assertEquals(1, late.size());
            assertEquals("late", late.get(0).getReason());
            assertEquals(3, late.get(0).getPartition());
            assertEquals(42, late.get(0).getOffset());
            assertTrue(late.get(0).getDetail().contains("watermark"), late.get(0).getDetail());
            h.processWatermark(Long.MAX_VALUE);
            assertEquals(
                    new EventCounts(9L, 8L, 1L, 0L),
                    last(counts(h)),
                    "the late event is consumed and dead-lettered, not trained");
        }
    }

    @Test
    void nextWindowPolicyTrainsALateEventInTheNextOpenWindow() throws Exception {
        TrainingConfig config =
                config(new WindowSpec.EventTime(1_000), LatePolicy.NEXT_WINDOW, 0, 100);
        List<TrainingExample> examples = examples(8);
        try (var h = harness(config, false)) {
            for (int i = 0; i < 4; i++) {
                h.processElement(examples.get(i), 100L * i);
            }
            h.processWatermark(999);
            assertEquals(1, steps(h).size());
            h.processElement(examples.get(4), 900); // late: window 0 closed
            for (int i = 5; i < 8; i++) {
                h.processElement(examples.get(i), 1_000 + 100L * i);
            }
            assertEquals(
                    0,
                    h.getSideOutput(TrainKeyedProcessFunction.LATE_EVENTS) == null
                            ? 0
                            : h.getSideOutput(TrainKeyedProcessFunction.LATE_EVENTS).size());
            h.processWatermark(1_999);
            List<TrainingMetric> metrics = steps(h);
            assertEquals(2, metrics.size(), "the late event filled window 1's batch");
            assertEquals(8, metrics.get(1).getExamplesSeen());
        }
    }

    @Test
    void idleTimeoutOnProcessingTimeTrainsWhatArrivedAndPublishesASnapshot() throws Exception {
        TrainingConfig config = config(new WindowSpec.Count(4), LatePolicy.DEADLETTER, 2_000, 100);
        List<TrainingExample> examples = examples(6);
        try (var h = harness(config, false)) {
            h.setProcessingTime(0);
            for (TrainingExample e : examples) {
                h.processElement(e, e.eventTime());
            }
            h.setProcessingTime(1_999);
            assertEquals(0, steps(h).size(), "not idle yet");
            h.setProcessingTime(2_000);
            List<TrainingMetric> metrics = steps(h);
            assertEquals(List.of(4, 2), metrics.stream().map(m -> m.getBatchSize()).toList());
            assertEquals(2_000, metrics.get(0).getEmittedAt(), "time from the timer service");
            List<ModelSnapshot> snapshots =
                    values(h.getSideOutput(TrainKeyedProcessFunction.SNAPSHOTS));
            assertEquals(1, snapshots.size());
            assertEquals(2, snapshots.get(0).getVersion());
            assertEquals(2_000, snapshots.get(0).getCreatedAt());
            assertEquals(List.of(new EventCounts(6L, 6L, 0L, 0L)), counts(h));
        }
    }

    @Test
    void aStopLongerThanTheIdleTimeoutDoesNotFlushTheRestoredWindowsAtOnce() throws Exception {
        // Count windows of 4 batches: 6 events stay open, in the checkpoint.
        TrainingConfig config = config(new WindowSpec.Count(4), LatePolicy.DEADLETTER, 2_000, 100);
        List<TrainingExample> examples = examples(8);
        OperatorSubtaskState state;
        try (var h = harness(config, false)) {
            h.setProcessingTime(0);
            for (TrainingExample e : examples.subList(0, 6)) {
                h.processElement(e, e.eventTime());
            }
            assertEquals(0, steps(h).size());
            state = h.snapshot(1, 500);
        }
        // Restarted an hour later: the restored idle timer is long due and fires at once.
        try (var h = unopened(config, false)) {
            h.setProcessingTime(3_600_000);
            h.initializeState(state);
            h.open();
            h.setProcessingTime(3_600_001);
            assertEquals(0, steps(h).size(), "the stop is not the stream's quiet");
            // The backlog arrives; quiet for the timeout after its last event, all of it trains.
            h.setProcessingTime(3_600_500);
            for (TrainingExample e : examples.subList(6, 8)) {
                h.processElement(e, e.eventTime());
            }
            h.setProcessingTime(3_600_500 + 1_999);
            assertEquals(0, steps(h).size(), "not idle yet");
            h.setProcessingTime(3_600_500 + 2_000);
            assertEquals(List.of(4, 4), steps(h).stream().map(m -> m.getBatchSize()).toList());
        }
        // Resumed with the idle timeout off (0): the restored timer trains nothing.
        TrainingConfig off = config(new WindowSpec.Count(4), LatePolicy.DEADLETTER, 0, 100);
        try (var h = unopened(off, false)) {
            h.setProcessingTime(3_600_000);
            h.initializeState(state);
            h.open();
            h.setProcessingTime(3_600_001);
            h.setProcessingTime(7_200_000);
            assertEquals(0, steps(h).size(), "0 = off");
        }
        // Quiet from the attempt's start on: the restored windows train after the timeout.
        try (var h = unopened(config, false)) {
            h.setProcessingTime(3_600_000);
            h.initializeState(state);
            h.open();
            h.setProcessingTime(3_600_001);
            h.setProcessingTime(3_600_001 + 1_999);
            assertEquals(0, steps(h).size());
            h.setProcessingTime(3_600_001 + 2_000);
            assertEquals(List.of(4, 2), steps(h).stream().map(m -> m.getBatchSize()).toList());
        }
    }

    @Test
    void stateSnapshotAndRestoreContinueAsIfNothingHappened() throws Exception {
        TrainingConfig config = config(new WindowSpec.Count(1), LatePolicy.DEADLETTER, 0, 1_000);
        List<TrainingExample> examples = examples(11);

        List<TrainingMetric> uninterrupted;
        ModelSnapshot uninterruptedFinal;
        try (var h = harness(config, true)) {
            for (TrainingExample e : examples) {
                h.processElement(e, e.eventTime());
            }
            assertEquals(
                    1,
                    h.numEventTimeTimers(),
                    "the key's end-of-input timer (registered once: EndOfInputTimerTest)");
            h.processWatermark(Long.MAX_VALUE);
            assertEquals(0, h.numEventTimeTimers(), "the final watermark fired it");
            uninterrupted = steps(h);
            uninterruptedFinal = last(values(h.getSideOutput(TrainKeyedProcessFunction.SNAPSHOTS)));
        }

        OperatorSubtaskState state;
        List<TrainingMetric> before;
        try (var h = harness(config, true)) {
            for (TrainingExample e : examples.subList(0, 6)) {
                h.processElement(e, e.eventTime());
            }
            before = steps(h);
            assertEquals(
                    List.of(new EventCounts(4L, 4L, 0L, 0L)),
                    counts(h),
                    "the first count window (4 events) closed");
            state = h.snapshot(1, 0);
        }
        assertEquals(1, before.size(), "one window closed, 2 examples open");
        Map<String, org.apache.flink.metrics.Metric> registered = new java.util.HashMap<>();
        try (var h = harnessWithMetrics(config, registered)) {
            h.initializeState(state);
            h.open();
            assertEquals(1, h.numEventTimeTimers(), "the end-of-input timer is restored");
            for (TrainingExample e : examples.subList(6, 11)) {
                h.processElement(e, e.eventTime());
            }
            assertEquals(1, h.numEventTimeTimers());
            h.processWatermark(Long.MAX_VALUE);
            List<TrainingMetric> after = new ArrayList<>(before);
            after.addAll(steps(h));
            assertEquals(
                    uninterrupted.stream().map(TrainingMetric::getLoss).toList(),
                    after.stream().map(TrainingMetric::getLoss).toList(),
                    "the same updates, in the same order");
            ModelSnapshot restoredFinal =
                    last(values(h.getSideOutput(TrainKeyedProcessFunction.SNAPSHOTS)));
            assertEquals(uninterruptedFinal.getVersion(), restoredFinal.getVersion());
            assertEquals(
                    uninterruptedFinal.getParametersChecksum(),
                    restoredFinal.getParametersChecksum());
            // The model's accounting and the subtask's counters came back with the state: the
            // final counts cover all 11 events, the metrics every iteration of the run.
            assertEquals(new EventCounts(11L, 11L, 0L, 0L), last(counts(h)));
            assertEquals(uninterrupted.size(), count(registered, Accumulators.Counter.ITERATIONS));
            assertEquals(11, count(registered, Accumulators.Counter.EVENTS_TRAINED));
        }
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, TrainingExample, TrainingMetric>
            harness(TrainingConfig config, boolean bounded) throws Exception {
        var h = unopened(config, bounded);
        h.open();
        return h;
    }

    /** A harness not opened yet: to restore a state into before it opens. */
    private static KeyedOneInputStreamOperatorTestHarness<String, TrainingExample, TrainingMetric>
            unopened(TrainingConfig config, boolean bounded) throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(
                        new TrainKeyedProcessFunction(config, "run", "events", bounded, Map.of())),
                TrainingExample::modelKey,
                Types.STRING);
    }

    private static TrainingConfig config(
            WindowSpec window, LatePolicy late, long idleTimeoutMs, int snapshotEvery) {
        Batching b =
                new Batching(
                        BATCH,
                        false,
                        window,
                        0,
                        idleTimeoutMs,
                        late,
                        1,
                        Batching.DEFAULT_FULL_BATCH_LIMIT,
                        false,
                        io.streamgrad.train.ShuffleMode.WINDOW,
                        io.streamgrad.train.Batching.AUTO_BLOCK_OFFSETS,
                        io.streamgrad.train.Batching.DEFAULT_GROUP_BLOCKS);
        return new TrainingConfig(
                ModelSpec.parse("logistic", FEATURES, 2, Activation.RELU),
                new OptimizerSpec("sgd", 0.1),
                b,
                3,
                snapshotEvery,
                0.05);
    }

    private static List<TrainingExample> examples(int n) {
        SyntheticConfig c =
                new SyntheticConfig("t", KEY, Task.BINARY, FEATURES, 2, 0.5, n, 0, 1, 11, 0, false);
        ModelSpec spec = ModelSpec.parse("logistic", FEATURES, 2, Activation.RELU);
        List<TrainingExample> out = new ArrayList<>();
        for (LabeledEvent e : new SyntheticEvents(c).all()) {
            out.add(EventValidator.validate(e, spec));
        }
        return out;
    }

    private static <T> List<T> values(java.util.Collection<StreamRecord<T>> records) {
        List<T> out = new ArrayList<>();
        if (records != null) {
            records.forEach(r -> out.add(r.getValue()));
        }
        return out;
    }

    /**
     * The run's counts are live Flink metrics of the operator (what the web UI, REST and reporters
     * show while a job runs), equal to what it did.
     */
    @Test
    void countsAreLiveFlinkMetrics() throws Exception {
        TrainingConfig config = config(new WindowSpec.Count(1), LatePolicy.DEADLETTER, 0, 1_000);
        Map<String, org.apache.flink.metrics.Metric> registered = new java.util.HashMap<>();
        try (var h = harnessWithMetrics(config, registered)) {
            h.open();
            for (TrainingExample e : examples(10)) {
                h.processElement(e, e.eventTime());
            }
            h.processWatermark(Long.MAX_VALUE); // 10 = 4 + 4 + 2
            assertEquals(10, count(registered, Accumulators.Counter.EVENTS_TRAINED));
            assertEquals(10, count(registered, Accumulators.Counter.EXAMPLES_TRAINED));
            assertEquals(3, count(registered, Accumulators.Counter.ITERATIONS));
            assertEquals(1, count(registered, Accumulators.Counter.SNAPSHOTS));
            assertEquals(steps(h).size(), count(registered, Accumulators.Counter.ITERATIONS));
        }
    }

    /**
     * A harness of a bounded trainer whose operator metrics land in {@code registered} (the default
     * harness's metric group keeps nothing).
     */
    private static KeyedOneInputStreamOperatorTestHarness<String, TrainingExample, TrainingMetric>
            harnessWithMetrics(
                    TrainingConfig config, Map<String, org.apache.flink.metrics.Metric> registered)
                    throws Exception {
        var taskMetrics =
                new org.apache.flink.runtime.metrics.groups.UnregisteredMetricGroups
                        .UnregisteredTaskMetricGroup() {
                    @Override
                    public org.apache.flink.runtime.metrics.groups.InternalOperatorMetricGroup
                            getOrAddOperator(
                                    org.apache.flink.runtime.jobgraph.OperatorID id,
                                    String name,
                                    Map<String, String> attributes) {
                        return new org.apache.flink.runtime.metrics.groups.UnregisteredMetricGroups
                                .UnregisteredOperatorMetricGroup() {
                            @Override
                            protected void addMetric(
                                    String metricName, org.apache.flink.metrics.Metric metric) {
                                registered.put(metricName, metric);
                            }
                        };
                    }
                };
        var env =
                new org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder()
                        .setMetricGroup(taskMetrics)
                        .build();
        return new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(
                        new TrainKeyedProcessFunction(config, "run", "events", true, Map.of())),
                TrainingExample::modelKey,
                Types.STRING,
                env);
    }

    /** The main output's update metrics (ITERATION and ALERT), without the COUNTS records. */
    private static List<TrainingMetric> steps(
            KeyedOneInputStreamOperatorTestHarness<String, TrainingExample, TrainingMetric> h) {
        return h.extractOutputValues().stream()
                .filter(m -> m.getKind() != MetricKind.COUNTS)
                .toList();
    }

    /** The accounting of every COUNTS record on the main output, in order. */
    private static List<EventCounts> counts(
            KeyedOneInputStreamOperatorTestHarness<String, TrainingExample, TrainingMetric> h) {
        return h.extractOutputValues().stream()
                .filter(m -> m.getKind() == MetricKind.COUNTS)
                .map(TrainingMetric::getCounts)
                .toList();
    }

    private static <T> T last(List<T> list) {
        return list.get(list.size() - 1);
    }

    private static long count(
            Map<String, org.apache.flink.metrics.Metric> registered, Accumulators.Counter c) {
        var m = registered.get(c.metricName());
        assertTrue(m instanceof org.apache.flink.metrics.Counter, c.metricName() + " registered");
        return ((org.apache.flink.metrics.Counter) m).getCount();
    }
}
