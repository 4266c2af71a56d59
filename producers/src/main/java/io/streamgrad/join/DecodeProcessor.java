package io.streamgrad.join;

import io.streamgrad.schema.AvroDecodeException;
import io.streamgrad.schema.AvroSerde;
import io.streamgrad.schema.DeadLetterReason;
import io.streamgrad.schema.FeatureEvent;
import io.streamgrad.schema.LabelEvent;
import io.streamgrad.schema.Task;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * First step of each input: decodes the record, checks a label's type, re-keys by event id and
 * stamps the record with its payload's time (event time for features, label time for labels), so
 * that stream time downstream is the time the join reasons about. Records that fail go to the
 * dead-letter branch with their coordinates.
 */
final class DecodeProcessor implements Processor<byte[], byte[], String, Routed> {
    static final DeadLetterReason WRONG_LABEL_TYPE = DeadLetterReason.WRONG_LABEL_TYPE;

    private final boolean features;
    private final Task task;
    private final int classes;
    private final JoinCounters counters;
    private final AvroSerde<FeatureEvent> featureSerde = AvroSerde.of(FeatureEvent.class);
    private final AvroSerde<LabelEvent> labelSerde = AvroSerde.of(LabelEvent.class);
    private ProcessorContext<String, Routed> context;

    DecodeProcessor(boolean features, Task task, int classes, JoinCounters counters) {
        this.features = features;
        this.task = task;
        this.classes = classes;
        this.counters = counters;
    }

    @Override
    public void init(ProcessorContext<String, Routed> context) {
        this.context = context;
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        (features ? counters.featureRecords : counters.labelRecords).incrementAndGet();
        Provenance from =
                context.recordMetadata()
                        .map(m -> Provenance.of(m, record.timestamp()))
                        .orElse(new Provenance("unknown", -1, -1, record.timestamp()));
        String id;
        long time;
        try {
            if (features) {
                FeatureEvent f = featureSerde.deserialize(record.value());
                id = f.getEventId();
                time = f.getEventTime();
            } else {
                LabelEvent l = labelSerde.deserialize(record.value());
                String problem = labelProblem(l.getLabel());
                if (problem != null) {
                    counters.wrongLabelTypes.incrementAndGet();
                    deadLetter(record, from, WRONG_LABEL_TYPE, l.getEventId() + ": " + problem);
                    return;
                }
                id = l.getEventId();
                time = l.getLabelTime();
            }
        } catch (AvroDecodeException e) {
            counters.undecodable.incrementAndGet();
            // undecodable bytes, or a record of another schema (unknown-schema)
            deadLetter(
                    record,
                    from,
                    e.reason(),
                    (features ? "not a FeatureEvent: " : "not a LabelEvent: ") + e.getMessage());
            return;
        }
        Record<String, Routed> out =
                new Record<>(id, new Routed(false, record.value()), time, record.headers());
        from.writeTo(out.headers(), features ? Provenance.FEATURES : Provenance.LABELS);
        (features ? counters.featuresForwarded : counters.labelsForwarded).incrementAndGet();
        context.forward(out);
    }

    /** Null when the label fits the task, else what is wrong with it. */
    private String labelProblem(Object label) {
        if (task == Task.REGRESSION) {
            return label instanceof Double
                    ? null
                    : "label " + label + " is an int; a regression task needs a double target";
        }
        if (!(label instanceof Integer y)) {
            return "label "
                    + label
                    + " is a double; a "
                    + task.wireName()
                    + " task needs an int class index";
        }
        int bound = task == Task.BINARY ? 2 : classes;
        if (y < 0 || (bound > 0 && y >= bound)) {
            return "class index " + y + " is outside [0, " + (bound > 0 ? bound : "inf") + ")";
        }
        return null;
    }

    private void deadLetter(
            Record<byte[], byte[]> record, Provenance from, DeadLetterReason reason, String d) {
        counters.deadLettered.incrementAndGet();
        byte[] letter =
                from.deadLetter(
                        record.key(), record.value(), reason, d, context.currentSystemTimeMs());
        // Wall clock: see LabelJoinProcessor#forwardLetter.
        context.forward(
                new Record<>(null, new Routed(true, letter), context.currentSystemTimeMs()));
    }
}
