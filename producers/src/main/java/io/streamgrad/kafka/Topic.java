package io.streamgrad.kafka;

import io.streamgrad.schema.AvroSerde;
import io.streamgrad.schema.DeadLetter;
import io.streamgrad.schema.FeatureEvent;
import io.streamgrad.schema.LabelEvent;
import io.streamgrad.schema.LabeledEvent;
import io.streamgrad.schema.ModelSnapshot;
import io.streamgrad.schema.TrainingMetric;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The topic registry: streamgrad's contract with the tools around it. Each topic has a default
 * name, what its key holds, its record type (written with {@link AvroSerde}), its cleanup policy
 * and the largest record it accepts. Option defaults, topic creation, producers and sinks all read
 * it, so a topic is described once.
 */
public enum Topic {
    /** Labeled events, the data set: kept until deleted (records carry their event time). */
    EVENTS(
            Names.EVENTS,
            "model key",
            LabeledEvent.class,
            TopicAdmin.Retention.UNLIMITED,
            Topic.DEFAULT_RECORD_BYTES),
    /** One TrainingMetric per iteration, epoch end or alert. */
    METRICS(
            Names.METRICS,
            "model key",
            TrainingMetric.class,
            TopicAdmin.Retention.BROKER_DEFAULT,
            Topic.DEFAULT_RECORD_BYTES),
    /** Model snapshots: compacted to the newest per model key, records up to 64 MiB. */
    SNAPSHOTS(
            Names.SNAPSHOTS,
            "model key",
            ModelSnapshot.class,
            TopicAdmin.Retention.COMPACTED,
            Topic.LARGE_RECORD_BYTES),
    /** Records the job could not train on, with their bytes, reason and coordinates. */
    DEAD_LETTER(
            Names.DEAD_LETTER,
            "source topic/partition/offset",
            DeadLetter.class,
            TopicAdmin.Retention.BROKER_DEFAULT,
            Topic.DEAD_LETTER_RECORD_BYTES),
    /**
     * The label joiner's first input: unlabeled events (features at their event time), kept until
     * deleted like {@link #EVENTS}. The joiner's repartition topic of features is of this kind.
     */
    FEATURES(
            Names.FEATURES,
            "event id",
            FeatureEvent.class,
            TopicAdmin.Retention.UNLIMITED,
            Topic.DEFAULT_RECORD_BYTES),
    /**
     * The label joiner's second input: labels at their label time, arriving after their events. The
     * joiner's repartition topic of labels is of this kind.
     */
    LABELS(
            Names.LABELS,
            "event id",
            LabelEvent.class,
            TopicAdmin.Retention.UNLIMITED,
            Topic.DEFAULT_RECORD_BYTES);

    /** Default topic names, as constants so that option annotations can name them. */
    public static final class Names {
        public static final String EVENTS = "streamgrad.events";
        public static final String METRICS = "streamgrad.metrics";
        public static final String SNAPSHOTS = "streamgrad.snapshots";
        public static final String DEAD_LETTER = "streamgrad.deadletter";
        public static final String FEATURES = "streamgrad.features";
        public static final String LABELS = "streamgrad.labels";

        private Names() {}
    }

    /** Kafka's default record limit (broker {@code message.max.bytes}): 1 MiB. */
    public static final int DEFAULT_RECORD_BYTES = 1 << 20;

    /**
     * The largest snapshot record: 64 MiB. A snapshot is one record of a model's parameters and
     * optimizer state (an MLP 784-128-10 with Adam is 1.2 MB, over Kafka's default).
     */
    public static final int LARGE_RECORD_BYTES = 64 << 20;

    /**
     * A dead letter carries a whole rejected record plus its reason: room for one record of the
     * events topic and the envelope.
     */
    public static final int DEAD_LETTER_RECORD_BYTES = 2 << 20;

    private final String defaultName;
    private final String key;
    private final Class<? extends SpecificRecord> recordType;
    private final TopicAdmin.Retention retention;
    private final int maxRecordBytes;

    Topic(
            String defaultName,
            String key,
            Class<? extends SpecificRecord> recordType,
            TopicAdmin.Retention retention,
            int maxRecordBytes) {
        this.defaultName = defaultName;
        this.key = key;
        this.recordType = recordType;
        this.retention = retention;
        this.maxRecordBytes = maxRecordBytes;
    }

    public String defaultName() {
        return defaultName;
    }

    /** What the record key holds (UTF-8). */
    public String key() {
        return key;
    }

    public Class<? extends SpecificRecord> recordType() {
        return recordType;
    }

    /** The serde of this topic's records (Avro single-object encoding). */
    public <T extends SpecificRecord> AvroSerde<T> serde(Class<T> type) {
        if (type != recordType) {
            throw new IllegalArgumentException(
                    this
                            + " holds "
                            + recordType.getSimpleName()
                            + ", not "
                            + type.getSimpleName());
        }
        return AvroSerde.of(type);
    }

    public TopicAdmin.Retention retention() {
        return retention;
    }

    /** The largest record (bytes) the topic is created to accept and producers send to it. */
    public int maxRecordBytes() {
        return maxRecordBytes;
    }

    /**
     * Producer settings that bound a record's size, all from {@link #maxRecordBytes}: the request
     * size, and the buffer, which must hold a whole record (the producer refuses any record larger
     * than {@code buffer.memory}, whatever {@code max.request.size} says).
     */
    public Properties producerLimits() {
        Properties p = new Properties();
        // Room for the record batch header and the key beside the value.
        int request = maxRecordBytes + 64 * 1024;
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(request));
        long buffer = Math.max(32L << 20, 2L * request);
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Long.toString(buffer));
        return p;
    }
}
