package io.streamgrad.job;

import io.streamgrad.batch.TrainingExample;
import io.streamgrad.model.Nd4jClassLoader;
import io.streamgrad.schema.AvroSerde;
import io.streamgrad.schema.DeadLetter;
import io.streamgrad.schema.ModelSnapshot;
import io.streamgrad.schema.TrainingMetric;
import io.streamgrad.train.DeadLetters;
import io.streamgrad.train.EpochEnd;
import io.streamgrad.train.KeyedTrainer;
import io.streamgrad.train.ModelConfigs;
import io.streamgrad.train.ModelCounts;
import io.streamgrad.train.ModelTrainer;
import io.streamgrad.train.ReplayPlan;
import io.streamgrad.train.Snapshots;
import io.streamgrad.train.TrainerState;
import io.streamgrad.train.TrainerStore;
import io.streamgrad.train.TrainingConfig;
import io.streamgrad.train.TrainingMetrics;
import io.streamgrad.train.WarmStart;
import io.streamgrad.train.WindowBookkeeping;
import io.streamgrad.train.WindowedExample;
import io.streamgrad.window.WindowSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The trainer of each model key, as a Flink operator: it owns the keyed state (the trainer state,
 * the open windows, the carried remainder, the kept pass, one bookkeeping value and the model's
 * event accounting; in operator state, the subtask's run counters) and time (Flink's timer service:
 * watermarks, processing time), and delegates everything else to {@link KeyedTrainer}, which
 * offline replays use too. Steps become {@link TrainingMetric}s on the main output; snapshots and
 * late events go to side outputs.
 */
