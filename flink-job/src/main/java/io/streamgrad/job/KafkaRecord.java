package io.streamgrad.job;

import java.util.Arrays;

/**
 * A Kafka record with its coordinates, so a bad one can be dead-lettered with them.
 *
 * <p>Its value is {@code valueBuffer[valueOffset, valueOffset + valueLength)}. Flink's Kafka source
 * gives each record an array of its own. A replay ({@link ReplaySource}) keeps a group's values
 * packed in one array that it fills again once the group has been emitted, and hands out records
 * that point into it, so that a record's bytes are not copied before they are decoded (copying them
 * out was a tenth of a bounded run's task and fetcher CPU). Such a record, like any input record
 * under Flink's object reuse (which the job sets), is valid only while it is being processed: an
 * operator that keeps one, or its bytes, keeps {@link #detached()} or {@link #value()}.
 *
 * @param key the record's key, an array of its own (null for none)
 * @param valueBuffer the array that holds the value (null for none)
 * @param valueLength the value's length in bytes, -1 for none
 * @param receivedAtMs when the job's reader had it from Kafka (ms since the epoch): a replay reads
 *     a group of blocks, or a run of records in merge order, before it emits any of them, and gives
 *     each record the time that read began, so the first record emitted carries when reading
 *     started (the rate span's start, {@link Accumulators#FIRST_RECORD_MILLIS}); Flink's Kafka
 *     source (live runs) deserializes a record as it emits it, so there it is the emit time
 */
public record KafkaRecord(
        String topic,
        int partition,
        long offset,
        long timestamp,
        byte[] key,
        byte[] valueBuffer,
        int valueOffset,
        int valueLength,
        long receivedAtMs) {

    /**
     * @throws IllegalArgumentException when the value's range is not within its buffer, or a length
     *     is given without a buffer
     */
    public KafkaRecord {
        if (valueBuffer == null
                ? valueLength != -1
                : valueOffset < 0
                        || valueLength < 0
                        || valueLength > valueBuffer.length - valueOffset) {
            throw new IllegalArgumentException(
                    "value range ["
                            + valueOffset
                            + ", +"
                            + valueLength
                            + ") outside a buffer of "
                            + (valueBuffer == null ? "none" : valueBuffer.length + " bytes"));
        }
    }

    /** A record whose value is an array of its own (null for none). */
    public KafkaRecord(
            String topic,
            int partition,
            long offset,
            long timestamp,
            byte[] key,
            byte[] value,
            long receivedAtMs) {
        this(
                topic,
                partition,
                offset,
                timestamp,
                key,
                value,
                0,
                value == null ? -1 : value.length,
                receivedAtMs);
    }

    /** The value's bytes in an array of their own (a copy unless it fills its buffer), or null. */
    public byte[] value() {
        if (valueBuffer == null) {
            return null;
        }
        return valueOffset == 0 && valueLength == valueBuffer.length
                ? valueBuffer
                : Arrays.copyOfRange(valueBuffer, valueOffset, valueOffset + valueLength);
    }

    /** This record with a value array of its own: safe to keep after it has been processed. */
    public KafkaRecord detached() {
        byte[] value = value();
        return value == valueBuffer
                ? this
                : new KafkaRecord(topic, partition, offset, timestamp, key, value, receivedAtMs);
    }
}
