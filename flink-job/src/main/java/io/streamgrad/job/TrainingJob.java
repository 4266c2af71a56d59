package io.streamgrad.job;

import io.streamgrad.batch.TrainingExample;
import io.streamgrad.kafka.Topic;
import io.streamgrad.schema.DeadLetter;
import io.streamgrad.schema.ModelSnapshot;
import io.streamgrad.schema.TrainingMetric;
import io.streamgrad.train.Batching;
import io.streamgrad.train.ModelConfigs;
import io.streamgrad.train.ReplayPlan;
import io.streamgrad.train.TrainingConfig;
import io.streamgrad.window.WindowSpec;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamSource;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The training job: Kafka → decode → key by model → mini-batch → train → Kafka.
 *
 * <p>{@link #build} wires the dataflow on any environment (a cluster's, or a local MiniCluster);
 * {@code io.streamgrad.run.ClusterJob} is the job jar's entry point for {@code flink run}.
 */
public final class TrainingJob {
    private TrainingJob() {}

    /** Flink settings every streamgrad job runs with, locally or on a cluster. */
    public static Map<String, String> settings(JobConfig c) {
        Map<String, String> m = new HashMap<>();
        // Records cross operators as POJOs, Avro records and examples with their own serializer
        // (TrainingExampleSerializer); anything else is a bug, not Kryo.
        m.put("pipeline.generic-types", "false");
        // Chained operators pass records by reference instead of copying each one: safe because
        // every record type crossing operators is immutable once emitted (Java records, Avro
        // records built once) and no operator keeps an input it may later change.
        m.put("pipeline.object-reuse", "true");
        // A failing job surfaces in seconds instead of restarting forever.
        m.put("restart-strategy.type", "fixed-delay");
        m.put("restart-strategy.fixed-delay.attempts", "3");
        m.put("restart-strategy.fixed-delay.delay", "2 s");
        m.put("execution.checkpointing.interval", c.checkpointIntervalMs() + " ms");
        return m;
    }

    public static void build(StreamExecutionEnvironment env, JobConfig c) {
        Batching b = c.training().batching();
        if (c.bounded() && b.rereadsKafka()) {
            // Kafka is the data set: every epoch and full-pass loss reads the range again.
            ReplayPlan plan = ReplayPlan.of(b, c.training().seed());
            wire(env, c, replaySource(c, plan), ModelConfigs.of(c.training()), plan);
        } else {
            wire(env, c, source(c), ModelConfigs.of(c.training()), null);
        }
    }

    /**
     * The backtest: the training dataflow over a fixed offset range, each event trained once per
     * variant (model keys KEY@VARIANT). The variants read the range alike ({@link
     * ModelConfigs#replayPlan}): once per epoch and full-pass loss from Kafka, one read serving
     * them all; or, with {@code --shuffle pass} or a full batch, once, each variant keeping it in
     * state.
     */
    public static void build(StreamExecutionEnvironment env, BacktestConfig b) {
        JobConfig c = b.job();
        String consumers = "streamgrad-backtest-" + c.runId();
        ReplayPlan plan = b.configs().replayPlan();
        Source<KafkaRecord, ?, ?> source =
                plan != null
                        ? ReplaySource.ofRange(
                                c.kafka(), c.topics().events(), consumers, plan, b.from(), b.to())
                        : KafkaRanges.source(
                                c.kafka(), c.topics().events(), consumers, b.from(), b.to());
        wire(env, c, source, b.configs(), plan);
    }

    private static void wire(
            StreamExecutionEnvironment env,
            JobConfig c,
            Source<KafkaRecord, ?, ?> source,
            ModelConfigs configs,
            ReplayPlan replay) {
        TrainingConfig base = configs.base();
        DataStreamSource<KafkaRecord> records =
                env.fromSource(
                        source,
                        watermarks(base.batching(), c.bounded()),
                        "kafka: " + c.topics().events());
        SingleOutputStreamOperator<TrainingExample> examples =
                records.uid("source")
                        .process(
                                new DecodeProcessFunction(
                                        base.spec(), Topic.EVENTS.maxRecordBytes(), replay))
                        .uid("decode")
                        .name("decode + validate");
        if (replay != null) {
            // One reader, and decoding chained to it, so a key's passes arrive in order.
            records.setParallelism(1).name("kafka (replay): " + c.topics().events());
            examples.setParallelism(1);
        }
        DataStream<TrainingExample> keyed = examples;
        if (configs.hasVariants()) {
            SingleOutputStreamOperator<TrainingExample> fanOut =
                    examples.flatMap(new VariantFanOut(configs))
                            .uid("variants")
                            .name("one example per variant");
            if (replay != null) {
                // Chained to the one reader: a key's passes must reach its trainer in order.
                fanOut.setParallelism(1);
            }
            keyed = fanOut;
        }

        boolean chained = replay != null && c.parallelism() == 1;
        TrainKeyedProcessFunction train =
                new TrainKeyedProcessFunction(
                        configs,
                        c.runId(),
                        c.topics().events(),
                        c.bounded(),
                        c.provenance(),
                        c.warmStart(),
                        replay);
        SingleOutputStreamOperator<TrainingMetric> metrics =
                byModel(keyed, chained)
                        .process(chained ? train.oneSubtaskOnly() : train)
                        .returns(new AvroTypeInfo<>(TrainingMetric.class))
                        .uid("train")
                        .name("window + shuffle + mini-batch + train (ND4J)");

        examples.getSideOutput(DecodeProcessFunction.DEAD_LETTERS)
                .union(metrics.getSideOutput(TrainKeyedProcessFunction.LATE_EVENTS))
                .sinkTo(
                        sink(
                                c,
                                Topic.DEAD_LETTER,
                                DeadLetter.class,
                                c.topics().deadLetter(),
                                d -> d.getTopic() + "/" + d.getPartition() + "/" + d.getOffset()))
                .uid("dead-letter-sink")
                .name("kafka: " + c.topics().deadLetter());

        metrics.sinkTo(
                        sink(
                                c,
                                Topic.METRICS,
                                TrainingMetric.class,
                                c.topics().metrics(),
                                m -> m.getModel()))
                .uid("metrics-sink")
                .name("kafka: " + c.topics().metrics());

        DataStream<ModelSnapshot> snapshots =
                metrics.getSideOutput(TrainKeyedProcessFunction.SNAPSHOTS);
        snapshots
                .sinkTo(
                        sink(
                                c,
                                Topic.SNAPSHOTS,
                                ModelSnapshot.class,
                                c.topics().snapshots(),
                                s -> s.getModel()))
                .uid("snapshot-sink")
                .name("kafka: " + c.topics().snapshots());
    }

    /**
     * The examples keyed by model. A replay at parallelism 1 has one reader and one trainer, so
     * every key group already lives where its examples are read: the stream is declared keyed as it
     * is, and reading, decoding and training chain into one task, with no serialization or network
     * buffer between them (1.35× the examples/s of the keyBy on the logistic benchmark). Anything
     * else is hashed by model key across a network exchange.
     */
    static KeyedStream<TrainingExample, String> byModel(
            DataStream<TrainingExample> examples, boolean oneReaderOneTrainer) {
        return oneReaderOneTrainer
                ? DataStreamUtils.reinterpretAsKeyedStream(examples, TrainingExample::modelKey)
                : examples.keyBy(TrainingExample::modelKey);
    }

    /**
     * Where reading starts when no checkpoint is restored (a restored checkpoint's offsets always
     * win): explicit per-partition offsets (a warm start continues where its snapshot's lineage
     * ends); else the group's committed offsets, else the earliest or latest; or, for a run that
     * starts over, the earliest or latest whatever the group committed.
     */
    private static OffsetsInitializer startingOffsets(JobConfig c) {
        if (c.startOffsets() != null) {
            // Partitions not named start from the earliest (or latest) offset.
            Map<org.apache.kafka.common.TopicPartition, Long> offsets = new HashMap<>();
            c.startOffsets()
                    .forEach(
                            (p, o) ->
                                    offsets.put(
                                            new org.apache.kafka.common.TopicPartition(
                                                    c.topics().events(), p),
                                            o));
            return OffsetsInitializer.offsets(
                    offsets,
                    c.fromEarliest() ? OffsetResetStrategy.EARLIEST : OffsetResetStrategy.LATEST);
        }
        if (c.ignoreCommittedOffsets()) {
            return c.fromEarliest() ? OffsetsInitializer.earliest() : OffsetsInitializer.latest();
        }
        return OffsetsInitializer.committedOffsets(
                c.fromEarliest() ? OffsetResetStrategy.EARLIEST : OffsetResetStrategy.LATEST);
    }

    /** The range of a bounded run, read once per pass of {@code plan}. */
    private static ReplaySource replaySource(JobConfig c, ReplayPlan plan) {
        return new ReplaySource(
                c.kafka(),
                c.topics().events(),
                c.groupId(),
                plan,
                startsAtCommittedOffsets(c),
                c.fromEarliest(),
                c.startOffsets());
    }

    private static boolean startsAtCommittedOffsets(JobConfig c) {
        return !c.ignoreCommittedOffsets() && c.startOffsets() == null;
    }

    /**
     * The range a fresh bounded run of {@code c} would read if its job started now: per partition,
     * the first offset and the offset after the last, as its source fixes them (the group's
     * committed offsets, explicit start offsets, or the earliest or latest; up to the end offsets
     * now).
     */
    public static Map<Integer, long[]> boundedRangeNow(JobConfig c) {
        return ReplaySource.range(
                c.kafka(),
                c.topics().events(),
                c.groupId(),
                startsAtCommittedOffsets(c),
                c.fromEarliest(),
                c.startOffsets());
    }

    private static ResumableKafkaSource<KafkaRecord> source(JobConfig c) {
        var builder =
                KafkaSource.<KafkaRecord>builder()
                        // The cluster's client settings (SASL, SSL…) first; what the job owns
                        // is refused in them and set below.
                        .setProperties(c.kafka().properties(Map.of()))
                        .setBootstrapServers(c.bootstrapServers())
                        .setTopics(c.topics().events())
                        .setGroupId(c.groupId())
                        .setStartingOffsets(startingOffsets(c))
                        .setDeserializer(new RawKafkaRecordDeserializationSchema())
                        .setProperty("commit.offsets.on.checkpoint", "true")
                        // Reading never creates a topic (the broker's defaults would shape it).
                        .setProperty("allow.auto.create.topics", "false");
        if (c.bounded()) {
            builder.setBounded(OffsetsInitializer.latest());
        }
        return new ResumableKafkaSource<>(builder.build());
    }

    /**
     * Event time from the Kafka record timestamp (streamgrad's producers set it to the event time),
     * watermarks per partition trailing the newest event by the allowed out-of-orderness, advanced
     * by the data (see {@link DataDrivenWatermarkGenerator}) in steps of a tenth of an event-time
     * window. On a live stream a partition quiet for the idle timeout stops holding the watermark
     * back; a bounded replay never marks partitions idle, so a slow partition cannot make another's
     * events late.
     */
    private static WatermarkStrategy<KafkaRecord> watermarks(Batching b, boolean bounded) {
        long step =
                b.window() instanceof WindowSpec.EventTime w
                        ? w.sizeMs() / 10
                        : Math.max(1, b.maxOutOfOrdernessMs() / 10);
        long outOfOrderness = b.maxOutOfOrdernessMs();
        WatermarkStrategy<KafkaRecord> s =
                WatermarkStrategy.<KafkaRecord>forGenerator(
                                ctx -> new DataDrivenWatermarkGenerator<>(outOfOrderness, step))
                        .withTimestampAssigner((r, ts) -> r.timestamp());
        return !bounded && b.idleTimeoutMs() > 0
                ? s.withIdleness(Duration.ofMillis(b.idleTimeoutMs()))
                : s;
    }

    private static <T extends org.apache.avro.specific.SpecificRecord>
            org.apache.flink.api.connector.sink2.Sink<T> sink(
                    JobConfig c,
                    Topic kind,
                    Class<T> type,
                    String topic,
                    org.apache.flink.util.function.SerializableFunction<T, String> key) {
        // The topic's record limit sizes every producer setting that bounds a record.
        Properties props = kind.producerLimits();
        props.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        // Transactions commit at checkpoints; one must outlive a checkpoint interval or two, and
        // stay under the broker's maximum (transaction.max.timeout.ms, 15 min by default).
        props.put(
                ProducerConfig.TRANSACTION_TIMEOUT_CONFIG,
                Long.toString(transactionTimeoutMs(c.checkpointIntervalMs())));
        // The cluster's client settings (SASL, SSL…) over these; those the job owns are refused.
        props.putAll(c.kafka().settings());
        KafkaSink<T> kafka =
                KafkaSink.<T>builder()
                        .setBootstrapServers(c.bootstrapServers())
                        .setKafkaProducerConfig(props)
                        .setRecordSerializer(
                                new AvroKafkaRecordSerializationSchema<>(type, topic, key))
                        // Exactly once: records become visible to read_committed readers when the
                        // checkpoint that covers them completes, and a restart aborts what it had
                        // not.
                        .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                        // Stable per consumer group and topic, so a restarted job fences its
                        // predecessor.
                        .setTransactionalIdPrefix(transactionalIdPrefix(c, kind))
                        .build();
        // A resumed job's commits of transactions already committed are not sent again (they
        // would log "data loss" at ERROR after every stop and resume).
        return new RecoveryAwareKafkaSink<>(
                kafka,
                io.streamgrad.kafka.RawClients.adminProps(
                        c.kafka(),
                        "streamgrad-commit-check-" + kind.name().toLowerCase(java.util.Locale.ROOT),
                        c.kafka().timeoutMs()));
    }

    /** The broker's default {@code transaction.max.timeout.ms}: 15 minutes. */
    static final long BROKER_MAX_TRANSACTION_TIMEOUT_MS = 15 * 60_000L;

    /** Three checkpoint intervals, at least one minute, at most the broker's default maximum. */
    static long transactionTimeoutMs(long checkpointIntervalMs) {
        return Math.min(
                BROKER_MAX_TRANSACTION_TIMEOUT_MS, Math.max(60_000L, 3 * checkpointIntervalMs));
    }

    static String transactionalIdPrefix(JobConfig c, Topic kind) {
        return "streamgrad-" + c.groupId() + "-" + kind.name().toLowerCase(java.util.Locale.ROOT);
    }
}
