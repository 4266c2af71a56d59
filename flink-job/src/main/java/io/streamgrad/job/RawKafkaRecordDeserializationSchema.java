package io.streamgrad.job;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Passes records on undecoded: decoding happens downstream, where failures can be routed. */
public final class RawKafkaRecordDeserializationSchema
        implements KafkaRecordDeserializationSchema<KafkaRecord> {
    private static final long serialVersionUID = 1L;

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> r, Collector<KafkaRecord> out) {
        out.collect(
                new KafkaRecord(
                        r.topic(),
                        r.partition(),
                        r.offset(),
                        r.timestamp(),
                        r.key(),
                        r.value(),
                        System.currentTimeMillis()));
    }

    @Override
    public TypeInformation<KafkaRecord> getProducedType() {
        return TypeInformation.of(KafkaRecord.class);
    }
}
