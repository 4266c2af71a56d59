package io.streamgrad.job;

import io.streamgrad.batch.TrainingExample;
import io.streamgrad.model.ModelSpec;
import io.streamgrad.schema.AvroDecodeException;
import io.streamgrad.schema.AvroSerde;
import io.streamgrad.schema.DeadLetter;
import io.streamgrad.schema.DeadLetterReason;
import io.streamgrad.schema.LabeledEvent;
import io.streamgrad.schema.LabeledEventDecoder;
import io.streamgrad.train.DeadLetters;
import io.streamgrad.train.EventValidator;
import io.streamgrad.train.InvalidEventException;
import io.streamgrad.train.ReplayPlan;
import java.util.Arrays;
import java.util.EnumSet;
import org.apache.flink.api.common.accumulators.LongMaximum;
import org.apache.flink.api.common.accumulators.LongMinimum;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Decodes and validates raw records. A record that is not a {@link LabeledEvent}, or does not fit
 * the model, goes to the dead-letter output with its bytes, reason and coordinates; the job goes
 * on. A record over the size limit is refused before it is decoded. The counts of consumed and
 * dead-lettered records are operator state: they survive failover. So does the time the job read
 * its first record, within one job: a restarted attempt reports the first attempt's, so the run's
 * rate spans the whole job, restarts included ({@link Accumulators#FIRST_RECORD_MILLIS}).
 */
public final class DecodeProcessFunction extends ProcessFunction<KafkaRecord, TrainingExample>
        implements CheckpointedFunction, ResultTypeQueryable<TrainingExample> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("dead-letters", new AvroTypeInfo<>(DeadLetter.class));

    private final ModelSpec spec;
    private final int maxRecordBytes;
    private final ReplayPlan replay;
    private final LabeledEventDecoder decoder = new LabeledEventDecoder();
    private transient CheckpointedCounters counters;
    private transient LongMinimum firstRecordMillis;
    private transient boolean receivedRecord;
    private transient ListState<String> firstRecordState;
    private transient FirstRecordTime carried;

    /**
     * @param maxRecordBytes the largest record (bytes) decoded; larger ones are dead-lettered as
     *     {@link DeadLetterReason#RECORD_TOO_LARGE}
     */
    public DecodeProcessFunction(ModelSpec spec, int maxRecordBytes) {
        this(spec, maxRecordBytes, null);
    }

    /**
     * @param replay the passes of a range read once per epoch and full-pass loss ({@link
     *     ReplaySource}): records are counted and dead-lettered in the first pass only; null when
     *     records arrive once
     */
    public DecodeProcessFunction(ModelSpec spec, int maxRecordBytes, ReplayPlan replay) {
        this.spec = spec;
        this.maxRecordBytes = maxRecordBytes;
        this.replay = replay;
    }

    /** Examples cross an exchange with their own serializer ({@link TrainingExampleSerializer}). */
    @Override
    public TypeInformation<TrainingExample> getProducedType() {
        return TrainingExampleTypeInfo.INSTANCE;
    }

    @Override
    public void open(OpenContext openContext) {
        AvroSerde.trustGeneratedClasses();
        firstRecordMillis = new LongMinimum();
        if (carried.millis() != Long.MAX_VALUE) {
            firstRecordMillis.add(carried.millis());
        }
        getRuntimeContext().addAccumulator(Accumulators.FIRST_RECORD_MILLIS, firstRecordMillis);
        LongMaximum unknown = new LongMaximum(carried.unknown() ? 1 : 0);
        getRuntimeContext().addAccumulator(Accumulators.FIRST_RECORD_UNKNOWN, unknown);
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        counters =
                new CheckpointedCounters(
                        EnumSet.of(
                                Accumulators.Counter.EVENTS_CONSUMED,
                                Accumulators.Counter.DEAD_LETTERED),
                        "decode-counters",
                        getRuntimeContext(),
                        context);
        // Union state: every subtask gets every subtask's time back, so the minimum survives
        // rescaling too.
        firstRecordState =
                context.getOperatorStateStore()
                        .getUnionListState(new ListStateDescriptor<>("first-record", String.class));
        // The entries of builds of Dec 2 2026 before job ids were kept: unregistered, Flink would
        // carry them on, every subtask's to every subtask, growing with each restore.
        context.getOperatorStateStore()
                .getUnionListState(new ListStateDescriptor<>("first-record-millis", Long.class))
                .clear();
        carried =
                FirstRecordTime.carried(
                        getRuntimeContext().getTaskInfo().getAttemptNumber(),
                        getRuntimeContext().getJobInfo().getJobId().toString(),
                        firstRecordState.get());
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        counters.snapshot();
        firstRecordState.update(
                carried.toState(
                        getRuntimeContext().getJobInfo().getJobId().toString(),
                        firstRecordMillis.getLocalValue()));
    }

    @Override
    public void processElement(KafkaRecord record, Context ctx, Collector<TrainingExample> out) {
        if (!receivedRecord) {
            // Where the summary's rate span begins: start-up is everything before it. A replay's
            // reader reads a whole group before it emits a record; the span includes that read.
            receivedRecord = true;
            firstRecordMillis.add(
                    Math.min(record.receivedAtMs(), ctx.timerService().currentProcessingTime()));
        }
        boolean firstPass = replay == null || replay.passOf(record.timestamp()) == 0;
        if (firstPass) {
            counters.add(Accumulators.Counter.EVENTS_CONSUMED, 1);
        }
        byte[] value = record.value();
        if (value != null && value.length > maxRecordBytes) {
            if (!firstPass) {
                return;
            }
            // Checked before decoding: Avro would allocate by the declared sizes inside it. The
            // dead letter keeps the first bytes only, so it fits the dead-letter topic.
            int kept = Math.min(value.length, DeadLetters.TRUNCATED_VALUE_BYTES);
            deadLetter(
                    ctx,
                    record,
                    Arrays.copyOf(value, kept),
                    DeadLetterReason.RECORD_TOO_LARGE,
                    String.format(
                            "record of %,d bytes is over the events' limit of %,d bytes; the dead"
                                    + " letter keeps its first %,d bytes",
                            value.length, maxRecordBytes, kept));
            return;
        }
        try {
            out.collect(
                    EventValidator.validate(decoder.decode(value), spec)
                            .at(record.partition(), record.offset()));
        } catch (AvroDecodeException e) {
            if (firstPass) {
                deadLetter(ctx, record, value, e.reason(), e.getMessage());
            }
        } catch (InvalidEventException e) {
            if (firstPass) {
                deadLetter(ctx, record, value, e.reason(), e.getMessage());
            }
        }
    }

    private void deadLetter(
            Context ctx, KafkaRecord r, byte[] value, DeadLetterReason reason, String detail) {
        counters.add(Accumulators.Counter.DEAD_LETTERED, 1);
        ctx.output(
                DEAD_LETTERS,
                DeadLetters.of(
                        r.topic(),
                        r.partition(),
                        r.offset(),
                        r.timestamp(),
                        r.key(),
                        value,
                        reason,
                        detail,
                        ctx.timerService().currentProcessingTime()));
    }
}
