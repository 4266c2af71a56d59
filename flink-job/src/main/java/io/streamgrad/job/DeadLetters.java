package io.streamgrad.job;

import io.streamgrad.batch.TrainingExample;
import io.streamgrad.schema.AvroSerde;
import io.streamgrad.schema.DeadLetter;
import io.streamgrad.schema.LabeledEvent;
import io.streamgrad.schema.Task;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The one place a {@link DeadLetter} is built, whichever operator gave up on a record. */
final class DeadLetters {
    private static final AvroSerde<LabeledEvent> EVENTS = AvroSerde.of(LabeledEvent.class);

    private DeadLetters() {}

    static DeadLetter of(
            String topic,
            int partition,
            long offset,
            long timestamp,
            byte[] key,
            byte[] value,
            String reason,
            String detail) {
        return DeadLetter.newBuilder()
                .setTopic(topic)
                .setPartition(partition)
                .setOffset(offset)
                .setTimestamp(timestamp)
                .setKey(key == null ? null : ByteBuffer.wrap(key))
                .setValue(value == null ? null : ByteBuffer.wrap(value))
                .setReason(reason)
                .setDetail(detail == null ? reason : detail)
                .setFailedAt(System.currentTimeMillis())
                .build();
    }

    /**
     * A valid event that arrived after its window closed. Its value is the event re-encoded as a
     * LabeledEvent (the decoded form; fields such as {@code source} are not kept), so it can be
     * replayed into the events topic as it is.
     */
    static DeadLetter late(String topic, TrainingExample e, Task task, String detail) {
        List<Float> features = new ArrayList<>(e.features().length);
        for (float f : e.features()) {
            features.add(f);
        }
        LabeledEvent event =
                LabeledEvent.newBuilder()
                        .setModel(e.model())
                        .setEventId(e.eventId())
                        .setEventTime(e.eventTime())
                        .setFeatures(features)
                        .setLabel(
                                task == Task.REGRESSION
                                        ? (Object) e.label()
                                        : (Object) (int) e.label())
                        .build();
        return of(
                topic,
                e.partition(),
                e.offset(),
                e.eventTime(),
                e.model().getBytes(StandardCharsets.UTF_8),
                EVENTS.serialize(event),
                "late",
                detail);
    }
}
