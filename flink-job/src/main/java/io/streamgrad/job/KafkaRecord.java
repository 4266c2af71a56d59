package io.streamgrad.job;

/** A Kafka record with its coordinates, so a bad one can be dead-lettered with them. */
public record KafkaRecord(
        String topic, int partition, long offset, long timestamp, byte[] key, byte[] value) {}
