package io.streamgrad.producers;

import io.streamgrad.kafka.KafkaClientConfig;
import io.streamgrad.kafka.RawClients;
import io.streamgrad.kafka.RecordWriter;
import io.streamgrad.kafka.Topic;
import io.streamgrad.kafka.TopicAdmin;
import io.streamgrad.schema.AvroSerde;
import io.streamgrad.schema.FeatureEvent;
import io.streamgrad.schema.LabelEvent;
import java.nio.charset.StandardCharsets;
import java.util.PriorityQueue;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes the two sides of {@link DelayedLabels}: each event's features at its event time and, for a
 * share of events, its label at event time + delay, interleaved in time order as they would arrive.
 * Event i's features go to partition i mod P of the features topic, its label to i mod P' of the
 * labels topic, both keyed by event id and stamped with their own time; topics are created if
 * missing, with unlimited retention.
 */
public final class DelayedLabelProducer {
    private final KafkaClientConfig kafka;
    private final String labelsTopic;
    private final DelayedLabels plan;
    private final DriftSpec drift;

    /** What was written. */
    public record Result(long features, long labels) {}

    /** On a plaintext cluster. */
    public DelayedLabelProducer(String bootstrapServers, String labelsTopic, DelayedLabels plan) {
        this(KafkaClientConfig.plain(bootstrapServers), labelsTopic, plan, DriftSpec.NONE);
    }

    /** With features and labels from a drifting stream. */
    public DelayedLabelProducer(
            KafkaClientConfig kafka, String labelsTopic, DelayedLabels plan, DriftSpec drift) {
        this.kafka = kafka;
        this.labelsTopic = labelsTopic;
        this.plan = plan;
        this.drift = drift;
    }

    public Result run() {
        SyntheticConfig c = plan.synthetic();
        int pf;
        int pl;
        try (TopicAdmin admin = new TopicAdmin(kafka)) {
            admin.requireReachable();
            admin.ensureTopic(Topic.FEATURES, c.topic(), c.partitions());
            admin.ensureTopic(Topic.LABELS, labelsTopic, c.partitions());
            pf = Math.min(c.partitions(), admin.partitionCount(c.topic()));
            pl = Math.min(c.partitions(), admin.partitionCount(labelsTopic));
        }
        AvroSerde<FeatureEvent> featureSerde = AvroSerde.of(FeatureEvent.class);
        AvroSerde<LabelEvent> labelSerde = AvroSerde.of(LabelEvent.class);
        SyntheticEvents events = new SyntheticEvents(c, drift);
        // Labels not yet due, by label time then index: memory is the labels in flight.
        PriorityQueue<long[]> due =
                new PriorityQueue<>(
                        (a, b) ->
                                a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
        long labels = 0;
        Properties props = RawClients.producerProps(kafka, "streamgrad-delayed");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        long startNanos = System.nanoTime();
        try (RecordWriter writer = new RecordWriter(props)) {
            for (long i = 0; i < c.events(); i++) {
                long k = c.firstIndex() + i;
                FeatureEvent f = plan.features(events, k);
                while (!due.isEmpty() && due.peek()[0] <= f.getEventTime()) {
                    labels += sendLabel(writer, labelSerde, events, due.poll()[1], pl);
                }
                writer.send(
                        new ProducerRecord<>(
                                c.topic(),
                                (int) (k % pf),
                                f.getEventTime(),
                                f.getEventId().getBytes(StandardCharsets.UTF_8),
                                featureSerde.serialize(f)));
                long delay = plan.delayMs(k);
                if (delay != DelayedLabels.NO_LABEL) {
                    due.add(new long[] {f.getEventTime() + delay, k});
                }
                pace(startNanos, i + 1, c.ratePerSecond());
            }
            while (!due.isEmpty()) {
                labels += sendLabel(writer, labelSerde, events, due.poll()[1], pl);
            }
        }
        return new Result(c.events(), labels);
    }

    /** Holds the features to {@code rate} per second of wall clock (0: as fast as possible). */
    private static void pace(long startNanos, long sent, double rate) {
        if (rate <= 0) {
            return;
        }
        long wait = startNanos + (long) (sent * 1e9 / rate) - System.nanoTime();
        if (wait > 1_000_000) {
            try {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while producing", e);
            }
        }
    }

    private int sendLabel(
            RecordWriter writer,
            AvroSerde<LabelEvent> serde,
            SyntheticEvents events,
            long index,
            int partitions) {
        LabelEvent l = plan.label(events, index);
        writer.send(
                new ProducerRecord<>(
                        labelsTopic,
                        (int) (index % partitions),
                        l.getLabelTime(),
                        l.getEventId().getBytes(StandardCharsets.UTF_8),
                        serde.serialize(l)));
        return 1;
    }
}
