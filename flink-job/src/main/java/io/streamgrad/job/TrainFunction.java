package io.streamgrad.job;

import io.streamgrad.batch.Batching;
import io.streamgrad.batch.Durations;
import io.streamgrad.batch.EventTimeAssigner;
import io.streamgrad.batch.TrainingExample;
import io.streamgrad.batch.WindowSpec;
import io.streamgrad.batch.WindowedExample;
import io.streamgrad.schema.AvroSerde;
import io.streamgrad.schema.DeadLetter;
import io.streamgrad.schema.MetricKind;
import io.streamgrad.schema.ModelSnapshot;
import io.streamgrad.schema.TrainingMetric;
import io.streamgrad.train.EpochEnd;
import io.streamgrad.train.ModelTrainer;
import io.streamgrad.train.Snapshots;
import io.streamgrad.train.TrainerState;
import io.streamgrad.train.TrainingConfig;
import io.streamgrad.train.TrainingListener;
import io.streamgrad.train.WindowTrainer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The trainer of each model key. Owns the state (open windows, carried remainder, the pass kept for
 * epochs, model, counters) and time (watermarks, idle timeout, end of bounded input); delegates
 * batching and maths to {@link WindowTrainer}, which offline replays use too.
 *
 * <ul>
 *   <li>Count windows close when {@code K × batchSize} new examples have arrived.
 *   <li>Event-time windows close when the watermark passes their end (an event-time timer); events
 *       whose window has closed are late and are dead-lettered or moved to the next open window.
 *   <li>Live streams: when no event has arrived for the idle timeout (a processing-time timer),
 *       everything that has arrived is trained, the remainder in power-of-two pieces, and a
 *       snapshot is published.
 *   <li>Bounded input ends with the final watermark (a timer at Long.MAX_VALUE): the first epoch is
 *       finished, further epochs run over the kept pass, and a final snapshot is emitted.
 * </ul>
 *
 * Each closed window's examples, with the carried remainder, are shuffled and cut into batches; the
 * remainder (fewer than a batch) is carried to the next window.
 */
