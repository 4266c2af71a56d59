package io.streamgrad.job;

import io.streamgrad.batch.TrainingExample;
import io.streamgrad.kafka.Topic;
import io.streamgrad.schema.AvroSerde;
import io.streamgrad.schema.DeadLetter;
import io.streamgrad.schema.ModelSnapshot;
import io.streamgrad.train.Snapshots;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The evaluation job: Kafka (a fixed offset range) → decode + validate → score (in parallel, a
 * metrics shard per subtask) → merge the shards (one aggregation) → the caller.
 *
 * <p>Records that do not decode or do not fit the snapshot (feature count, label) go to the
 * dead-letter topic, as in training, and are not scored. The range is fixed before the job starts,
 * so the job keeps no checkpoints: a failed evaluation is simply run again.
 */
public final class EvaluationJob {
    private EvaluationJob() {}

    /** Progress ticks (examples scored, empty) and, last, (−1, the merged metrics' bytes). */
    public static final TypeInformation<Tuple2<Long, byte[]>> OUTPUT =
            Types.TUPLE(Types.LONG, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);

    /** True for the last record of {@link #build}'s output: the merged metrics. */
    public static boolean isResult(Tuple2<Long, byte[]> t) {
        return t.f0 == MergeShardsOperator.MERGED;
    }

    /** The accumulator naming events of another model key (counted, not scored). */
    public static final String OTHER_MODEL = ScoreOperator.OTHER_MODEL;

    /** The accumulator naming events scored. */
    public static final String SCORED = ScoreOperator.SCORED;

    /** Flink settings of the evaluation job. */
    public static Map<String, String> settings() {
        Map<String, String> m = new HashMap<>();
        m.put("pipeline.generic-types", "false");
        m.put("restart-strategy.type", "none");
        return m;
    }

    public static DataStream<Tuple2<Long, byte[]>> build(
            StreamExecutionEnvironment env, EvaluationConfig c) {
        AvroSerde.trustGeneratedClasses();
        ModelSnapshot snapshot = AvroSerde.of(ModelSnapshot.class).deserialize(c.snapshot());
        SingleOutputStreamOperator<TrainingExample> examples =
                env.fromSource(
                                source(c),
                                WatermarkStrategy.noWatermarks(),
                                "kafka: " + c.eventsTopic())
                        .uid("source")
                        .process(
                                new DecodeProcessFunction(
                                        Snapshots.spec(snapshot), Topic.EVENTS.maxRecordBytes()))
                        .uid("decode")
                        .name("decode + validate");
        examples.getSideOutput(DecodeProcessFunction.DEAD_LETTERS)
                .sinkTo(deadLetterSink(c))
                .uid("dead-letter-sink")
                .name("kafka: " + c.deadLetterTopic());
        return examples.transform(
                        "score (ND4J)",
                        OUTPUT,
                        new ScoreOperator(c.snapshot(), c.modelKey(), c.predictionsDir()))
                .uid("score")
                .transform("merge metrics", OUTPUT, new MergeShardsOperator())
                .uid("merge")
                .setParallelism(1);
    }

    private static KafkaSource<KafkaRecord> source(EvaluationConfig c) {
        return KafkaRanges.source(
                c.kafka(), c.eventsTopic(), "streamgrad-evaluate-" + c.runId(), c.from(), c.to());
    }

    /**
     * At least once: the job has no checkpoints to commit transactions at, and a dead letter
     * written twice by a rerun says the same thing twice.
     */
    private static KafkaSink<DeadLetter> deadLetterSink(EvaluationConfig c) {
        Properties props = Topic.DEAD_LETTER.producerLimits();
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.putAll(c.kafka().settings());
        return KafkaSink.<DeadLetter>builder()
                .setBootstrapServers(c.bootstrapServers())
                .setKafkaProducerConfig(props)
                .setRecordSerializer(
                        new AvroKafkaRecordSerializationSchema<>(
                                DeadLetter.class,
                                c.deadLetterTopic(),
                                d -> d.getTopic() + "/" + d.getPartition() + "/" + d.getOffset()))
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                .build();
    }
}
