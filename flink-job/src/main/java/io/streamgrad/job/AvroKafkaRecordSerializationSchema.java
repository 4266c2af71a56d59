package io.streamgrad.job;

import io.streamgrad.schema.AvroSerde;
import java.nio.charset.StandardCharsets;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.util.function.SerializableFunction;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Writes records with the one serde (Avro single-object encoding), keyed by a string field. */
public final class AvroKafkaRecordSerializationSchema<T extends SpecificRecord>
        implements KafkaRecordSerializationSchema<T> {
    private static final long serialVersionUID = 1L;

    private final String topic;
    private final AvroSerde<T> serde;
    private final SerializableFunction<T, String> key;

    public AvroKafkaRecordSerializationSchema(
            Class<T> type, String topic, SerializableFunction<T, String> key) {
        this.topic = topic;
        this.serde = AvroSerde.of(type);
        this.key = key;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(T element, KafkaSinkContext context, Long ts) {
        String k = key.apply(element);
        // The Kafka timestamp is the write time: the stream timestamp of output emitted at the end
        // of input is Long.MAX_VALUE (the final watermark), which brokers reject.
        return new ProducerRecord<>(
                topic,
                null,
                null,
                k == null ? null : k.getBytes(StandardCharsets.UTF_8),
                serde.serialize(element));
    }
}
