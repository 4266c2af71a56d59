package io.streamgrad.producers.data;

import io.streamgrad.schema.AvroSerde;
import io.streamgrad.schema.LabeledEvent;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.record.AbstractRecords;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.Record;
import org.apache.kafka.common.record.RecordBatch;

/**
 * Whether a data set's events fit in a Kafka record, checked before the broker starts. An event is
 * one Avro record: 4 bytes per feature, so 280,000 features are 1.1 MB, over the 1 MiB a producer
 * sends by default ({@code max.request.size}; the broker's {@code message.max.bytes} is 1 MiB + 12
 * bytes). The size is Kafka's own upper bound of a one-record batch, as the producer checks it
 * before sending.
 */
public final class EventSize {
    private EventSize() {}

    /**
     * Kafka's default record limit: the producer's {@code max.request.size} (1,048,576 bytes),
     * which the events topics and producers here keep.
     */
    public static final int KAFKA_DEFAULT_RECORD_BYTES = 1_048_576;

    /** The bytes a producer counts for this event with this key (value, key, batch overhead). */
    public static int recordBytes(LabeledEvent event, String key) {
        byte[] value = AvroSerde.of(LabeledEvent.class).serialize(event);
        return AbstractRecords.estimateSizeInBytesUpperBound(
                RecordBatch.CURRENT_MAGIC_VALUE,
                CompressionType.NONE,
                key.getBytes(StandardCharsets.UTF_8),
                value,
                Record.EMPTY_HEADERS);
    }

    /**
     * Refuses a data set whose largest event is bigger than {@code limitBytes}. Events differ only
     * in their id and label, so the first and the last are measured.
     *
     * @throws IllegalArgumentException with the size, the limit and what to do
     */
    public static void requireFits(DatasetEvents events, String key, int limitBytes) {
        if (events.size() == 0) {
            return;
        }
        requireFits(events.event(0), key, limitBytes);
        requireFits(events.event(events.size() - 1), key, limitBytes);
    }

    /**
     * Refuses an event (e.g. a synthetic stream's first) bigger than {@code limitBytes}.
     *
     * @throws IllegalArgumentException with the size, the limit and what to do
     */
    public static void requireFits(LabeledEvent event, String key, int limitBytes) {
        int bytes = recordBytes(event, key);
        if (bytes > limitBytes) {
            int features = event.getFeatures().size();
            throw new IllegalArgumentException(
                    String.format(
                            "an event of %,d features is %,d bytes, over the %,d bytes a Kafka"
                                    + " record may hold (the producer's max.request.size and the"
                                    + " broker's message.max.bytes): use at most about %,d"
                                    + " features, e.g. fewer columns or smaller images",
                            features,
                            bytes,
                            limitBytes,
                            Math.max(0, features - (bytes - limitBytes + 3) / 4)));
        }
    }
}