public final class TrainFunction
        extends KeyedProcessFunction<String, TrainingExample, TrainingMetric> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<ModelSnapshot> SNAPSHOTS =
            new OutputTag<>("snapshots", new AvroTypeInfo<>(ModelSnapshot.class));

    public static final OutputTag<DeadLetter> LATE_EVENTS =
            new OutputTag<>("late-events", new AvroTypeInfo<>(DeadLetter.class));

    private final TrainingConfig config;
    private final Batching batching;
    private final String runId;
    private final String eventsTopic;
    private final boolean bounded;
    private final Map<String, String> provenance;

    private transient ValueState<TrainerState> model;
    private transient ListState<WindowedExample> open;
    private transient ListState<TrainingExample> carried;
    private transient ListState<TrainingExample> pass;
    private transient ValueState<Long> openCount;
    private transient ValueState<Long> passCount;
    private transient ValueState<Long> closedThrough;
    private transient ValueState<Long> lastArrival;
    private transient ValueState<Long> idleTimer;
    private transient Map<String, LongCounter> counters;

    public TrainFunction(
            TrainingConfig config,
            String runId,
            String eventsTopic,
            boolean bounded,
            Map<String, String> provenance) {
        this.config = config;
        this.batching = config.batching();
        this.runId = runId;
        this.eventsTopic = eventsTopic;
        this.bounded = bounded;
        this.provenance = Map.copyOf(provenance);
    }

    @Override
    public void open(OpenContext openContext) {
        AvroSerde.trustGeneratedClasses();
        var rc = getRuntimeContext();
        model =
                rc.getState(
                        new ValueStateDescriptor<>(
                                "model", TypeInformation.of(TrainerState.class)));
        open =
                rc.getListState(
                        new ListStateDescriptor<>(
                                "open-windows", TypeInformation.of(WindowedExample.class)));
        carried =
                rc.getListState(
                        new ListStateDescriptor<>(
                                "carried", TypeInformation.of(TrainingExample.class)));
        pass =
                rc.getListState(
                        new ListStateDescriptor<>(
                                "pass", TypeInformation.of(TrainingExample.class)));
        openCount = rc.getState(new ValueStateDescriptor<>("open-count", Long.class));
        passCount = rc.getState(new ValueStateDescriptor<>("pass-count", Long.class));
        closedThrough = rc.getState(new ValueStateDescriptor<>("closed-through", Long.class));
        lastArrival = rc.getState(new ValueStateDescriptor<>("last-arrival", Long.class));
        idleTimer = rc.getState(new ValueStateDescriptor<>("idle-timer", Long.class));
        counters = new java.util.HashMap<>();
        for (String name :
                List.of(
                        Accumulators.EVENTS_TRAINED,
                        Accumulators.EXAMPLES_TRAINED,
                        Accumulators.ITERATIONS,
                        Accumulators.EPOCHS,
                        Accumulators.SNAPSHOTS,
                        Accumulators.DEAD_LETTERED,
                        Accumulators.LATE_DEAD_LETTERED,
                        Accumulators.LATE_NEXT_WINDOW,
                        Accumulators.IDLE_FLUSHES,
                        Accumulators.SKIPPED_UPDATES,
                        Accumulators.DIVERGENCE_RESTORES)) {
            counters.put(name, rc.getLongCounter(name));
        }
    }

    @Override
    public void processElement(TrainingExample e, Context ctx, Collector<TrainingMetric> out)
            throws Exception {
        long window = 0;
        if (batching.window() instanceof WindowSpec.EventTime spec && !batching.fullBatch()) {
            long watermark = ctx.timerService().currentWatermark();
            // The stream timestamp (the Kafka record's, which producers set to the event time) is
            // what the watermarks track, so windows are assigned by it too.
            long time = ctx.timestamp() != null ? ctx.timestamp() : e.eventTime();
            EventTimeAssigner.Assignment a =
                    EventTimeAssigner.assign(
                            spec,
                            time,
                            watermark,
                            orMin(closedThrough.value()),
                            batching.latePolicy());
            if (a.deadLetter()) {
                ctx.output(LATE_EVENTS, lateLetter(e, time, spec, watermark));
                count(Accumulators.LATE_DEAD_LETTERED, 1);
                count(Accumulators.DEAD_LETTERED, 1);
                return;
            }
            if (a.late()) {
                count(Accumulators.LATE_NEXT_WINDOW, 1);
            }
            window = a.window();
            ctx.timerService().registerEventTimeTimer(spec.lastMillisOf(window));
        }
        count(Accumulators.EVENTS_TRAINED, 1);
        // Fires only with the final watermark, i.e. at the end of bounded input (registering the
        // same timer again is a no-op).
        ctx.timerService().registerEventTimeTimer(Long.MAX_VALUE);
        if (bounded && batching.keepsPass()) {
            long kept = orZero(passCount.value()) + 1;
            if (batching.fullBatch() && kept > batching.fullBatchLimit()) {
                throw new IllegalStateException(
                        "--batch-size full accepts at most "
                                + batching.fullBatchLimit()
                                + " events (--full-batch-limit) and the topic has more: use a"
                                + " power-of-two batch size");
            }
            pass.add(e);
            passCount.update(kept);
        }
        if (batching.fullBatch()) {
            return;
        }
        open.add(new WindowedExample(window, e));
        long n = orZero(openCount.value()) + 1;
        openCount.update(n);
        if (batching.window() instanceof WindowSpec.Count && n >= batching.countWindowSize()) {
            closeWindowsThrough(Long.MAX_VALUE, ctx, out);
        }
        if (!bounded && batching.idleTimeoutMs() > 0) {
            long now = ctx.timerService().currentProcessingTime();
            lastArrival.update(now);
            if (idleTimer.value() == null) {
                long at = now + batching.idleTimeoutMs();
                ctx.timerService().registerProcessingTimeTimer(at);
                idleTimer.update(at);
            }
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<TrainingMetric> out)
            throws Exception {
        if (ctx.timeDomain() == TimeDomain.PROCESSING_TIME) {
            onIdleTimer(timestamp, ctx, out);
        } else if (timestamp == Long.MAX_VALUE) {
            endOfInput(ctx, out);
        } else if (batching.window() instanceof WindowSpec.EventTime spec) {
            closeWindowsThrough(spec.windowOf(timestamp), ctx, out);
        }
    }

    /** Trains the open windows up to {@code lastWindow}, in window order. */
    private void closeWindowsThrough(long lastWindow, Context ctx, Collector<TrainingMetric> out)
            throws Exception {
        TreeMap<Long, List<TrainingExample>> due = new TreeMap<>();
        List<WindowedExample> later = new ArrayList<>();
        for (WindowedExample w : open.get()) {
            if (w.window() <= lastWindow) {
                due.computeIfAbsent(w.window(), k -> new ArrayList<>()).add(w.example());
            } else {
                later.add(w);
            }
        }
        if (due.isEmpty()) {
            return;
        }
        ModelTrainer trainer = trainer(ctx.getCurrentKey());
        List<TrainingExample> carry = toList(carried.get());
        for (List<TrainingExample> window : due.values()) {
            carry.addAll(window);
            carry = WindowTrainer.close(trainer, carry, listener(ctx, out));
        }
        if (batching.window() instanceof WindowSpec.EventTime) {
            closedThrough.update(Math.max(orMin(closedThrough.value()), due.lastKey()));
        }
        open.update(later);
        openCount.update((long) later.size());
        carried.update(carry);
        model.update(trainer.state());
    }

    private void onIdleTimer(long timestamp, OnTimerContext ctx, Collector<TrainingMetric> out)
            throws Exception {
        long quietSince = orZero(lastArrival.value());
        if (timestamp - quietSince < batching.idleTimeoutMs()) {
            long at = quietSince + batching.idleTimeoutMs();
            ctx.timerService().registerProcessingTimeTimer(at);
            idleTimer.update(at);
            return;
        }
        idleTimer.clear();
        List<TrainingExample> arrived = toList(carried.get());
        for (WindowedExample w : open.get()) {
            arrived.add(w.example());
        }
        if (arrived.isEmpty()) {
            return;
        }
        count(Accumulators.IDLE_FLUSHES, 1);
        ModelTrainer trainer = trainer(ctx.getCurrentKey());
        WindowTrainer.flush(trainer, arrived, listener(ctx, out));
        // Event-time windows are not marked closed: events of the same window arriving after the
        // pause are on time (the watermark has not passed) and train in the next flush or close.
        open.clear();
        openCount.clear();
        carried.clear();
        model.update(trainer.state());
    }

    private void endOfInput(OnTimerContext ctx, Collector<TrainingMetric> out) throws Exception {
        ModelTrainer trainer = trainer(ctx.getCurrentKey());
        List<TrainingExample> remainder = toList(carried.get());
        for (WindowedExample w : open.get()) {
            remainder.add(w.example());
        }
        List<TrainingExample> kept = bounded && batching.keepsPass() ? toList(pass.get()) : null;
        WindowTrainer.finish(trainer, remainder, kept, listener(ctx, out));
        open.clear();
        openCount.clear();
        carried.clear();
        pass.clear();
        passCount.clear();
        model.update(trainer.state());
    }

    private ModelTrainer trainer(String key) throws Exception {
        if (model.value() != null) {
            return ModelTrainer.restore(key, config, model.value());
        }
        ModelTrainer t = ModelTrainer.create(key, config);
        if (bounded) {
            t.startEpoch(1);
        }
        return t;
    }

    private TrainingListener listener(Context ctx, Collector<TrainingMetric> out) {
        return new TrainingListener() {
            @Override
            public void onStep(ModelTrainer.Step s) {
                out.collect(iterationMetric(s));
                count(Accumulators.ITERATIONS, 1);
                if (s.applied()) {
                    count(Accumulators.EXAMPLES_TRAINED, s.batchSize());
                } else {
                    count(Accumulators.SKIPPED_UPDATES, 1);
                }
                if (s.restored()) {
                    count(Accumulators.DIVERGENCE_RESTORES, 1);
                }
            }

            @Override
            public void onEpochEnd(EpochEnd end) {
                out.collect(epochMetric(end));
                count(Accumulators.EPOCHS, 1);
            }

            @Override
            public void onSnapshot(ModelTrainer t) {
                ctx.output(
                        SNAPSHOTS, Snapshots.of(t, runId, System.currentTimeMillis(), provenance));
                count(Accumulators.SNAPSHOTS, 1);
            }
        };
    }

    private DeadLetter lateLetter(
            TrainingExample e, long time, WindowSpec.EventTime spec, long watermark) {
        long w = spec.windowOf(time);
        String detail =
                "event "
                        + e.eventId()
                        + " at "
                        + Instant.ofEpochMilli(time)
                        + " belongs to window ["
                        + Instant.ofEpochMilli(w * spec.sizeMs())
                        + ", "
                        + Instant.ofEpochMilli(spec.lastMillisOf(w) + 1)
                        + ") which had closed (watermark "
                        + (watermark == Long.MIN_VALUE ? "none" : Instant.ofEpochMilli(watermark))
                        + ", --max-out-of-orderness "
                        + Durations.format(batching.maxOutOfOrdernessMs())
                        + "); --late-events next-window would train it in the next open window";
        return DeadLetters.late(eventsTopic, e, config.model().task(), detail);
    }

    private TrainingMetric iterationMetric(ModelTrainer.Step s) {
        return TrainingMetric.newBuilder()
                .setRunId(runId)
                .setModel(s.model())
                .setIteration(s.iteration())
                .setKind(s.alert() == null ? MetricKind.ITERATION : MetricKind.ALERT)
                .setDetail(s.alert() == null ? "" : s.alert())
                .setEpoch(s.epoch())
                .setEpochIteration(s.epoch() == 0 ? s.iteration() : s.epochIteration())
                .setWindow(s.window())
                .setBatchSize(s.batchSize())
                .setLoss(s.loss())
                .setSmoothedLoss(s.smoothedLoss())
                .setAccuracy(s.accuracy())
                .setExamplesSeen(s.examplesSeen())
                .setBatchEventTimeMin(s.minEventTime())
                .setBatchEventTimeMax(s.maxEventTime())
                .setEmittedAt(System.currentTimeMillis())
                .build();
    }

    private TrainingMetric epochMetric(EpochEnd e) {
        return TrainingMetric.newBuilder()
                .setRunId(runId)
                .setModel(e.model())
                .setIteration(e.iteration())
                .setKind(MetricKind.EPOCH)
                .setEpoch(e.epoch())
                .setEpochIteration(e.epochIterations())
                .setWindow(-1)
                .setBatchSize(e.examples())
                .setLoss(e.loss())
                .setSmoothedLoss(e.smoothedLoss())
                .setAccuracy(e.accuracy())
                .setExamplesSeen(e.examplesSeen())
                .setBatchEventTimeMin(0)
                .setBatchEventTimeMax(0)
                .setEmittedAt(System.currentTimeMillis())
                .build();
    }

    private void count(String name, long n) {
        counters.get(name).add(n);
    }

    private static List<TrainingExample> toList(Iterable<TrainingExample> it) {
        List<TrainingExample> list = new ArrayList<>();
        if (it != null) {
            it.forEach(list::add);
        }
        return list;
    }

    private static long orZero(Long v) {
        return v == null ? 0 : v;
    }

    private static long orMin(Long v) {
        return v == null ? Long.MIN_VALUE : v;
    }
}
