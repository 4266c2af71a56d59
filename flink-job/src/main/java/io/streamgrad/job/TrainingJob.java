package io.streamgrad.job;

import io.streamgrad.batch.Batching;
import io.streamgrad.batch.TrainingExample;
import io.streamgrad.batch.WindowSpec;
import io.streamgrad.cli.TrainCommand;
import io.streamgrad.kafka.TopicAdmin;
import io.streamgrad.schema.DeadLetter;
import io.streamgrad.schema.ModelSnapshot;
import io.streamgrad.schema.TrainingMetric;
import java.time.Duration;
import java.util.Properties;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The training job: Kafka → decode → key by model → mini-batch → train → Kafka.
 *
 * <p>{@link #main} is the entry point of the job jar for {@code flink run}; it takes the same flags
 * as {@code ./streamgrad train}. {@link #build} wires the dataflow on any environment (a cluster's,
 * or a local MiniCluster).
 */
public final class TrainingJob {
    private TrainingJob() {}

    public static void main(String[] args) {
        System.exit(TrainCommand.runInClusterContext(args));
    }

    public static void build(StreamExecutionEnvironment env, JobConfig c) {
        SingleOutputStreamOperator<TrainingExample> examples =
                env.fromSource(
                                source(c),
                                watermarks(c.training().batching(), c.bounded()),
                                "kafka: " + c.topics().events())
                        .uid("source")
                        .process(new DecodeFunction(c.training().model()))
                        .uid("decode")
                        .name("decode + validate");

        SingleOutputStreamOperator<TrainingMetric> metrics =
                examples.keyBy(TrainingExample::model)
                        .process(
                                new TrainFunction(
                                        c.training(),
                                        c.runId(),
                                        c.topics().events(),
                                        c.bounded(),
                                        c.provenance()))
                        .returns(new AvroTypeInfo<>(TrainingMetric.class))
                        .uid("train")
                        .name("window + shuffle + mini-batch + train (ND4J)");

        examples.getSideOutput(DecodeFunction.DEAD_LETTERS)
                .union(metrics.getSideOutput(TrainFunction.LATE_EVENTS))
                .sinkTo(
                        sink(
                                c,
                                DeadLetter.class,
                                c.topics().deadLetter(),
                                d -> d.getTopic() + "/" + d.getPartition() + "/" + d.getOffset()))
                .uid("dead-letter-sink")
                .name("kafka: " + c.topics().deadLetter());

        metrics.sinkTo(sink(c, TrainingMetric.class, c.topics().metrics(), m -> m.getModel()))
                .uid("metrics-sink")
                .name("kafka: " + c.topics().metrics());

        DataStream<ModelSnapshot> snapshots = metrics.getSideOutput(TrainFunction.SNAPSHOTS);
        snapshots
                .sinkTo(sink(c, ModelSnapshot.class, c.topics().snapshots(), s -> s.getModel()))
                .uid("snapshot-sink")
                .name("kafka: " + c.topics().snapshots());
    }

    private static KafkaSource<KafkaRecord> source(JobConfig c) {
        var builder =
                KafkaSource.<KafkaRecord>builder()
                        .setBootstrapServers(c.bootstrapServers())
                        .setTopics(c.topics().events())
                        .setGroupId(c.groupId())
                        .setStartingOffsets(
                                OffsetsInitializer.committedOffsets(
                                        c.fromEarliest()
                                                ? OffsetResetStrategy.EARLIEST
                                                : OffsetResetStrategy.LATEST))
                        .setDeserializer(new KafkaRecordSchema())
                        .setProperty("commit.offsets.on.checkpoint", "true");
        if (c.bounded()) {
            builder.setBounded(OffsetsInitializer.latest());
        }
        return builder.build();
    }

    /**
     * Event time from the Kafka record timestamp (streamgrad's producers set it to the event time),
     * watermarks per partition trailing the newest event by the allowed out-of-orderness, advanced
     * by the data (see {@link DataDrivenWatermarks}) in steps of a tenth of an event-time window.
     * On a live stream a partition quiet for the idle timeout stops holding the watermark back; a
     * bounded replay never marks partitions idle, so a slow partition cannot make another's events
     * late.
     */
    private static WatermarkStrategy<KafkaRecord> watermarks(Batching b, boolean bounded) {
        long step =
                b.window() instanceof WindowSpec.EventTime w
                        ? w.sizeMs() / 10
                        : Math.max(1, b.maxOutOfOrdernessMs() / 10);
        long outOfOrderness = b.maxOutOfOrdernessMs();
        WatermarkStrategy<KafkaRecord> s =
                WatermarkStrategy.<KafkaRecord>forGenerator(
                                ctx -> new DataDrivenWatermarks<>(outOfOrderness, step))
                        .withTimestampAssigner((r, ts) -> r.timestamp());
        return !bounded && b.idleTimeoutMs() > 0
                ? s.withIdleness(Duration.ofMillis(b.idleTimeoutMs()))
                : s;
    }

    private static <T extends org.apache.avro.specific.SpecificRecord> KafkaSink<T> sink(
            JobConfig c,
            Class<T> type,
            String topic,
            org.apache.flink.util.function.SerializableFunction<T, String> key) {
        Properties props = new Properties();
        props.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        // A snapshot is one record of parameters and optimizer state, often over 1 MB.
        props.put(
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
                Integer.toString(TopicAdmin.LARGE_RECORD_BYTES));
        return KafkaSink.<T>builder()
                .setBootstrapServers(c.bootstrapServers())
                .setKafkaProducerConfig(props)
                .setRecordSerializer(new AvroKafkaSerializer<>(type, topic, key))
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                .build();
    }
}
