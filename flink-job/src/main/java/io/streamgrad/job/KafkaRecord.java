package io.streamgrad.job;

/**
 * A Kafka record with its coordinates, so a bad one can be dead-lettered with them.
 *
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
        byte[] value,
        long receivedAtMs) {}
