/**
 * The records streamgrad writes and reads (Avro, generated from {@code src/main/avro}), their one
 * serde ({@link io.streamgrad.schema.AvroSerde}, single-object encoding) and the wire enums beside
 * them ({@link io.streamgrad.schema.DeadLetterReason}). Uses nothing of ours.
 */
package io.streamgrad.schema;
