package io.streamgrad.job;

import io.streamgrad.batch.TrainingExample;
import io.streamgrad.schema.AvroSerde;
import io.streamgrad.schema.ModelSnapshot;
import io.streamgrad.schema.TrainingMetric;
import io.streamgrad.train.ModelTrainer;
import io.streamgrad.train.Snapshots;
import io.streamgrad.train.TrainerState;
import io.streamgrad.train.TrainingConfig;
import io.streamgrad.train.WindowTrainer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The trainer of each model key. Owns the state (window buffer, model, counters) and time (the end
 * of bounded input); delegates batching (MiniBatcher) and maths (ModelTrainer) through {@link
 * WindowTrainer}, which offline replays use too.
 *
 * <p>A count window closes when {@code batchSize × windowBatches} examples have arrived: its
 * examples are shuffled and cut into batches, each batch is one update and one metric, and the
 * remainder waits in state for the next window. At the end of bounded input (the final watermark),
 * what is buffered is trained in power-of-two pieces and a last snapshot is emitted.
 */
public final class TrainFunction
        extends KeyedProcessFunction<String, TrainingExample, TrainingMetric> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<ModelSnapshot> SNAPSHOTS =
            new OutputTag<>("snapshots", new AvroTypeInfo<>(ModelSnapshot.class));

    private final TrainingConfig config;
    private final String runId;
    private final Map<String, String> provenance;

    private transient ValueState<TrainerState> model;
    private transient ListState<TrainingExample> buffer;
    private transient ValueState<Long> buffered;
    private transient LongCounter trained;
    private transient LongCounter iterations;
    private transient LongCounter snapshots;

    public TrainFunction(TrainingConfig config, String runId, Map<String, String> provenance) {
        this.config = config;
        this.runId = runId;
        this.provenance = Map.copyOf(provenance);
    }

    @Override
    public void open(OpenContext openContext) {
        AvroSerde.trustGeneratedClasses();
        model =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "model", TypeInformation.of(TrainerState.class)));
        buffer =
                getRuntimeContext()
                        .getListState(
                                new ListStateDescriptor<>(
                                        "window", TypeInformation.of(TrainingExample.class)));
        buffered = getRuntimeContext().getState(new ValueStateDescriptor<>("buffered", Long.class));
        trained = getRuntimeContext().getLongCounter(Accumulators.EVENTS_TRAINED);
        iterations = getRuntimeContext().getLongCounter(Accumulators.ITERATIONS);
        snapshots = getRuntimeContext().getLongCounter(Accumulators.SNAPSHOTS);
    }

    @Override
    public void processElement(TrainingExample e, Context ctx, Collector<TrainingMetric> out)
            throws Exception {
        buffer.add(e);
        long n = buffered.value() == null ? 1 : buffered.value() + 1;
        buffered.update(n);
        if (n == 1) {
            // Fires only with the final watermark, i.e. at the end of bounded input.
            ctx.timerService().registerEventTimeTimer(Long.MAX_VALUE);
        }
        if (n >= config.windowSize()) {
            closeWindow(ctx.getCurrentKey(), ctx, out, false);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<TrainingMetric> out)
            throws Exception {
        if (timestamp == Long.MAX_VALUE) {
            closeWindow(ctx.getCurrentKey(), ctx, out, true);
        }
    }

    private void closeWindow(String key, Context ctx, Collector<TrainingMetric> out, boolean last)
            throws Exception {
        ModelTrainer trainer =
                model.value() == null
                        ? ModelTrainer.create(key, config)
                        : ModelTrainer.restore(key, config, model.value());
        List<TrainingExample> window = new ArrayList<>();
        for (TrainingExample e : buffer.get()) {
            window.add(e);
        }
        List<TrainingExample> carried =
                WindowTrainer.close(
                        trainer,
                        window,
                        last,
                        step -> {
                            out.collect(metric(step));
                            trained.add(step.batchSize());
                            iterations.add(1);
                        },
                        t -> {
                            ctx.output(
                                    SNAPSHOTS,
                                    Snapshots.of(t, runId, System.currentTimeMillis(), provenance));
                            snapshots.add(1);
                        });
        buffer.update(carried);
        buffered.update((long) carried.size());
        model.update(trainer.state());
    }

    private TrainingMetric metric(ModelTrainer.Step s) {
        return TrainingMetric.newBuilder()
                .setRunId(runId)
                .setModel(s.model())
                .setIteration(s.iteration())
                .setEpoch(0)
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
}
