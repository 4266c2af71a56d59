package io.streamgrad.cli;

import io.streamgrad.config.InvalidSettingException;
import io.streamgrad.kafka.Topic;
import io.streamgrad.kafka.TopicAdmin;
import io.streamgrad.producers.EventProducer;
import io.streamgrad.run.TopicSample;
import io.streamgrad.run.flags.KafkaOptions;
import io.streamgrad.schema.LabeledEvent;
import java.util.function.LongFunction;
import org.apache.kafka.common.errors.AuthorizationException;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Where and how every {@code produce} command writes its events. */
final class EventTopicOptions {
    @Mixin KafkaOptions kafka = new KafkaOptions();

    @Option(
            names = "--topic",
            defaultValue = Topic.Names.EVENTS,
            description = "Topic, created if missing (default: ${DEFAULT-VALUE})")
    String topic;

    @Option(
            names = "--model-key",
            defaultValue = "default",
            description = "The events' model key (default: ${DEFAULT-VALUE})")
    String modelKey;

    @Option(
            names = "--partitions",
            defaultValue = "4",
            description =
                    "Partitions of a new topic; event i goes to partition i mod P (default:"
                            + " ${DEFAULT-VALUE})")
    int partitions;

    @Option(
            names = "--rate",
            defaultValue = "0",
            description = "Events per second, 0 for unlimited (default: ${DEFAULT-VALUE})")
    double rate;

    /**
     * An existing topic takes more events only spread over all its partitions (a {@code
     * --partitions} below its count would leave some without them) and of its feature count (one
     * model trains on one width, so one topic holds one data set). The task is not checked: labels
     * of a binary task are valid labels of a multiclass one.
     *
     * @throws InvalidSettingException before anything is written, saying what to give instead
     */
    private void requireSameDataSet(TopicAdmin admin, int features) {
        int existing = admin.partitionCount(topic);
        if (existing > partitions) {
            throw new InvalidSettingException(
                    String.format(
                            "topic %s exists with %d partitions, and --partitions %d would write"
                                    + " these events to %d of them only: give --partitions %d,"
                                    + " or another --topic",
                            topic, existing, partitions, partitions, existing));
        }
        if (existing < partitions) {
            System.out.printf(
                    "  (topic %s exists with %d partitions: event i goes to partition i mod %d)%n",
                    topic, existing, existing);
        }
        if (admin.recordCount(topic) == 0) {
            return;
        }
        Integer held;
        try {
            held = TopicSample.firstFeatureCount(kafka.client(), topic);
        } catch (AuthorizationException e) {
            // A producer's account may write the topic without reading it.
            System.out.printf(
                    "  (not checked that %s's events have %d features too: this client may not"
                            + " read it)%n",
                    topic, features);
            return;
        }
        if (held != null && held != features) {
            throw new InvalidSettingException(
                    String.format(
                            "topic %s already holds events of %d features, and these have %d: a"
                                    + " model trains on one width, so a topic holds one data set."
                                    + " Produce them to another --topic (and train with"
                                    + " --events-topic), or delete %s first",
                            topic, held, features, topic));
        }
    }

    /** Checks the flags and Kafka, writes the events and reports how long it took. */
    long produce(long first, long count, LongFunction<LabeledEvent> eventAt, String what) {
        if (partitions < 1) {
            throw new InvalidSettingException("--partitions must be at least 1, got " + partitions);
        }
        if (rate < 0) {
            throw new InvalidSettingException(
                    "--rate must be 0 (unlimited) or positive, got " + rate);
        }
        try (TopicAdmin admin = kafka.admin()) {
            admin.requireReachable();
            if (admin.topicExists(topic)) {
                requireSameDataSet(admin, eventAt.apply(first).getFeatures().size());
            }
        }
        long start = System.nanoTime();
        long n =
                new EventProducer(kafka.client(), topic, partitions, rate)
                        .run(
                                first,
                                count,
                                eventAt,
                                sent -> System.out.printf("  %,d events sent%n", sent));
        System.out.printf(
                "produced %,d %s events to %s in %.1f s%n",
                n, what, topic, (System.nanoTime() - start) / 1e9);
        return n;
    }
}
