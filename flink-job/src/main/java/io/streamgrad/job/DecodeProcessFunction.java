package io.streamgrad.job;

import io.streamgrad.batch.TrainingExample;
import io.streamgrad.model.ModelSpec;
import io.streamgrad.schema.AvroDecodeException;
import io.streamgrad.schema.AvroSerde;
import io.streamgrad.schema.DeadLetter;
import io.streamgrad.schema.DeadLetterReason;
import io.streamgrad.schema.LabeledEvent;
import io.streamgrad.train.DeadLetters;
import io.streamgrad.train.EventValidator;
import io.streamgrad.train.InvalidEventException;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Decodes and validates raw records. A record that is not a {@link LabeledEvent}, or does not fit
 * the model, goes to the dead-letter output with its bytes, reason and coordinates; the job goes
 * on.
 */
public final class DecodeProcessFunction extends ProcessFunction<KafkaRecord, TrainingExample> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("dead-letters", new AvroTypeInfo<>(DeadLetter.class));

    private final ModelSpec spec;
    private final AvroSerde<LabeledEvent> serde = AvroSerde.of(LabeledEvent.class);
    private transient LongCounter consumed;
    private transient LongCounter deadLettered;
    private transient Counter liveConsumed;
    private transient Counter liveDeadLettered;

    public DecodeProcessFunction(ModelSpec spec) {
        this.spec = spec;
    }

    @Override
    public void open(OpenContext openContext) {
        AvroSerde.trustGeneratedClasses();
        consumed =
                getRuntimeContext()
                        .getLongCounter(Accumulators.Counter.EVENTS_CONSUMED.accumulatorName());
        deadLettered =
                getRuntimeContext()
                        .getLongCounter(Accumulators.Counter.DEAD_LETTERED.accumulatorName());
        // Live, as Flink metrics (see TrainKeyedProcessFunction).
        liveConsumed =
                getRuntimeContext()
                        .getMetricGroup()
                        .counter(Accumulators.Counter.EVENTS_CONSUMED.metricName());
        liveDeadLettered =
                getRuntimeContext()
                        .getMetricGroup()
                        .counter(Accumulators.Counter.DEAD_LETTERED.metricName());
    }

    @Override
    public void processElement(KafkaRecord record, Context ctx, Collector<TrainingExample> out) {
        consumed.add(1);
        liveConsumed.inc();
        try {
            out.collect(
                    EventValidator.validate(serde.deserialize(record.value()), spec)
                            .at(record.partition(), record.offset()));
        } catch (AvroDecodeException e) {
            deadLetter(ctx, record, DeadLetterReason.UNDECODABLE, e.getMessage());
        } catch (InvalidEventException e) {
            deadLetter(ctx, record, e.reason(), e.getMessage());
        }
    }

    private void deadLetter(Context ctx, KafkaRecord r, DeadLetterReason reason, String detail) {
        deadLettered.add(1);
        liveDeadLettered.inc();
        ctx.output(
                DEAD_LETTERS,
                DeadLetters.of(
                        r.topic(),
                        r.partition(),
                        r.offset(),
                        r.timestamp(),
                        r.key(),
                        r.value(),
                        reason,
                        detail,
                        ctx.timerService().currentProcessingTime()));
    }
}