public final class TrainKeyedProcessFunction
        extends KeyedProcessFunction<String, TrainingExample, TrainingMetric>
        implements CheckpointedFunction {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<ModelSnapshot> SNAPSHOTS =
            new OutputTag<>("snapshots", new AvroTypeInfo<>(ModelSnapshot.class));

    public static final OutputTag<DeadLetter> LATE_EVENTS =
            new OutputTag<>("late-events", new AvroTypeInfo<>(DeadLetter.class));

    private final ModelConfigs configs;

    /** Per variant name (a single configuration's under ""), the keys' trainer. */
    private final Map<String, KeyedTrainer> keyedTrainers;

    private boolean oneSubtaskOnly;

    private final String runId;
    private final String eventsTopic;
    private final Map<String, String> provenance;

    private transient ValueState<TrainerState> trainerState;
    private transient ListState<WindowedExample> openWindows;
    private transient ListState<TrainingExample> carried;
    private transient ListState<TrainingExample> pass;
    private transient ValueState<WindowBookkeeping> bookkeeping;
    private transient ValueState<ModelCounts> modelCounts;
    private transient CheckpointedCounters counters;
    private transient TrainerStore store;

    public TrainKeyedProcessFunction(
            TrainingConfig config,
            String runId,
            String eventsTopic,
            boolean bounded,
            Map<String, String> provenance) {
        this(ModelConfigs.of(config), runId, eventsTopic, bounded, provenance, null);
    }

    /**
     * @param configs how each key trains: one configuration, or a backtest's variants (keys
     *     KEY@VARIANT)
     * @param warmStart the snapshot its model key starts from, null for fresh models only
     */
    public TrainKeyedProcessFunction(
            ModelConfigs configs,
            String runId,
            String eventsTopic,
            boolean bounded,
            Map<String, String> provenance,
            WarmStart warmStart) {
        this(configs, runId, eventsTopic, bounded, provenance, warmStart, null);
    }

    /**
     * @param replay the passes of a range that {@link ReplaySource} reads once per epoch and
     *     full-pass loss, null when the input arrives once
     */
    /**
     * This function, refusing to open on more than one subtask: for a stream declared keyed as it
     * is read ({@code DataStreamUtils.reinterpretAsKeyedStream} after one reader), where only one
     * trainer owns every key group.
     */
    public TrainKeyedProcessFunction oneSubtaskOnly() {
        oneSubtaskOnly = true;
        return this;
    }

    public TrainKeyedProcessFunction(
            ModelConfigs configs,
            String runId,
            String eventsTopic,
            boolean bounded,
            Map<String, String> provenance,
            WarmStart warmStart,
            ReplayPlan replay) {
        this.configs = configs;
        this.keyedTrainers = new HashMap<>();
        configs.byName()
                .forEach(
                        (name, c) ->
                                keyedTrainers.put(
                                        name,
                                        new KeyedTrainer(c, bounded, configs, warmStart, replay)));
        this.runId = runId;
        this.eventsTopic = eventsTopic;
        this.provenance = Map.copyOf(provenance);
    }

    @Override
    public void open(OpenContext openContext) {
        AvroSerde.trustGeneratedClasses();
        Nd4jClassLoader.useNd4jsOwn(); // before this job's first use of ND4J

        var rc = getRuntimeContext();
        int subtasks = rc.getTaskInfo().getNumberOfParallelSubtasks();
        if (oneSubtaskOnly && subtasks > 1) {
            throw new IllegalStateException(
                    "this job chains the replay's one reader to its trainer (it was built with"
                            + " --parallelism 1), so the trainer cannot run on "
                            + subtasks
                            + " subtasks (reactive or adaptive rescaling): restart it from its"
                            + " checkpoint with --parallelism "
                            + subtasks
                            + " instead");
        }
        trainerState =
                rc.getState(
                        new ValueStateDescriptor<>(
                                "trainer-state", TypeInformation.of(TrainerState.class)));
        openWindows =
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
        bookkeeping =
                rc.getState(
                        new ValueStateDescriptor<>(
                                "bookkeeping", TypeInformation.of(WindowBookkeeping.class)));
        modelCounts =
                rc.getState(
                        new ValueStateDescriptor<>(
                                "counts", TypeInformation.of(ModelCounts.class)));
        store = new KeyedStateStore();
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        counters =
                new CheckpointedCounters(
                        Accumulators.Counter.TRAINER,
                        "trainer-counters",
                        getRuntimeContext(),
                        context);
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        counters.snapshot();
    }

    @Override
    public void processElement(TrainingExample e, Context ctx, Collector<TrainingMetric> out)
            throws Exception {
        FailureInjection.reached(FailureInjection.Point.RECORD);
        long time = ctx.timestamp() != null ? ctx.timestamp() : e.eventTime();
        trainerOf(ctx.getCurrentKey())
                .onExample(scope(ctx.getCurrentKey(), ctx.timerService(), ctx, out), e, time);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<TrainingMetric> out)
            throws Exception {
        KeyedTrainer.Scope s = scope(ctx.getCurrentKey(), ctx.timerService(), ctx, out);
        if (ctx.timeDomain() == TimeDomain.PROCESSING_TIME) {
            trainerOf(ctx.getCurrentKey()).onProcessingTimeTimer(s, timestamp);
        } else {
            trainerOf(ctx.getCurrentKey()).onEventTimeTimer(s, timestamp);
        }
    }

    private KeyedTrainer.Scope scope(
            String key, TimerService timers, Context ctx, Collector<TrainingMetric> out) {
        return new KeyedTrainer.Scope(key, store, timers(timers), listener(key, timers, ctx, out));
    }

    /** The trainer of a key's configuration (its variant's in a backtest). */
    private KeyedTrainer trainerOf(String key) {
        ModelConfigs.Variant v = configs.variantOf(key);
        return keyedTrainers.get(v == null ? "" : v.name());
    }

    /**
     * The job's provenance, and for a backtest variant its name and settings: a variant's snapshot
     * says which configuration trained it.
     */
    private Map<String, String> provenanceOf(String key) {
        ModelConfigs.Variant v = configs.variantOf(key);
        if (v == null) {
            return provenance;
        }
        Map<String, String> p = new HashMap<>(provenance);
        p.put("variant", v.name());
        p.put("variant.settings", v.settings());
        return p;
    }

    private static KeyedTrainer.Timers timers(TimerService t) {
        return new KeyedTrainer.Timers() {
            @Override
            public long currentWatermark() {
                return t.currentWatermark();
            }

            @Override
            public long currentProcessingTime() {
                return t.currentProcessingTime();
            }

            @Override
            public void registerEventTimeTimer(long time) {
                t.registerEventTimeTimer(time);
            }

            @Override
            public void registerProcessingTimeTimer(long time) {
                t.registerProcessingTimeTimer(time);
            }
        };
    }

    private KeyedTrainer.Listener listener(
            String key, TimerService timers, Context ctx, Collector<TrainingMetric> out) {
        ModelConfigs.Variant variant = configs.variantOf(key);
        TrainingConfig config = variant == null ? configs.base() : variant.config();
        // An event reaches every variant: it is counted (and a late one dead-lettered) once, by
        // the first.
        boolean firstVariant = variant == null || configs.isFirst(variant);
        return new KeyedTrainer.Listener() {
            @Override
            public void onStep(ModelTrainer.Step s) {
                for (TrainingMetric m :
                        TrainingMetrics.ofStepAndDrift(runId, s, timers.currentProcessingTime())) {
                    out.collect(m);
                }
                count(Accumulators.Counter.ITERATIONS, 1);
                count(Accumulators.Counter.STEP_NANOS, s.stepNanos());
                if (s.applied()) {
                    count(Accumulators.Counter.EXAMPLES_TRAINED, s.batchSize());
                } else {
                    count(Accumulators.Counter.SKIPPED_UPDATES, 1);
                }
                if (s.restored()) {
                    count(Accumulators.Counter.DIVERGENCE_RESTORES, 1);
                }
                FailureInjection.reached(FailureInjection.Point.STEP);
            }

            @Override
            public void onEpochEnd(EpochEnd end) {
                out.collect(TrainingMetrics.ofEpochEnd(runId, end, timers.currentProcessingTime()));
                count(Accumulators.Counter.EPOCHS, 1);
            }

            @Override
            public void onSnapshot(ModelTrainer t) {
                ctx.output(
                        SNAPSHOTS,
                        Snapshots.of(
                                t,
                                runId,
                                timers.currentProcessingTime(),
                                provenanceOf(key),
                                eventsTopic));
                count(Accumulators.Counter.SNAPSHOTS, 1);
                FailureInjection.reached(FailureInjection.Point.SNAPSHOT);
            }

            @Override
            public void onAccepted(TrainingExample e) {
                if (firstVariant) {
                    count(Accumulators.Counter.EVENTS_TRAINED, 1);
                }
            }

            @Override
            public void onLate(
                    TrainingExample e,
                    long time,
                    long ownWindow,
                    long watermark,
                    boolean deadLettered) {
                if (!firstVariant) {
                    return;
                }
                if (!deadLettered) {
                    count(Accumulators.Counter.LATE_NEXT_WINDOW, 1);
                    return;
                }
                ctx.output(
                        LATE_EVENTS,
                        DeadLetters.late(
                                eventsTopic,
                                e,
                                config.spec().task(),
                                time,
                                (WindowSpec.EventTime) config.batching().window(),
                                watermark,
                                config.batching().maxOutOfOrdernessMs(),
                                timers.currentProcessingTime()));
                count(Accumulators.Counter.LATE_DEAD_LETTERED, 1);
                count(Accumulators.Counter.DEAD_LETTERED, 1);
            }

            @Override
            public void onIdleFlush() {
                count(Accumulators.Counter.IDLE_FLUSHES, 1);
            }

            @Override
            public void onCounts(String modelKey, long iteration, ModelCounts c) {
                out.collect(
                        TrainingMetrics.ofCounts(
                                runId, modelKey, iteration, c, timers.currentProcessingTime()));
            }
        };
    }

    private void count(Accumulators.Counter c, long n) {
        counters.add(c, n);
    }

    /** The keyed state of the current key, as {@link KeyedTrainer} sees it. */
    private final class KeyedStateStore implements TrainerStore {
        @Override
        public TrainerState trainerState() throws Exception {
            return trainerState.value();
        }

        @Override
        public void setTrainerState(TrainerState s) throws Exception {
            trainerState.update(s);
        }

        @Override
        public WindowBookkeeping bookkeeping() throws Exception {
            WindowBookkeeping b = bookkeeping.value();
            return b == null ? WindowBookkeeping.INITIAL : b;
        }

        @Override
        public void setBookkeeping(WindowBookkeeping b) throws Exception {
            bookkeeping.update(b);
        }

        @Override
        public ModelCounts counts() throws Exception {
            ModelCounts c = modelCounts.value();
            return c == null ? ModelCounts.ZERO : c;
        }

        @Override
        public void setCounts(ModelCounts c) throws Exception {
            modelCounts.update(c);
        }

        @Override
        public List<WindowedExample> openWindows() throws Exception {
            return toList(openWindows.get());
        }

        @Override
        public void addToOpenWindows(WindowedExample e) throws Exception {
            openWindows.add(e);
        }

        @Override
        public void setOpenWindows(List<WindowedExample> examples) throws Exception {
            openWindows.update(examples);
        }

        @Override
        public List<TrainingExample> carried() throws Exception {
            return toList(carried.get());
        }

        @Override
        public void setCarried(List<TrainingExample> examples) throws Exception {
            carried.update(examples);
        }

        @Override
        public List<TrainingExample> pass() throws Exception {
            return toList(pass.get());
        }

        @Override
        public void addToPass(TrainingExample e) throws Exception {
            pass.add(e);
        }

        @Override
        public void clearPass() {
            pass.clear();
        }
    }

    private static <T> List<T> toList(Iterable<T> it) {
        List<T> list = new ArrayList<>();
        if (it != null) {
            it.forEach(list::add);
        }
        return list;
    }
}
