/**
 * Kafka plumbing shared by every part: the topic registry ({@link io.streamgrad.kafka.Topic}), the
 * cluster's client settings every client is made with ({@link
 * io.streamgrad.kafka.KafkaClientConfig}), the one admin helper, raw byte clients, the record
 * writer, and the in-process KRaft broker of the demo and tests. May use {@code schema}.
 */
package io.streamgrad.kafka;
