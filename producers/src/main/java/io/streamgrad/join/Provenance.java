package io.streamgrad.join;

import io.streamgrad.schema.AvroSerde;
import io.streamgrad.schema.DeadLetter;
import io.streamgrad.schema.DeadLetterReason;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Where a record came from, carried in headers through the repartition topics so that a record
 * dead-lettered by the join step names its input topic, partition and offset, not the internal
 * topic's.
 */
final class Provenance {
    static final String SIDE = "streamgrad.side";
    static final String TOPIC = "streamgrad.topic";
    static final String PARTITION = "streamgrad.partition";
    static final String OFFSET = "streamgrad.offset";
    static final String TIMESTAMP = "streamgrad.timestamp";
    static final byte[] FEATURES = {'f'};
    static final byte[] LABELS = {'l'};

    private static final AvroSerde<DeadLetter> DEAD_LETTERS = AvroSerde.of(DeadLetter.class);

    final String topic;
    final int partition;
    final long offset;
    final long timestamp;

    Provenance(String topic, int partition, long offset, long timestamp) {
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
        this.timestamp = timestamp;
    }

    static Provenance of(RecordMetadata m, long timestamp) {
        return new Provenance(m.topic(), m.partition(), m.offset(), timestamp);
    }

    void writeTo(Headers headers, byte[] side) {
        headers.remove(SIDE).add(SIDE, side);
        headers.remove(TOPIC).add(TOPIC, topic.getBytes(StandardCharsets.UTF_8));
        headers.remove(PARTITION).add(PARTITION, ByteBuffer.allocate(4).putInt(partition).array());
        headers.remove(OFFSET).add(OFFSET, ByteBuffer.allocate(8).putLong(offset).array());
        headers.remove(TIMESTAMP).add(TIMESTAMP, ByteBuffer.allocate(8).putLong(timestamp).array());
    }

    static boolean isFeatures(Headers headers) {
        Header h = headers.lastHeader(SIDE);
        return h != null && h.value().length == 1 && h.value()[0] == FEATURES[0];
    }

    /** The provenance in the headers, or an unknown one if a header is missing. */
    static Provenance readFrom(Headers headers) {
        Header t = headers.lastHeader(TOPIC);
        Header p = headers.lastHeader(PARTITION);
        Header o = headers.lastHeader(OFFSET);
        Header ts = headers.lastHeader(TIMESTAMP);
        if (t == null || p == null || o == null || ts == null) {
            return new Provenance("unknown", -1, -1, -1);
        }
        return new Provenance(
                new String(t.value(), StandardCharsets.UTF_8),
                ByteBuffer.wrap(p.value()).getInt(),
                ByteBuffer.wrap(o.value()).getLong(),
                ByteBuffer.wrap(ts.value()).getLong());
    }

    /** An encoded DeadLetter for this record. */
    byte[] deadLetter(byte[] key, byte[] value, DeadLetterReason reason, String detail, long now) {
        return DEAD_LETTERS.serialize(
                DeadLetter.newBuilder()
                        .setTopic(topic)
                        .setPartition(partition)
                        .setOffset(offset)
                        .setTimestamp(timestamp)
                        .setKey(key == null ? null : ByteBuffer.wrap(key))
                        .setValue(value == null ? null : ByteBuffer.wrap(value))
                        .setReason(reason.wireName())
                        .setDetail(detail)
                        .setFailedAt(now)
                        .build());
    }
}
