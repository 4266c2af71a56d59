package io.streamgrad.train;

import io.streamgrad.batch.TrainingExample;
import io.streamgrad.schema.AvroSerde;
import io.streamgrad.schema.DeadLetter;
import io.streamgrad.schema.DeadLetterReason;
import io.streamgrad.schema.LabeledEvent;
import io.streamgrad.schema.Task;
import io.streamgrad.window.Durations;
import io.streamgrad.window.WindowSpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The one place a {@link DeadLetter} is built, whichever operator gave up on a record. */
public final class DeadLetters {
    private static final AvroSerde<LabeledEvent> EVENTS = AvroSerde.of(LabeledEvent.class);

    private DeadLetters() {}

    /**
     * How much of a record over the size limit a dead letter keeps (bytes): enough to see what it
     * is, small enough for the dead-letter topic's record limit.
     */
    public static final int TRUNCATED_VALUE_BYTES = 64 * 1024;

    public static DeadLetter of(
            String topic,
            int partition,
            long offset,
            long timestamp,
            byte[] key,
            byte[] value,
            DeadLetterReason reason,
            String detail,
            long failedAt) {
        return DeadLetter.newBuilder()
                .setTopic(topic)
                .setPartition(partition)
                .setOffset(offset)
                .setTimestamp(timestamp)
                .setKey(key == null ? null : ByteBuffer.wrap(key))
                .setValue(value == null ? null : ByteBuffer.wrap(value))
                .setReason(reason.wireName())
                .setDetail(detail == null ? reason.wireName() : detail)
                .setFailedAt(failedAt)
                .build();
    }

    /**
     * A valid event that arrived after its window closed. Its value is the event re-encoded as a
     * LabeledEvent (the decoded form; fields such as {@code source} are not kept), so it can be
     * replayed into the events topic as it is.
     */
    private static DeadLetter late(String topic, TrainingExample e, Task task, String detail) {
        List<Float> features = new ArrayList<>(e.features().length);
        for (float f : e.features()) {
            features.add(f);
        }
        LabeledEvent event =
                LabeledEvent.newBuilder()
                        .setModel(e.modelKey())
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
                e.modelKey().getBytes(StandardCharsets.UTF_8),
                EVENTS.serialize(event),
                DeadLetterReason.LATE,
                detail,
                0);
    }

    /**
     * The dead letter of an event that arrived after its event-time window closed; the detail says
     * which window, the watermark and the policy that would have kept it.
     *
     * @param time the event's stream timestamp (ms)
     */
    public static DeadLetter late(
            String topic,
            TrainingExample e,
            Task task,
            long time,
            WindowSpec.EventTime spec,
            long watermark,
            long maxOutOfOrdernessMs,
            long failedAt) {
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
                        + Durations.format(maxOutOfOrdernessMs)
                        + "); --late-events next-window would train it in the next open window";
        DeadLetter d = late(topic, e, task, detail);
        d.setFailedAt(failedAt);
        return d;
    }
}
