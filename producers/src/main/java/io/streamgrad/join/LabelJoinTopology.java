package io.streamgrad.join;

import io.streamgrad.kafka.KafkaClientConfig;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The label joiner's Kafka Streams topology:
 *
 * <pre>
 * features ─decode─┬─bad─▶ dead letters
 *                  └─▶ repartition by event id ─┐
 * labels ───decode─┬─bad─▶ dead letters          ├─merge─▶ join ─┬─▶ events (LabeledEvent)
 *                  └─▶ repartition by event id ─┘                └─▶ dead letters
 * </pre>
 *
 * Both repartition topics have {@link JoinConfig#partitions()} partitions, so a feature and its
 * label meet in the same task whatever the input topics' partitioning. The join's rules are on
 * {@link LabelJoinProcessor}.
 */
public final class LabelJoinTopology {
    private LabelJoinTopology() {}

    /** The topology with counters nobody reads (tests that check only the output). */
    public static Topology build(JoinConfig config) {
        return build(config, new JoinCounters());
    }

    /**
     * @param counters updated by every task of the topology
     */
    public static Topology build(JoinConfig config, JoinCounters counters) {
        if (config.featuresTopic().equals(config.labelsTopic())) {
            throw new IllegalArgumentException(
                    "--features-topic and --labels-topic are both "
                            + config.featuresTopic()
                            + ": features and labels need their own topics");
        }
        StreamsBuilder b = new StreamsBuilder();
        Map<String, String> changelog = changelogConfig(config);
        b.addStateStore(store(LabelJoinProcessor.EVENTS, Serdes.String(), changelog));
        b.addStateStore(store(LabelJoinProcessor.EARLY_LABELS, Serdes.String(), changelog));
        b.addStateStore(store(LabelJoinProcessor.DEADLINES, Serdes.Bytes(), changelog));

        KStream<String, byte[]> features = decoded(b, config, counters, true);
        KStream<String, byte[]> labels = decoded(b, config, counters, false);
        KStream<byte[], Routed> joined =
                features.merge(labels, Named.as("features-and-labels"))
                        .process(
                                () -> new LabelJoinProcessor(config, counters),
                                Named.as("join"),
                                LabelJoinProcessor.EVENTS,
                                LabelJoinProcessor.EARLY_LABELS,
                                LabelJoinProcessor.DEADLINES);
        joined.filter((k, v) -> v.deadLetter(), Named.as("join-rejects"))
                .mapValues(Routed::value, Named.as("join-reject-bytes"))
                .to(
                        config.deadLetterTopic(),
                        Produced.with(Serdes.ByteArray(), Serdes.ByteArray())
                                .withName("join-dead-letters"));
        joined.filterNot((k, v) -> v.deadLetter(), Named.as("join-outputs"))
                .mapValues(Routed::value, Named.as("join-output-bytes"))
                .to(
                        config.eventsTopic(),
                        Produced.with(Serdes.ByteArray(), Serdes.ByteArray())
                                .withStreamPartitioner(SPREAD)
                                .withName("labeled-events"));
        return b.build();
    }

    /**
     * The internal topics that co-partition both inputs by event id, as Kafka Streams names them:
     * features first, then labels.
     */
    public static List<String> repartitionTopics(JoinConfig config) {
        return List.of(
                config.applicationId() + "-features-by-event-id-repartition",
                config.applicationId() + "-labels-by-event-id-repartition");
    }

    /**
     * Kafka Streams settings of the joiner: exactly-once (v2), inputs read from the beginning when
     * the application has no committed offsets, byte-array default serdes.
     */
    public static Properties streamsProperties(
            KafkaClientConfig kafka, JoinConfig config, Path stateDir) {
        Map<String, Object> p = new HashMap<>();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class);
        p.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class);
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        // The join orders by payload time itself (a watermark over input partitions, see
        // LabelJoinProcessor), so tasks need not idle waiting for an empty partition to fill: with
        // the default a drained features partition slowed the labels' tail to a trickle.
        p.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, StreamsConfig.MAX_TASK_IDLE_MS_DISABLED);
        // The cluster's client settings apply to the Streams client's producers, consumers and
        // admin alike (Kafka Streams passes unprefixed client settings to each).
        return kafka.properties(p);
    }

    /**
     * Records of one model would all hash to one partition by key; spreading them by a hash of the
     * whole record keeps every partition of the events topic busy, deterministically.
     */
    private static final StreamPartitioner<byte[], byte[]> SPREAD =
            (topic, key, value, partitions) ->
                    Optional.of(Set.of(Utils.toPositive(Utils.murmur2(value)) % partitions));

    private static KStream<String, byte[]> decoded(
            StreamsBuilder b, JoinConfig config, JoinCounters counters, boolean isFeatures) {
        String side = isFeatures ? "features" : "labels";
        KStream<String, Routed> decoded =
                b.stream(
                                isFeatures ? config.featuresTopic() : config.labelsTopic(),
                                Consumed.with(Serdes.ByteArray(), Serdes.ByteArray())
                                        .withName(side + "-source"))
                        .process(
                                () ->
                                        new DecodeProcessor(
                                                isFeatures,
                                                config.task(),
                                                config.classes(),
                                                counters),
                                Named.as("decode-" + side));
        decoded.filter((k, v) -> v.deadLetter(), Named.as(side + "-rejects"))
                .mapValues(Routed::value, Named.as(side + "-reject-bytes"))
                .to(
                        config.deadLetterTopic(),
                        Produced.with(Serdes.String(), Serdes.ByteArray())
                                .withName(side + "-dead-letters"));
        return decoded.filterNot((k, v) -> v.deadLetter(), Named.as(side + "-accepted"))
                .mapValues(Routed::value, Named.as(side + "-bytes"))
                .repartition(
                        Repartitioned.with(Serdes.String(), Serdes.ByteArray())
                                .withName(side + "-by-event-id")
                                .withNumberOfPartitions(config.partitions()));
    }

    private static <K> StoreBuilder<KeyValueStore<K, byte[]>> store(
            String name, Serde<K> keySerde, Map<String, String> changelog) {
        return Stores.keyValueStoreBuilder(
                        Stores.persistentKeyValueStore(name), keySerde, Serdes.ByteArray())
                .withLoggingEnabled(changelog);
    }

    private static Map<String, String> changelogConfig(JoinConfig config) {
        if (config.changelogRetention() == null) {
            return Map.of(); // compacted: state is deleted explicitly, never by age
        }
        return Map.of(
                TopicConfig.CLEANUP_POLICY_CONFIG,
                TopicConfig.CLEANUP_POLICY_COMPACT + "," + TopicConfig.CLEANUP_POLICY_DELETE,
                TopicConfig.RETENTION_MS_CONFIG,
                Long.toString(config.changelogRetention().toMillis()));
    }
}
