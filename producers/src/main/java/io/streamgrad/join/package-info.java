/**
 * The label joiner: a Kafka Streams application that pairs each {@link
 * io.streamgrad.schema.FeatureEvent} with the {@link io.streamgrad.schema.LabelEvent} of the same
 * event id that arrives within an attribution window, and writes {@link
 * io.streamgrad.schema.LabeledEvent}s for the trainer.
 *
 * <p>Owns: the topology ({@link io.streamgrad.join.LabelJoinTopology}), its configuration, its
 * counters and the runner of a live or bounded join. May use: Kafka Streams and clients, {@code
 * io.streamgrad.schema} and {@code io.streamgrad.kafka}; nothing of flink-job.
 */
package io.streamgrad.join;
