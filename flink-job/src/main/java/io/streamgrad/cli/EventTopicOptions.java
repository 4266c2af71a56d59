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

    @Option(
            names = "--allow-duplicate-ids",
            description =
                    "Write events whose ids the topic already holds (the same events again):"
                            + " refused without it, as a second run of the same command would"
                            + " train every one of them twice")
    boolean allowDuplicateIds;

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

    /**
     * Refuses to write event ids the topic already holds, found from each partition's first and
     * last event ({@link TopicSample#edgeEventIds}): the producers' ids are PREFIX-INDEX, counting
     * up, so a second run of the same command would write every event again.
     *
     * @throws InvalidSettingException before anything is written, naming the ids held and the ways
     *     on
     */
    private void requireNewEventIds(long first, long count, LongFunction<LabeledEvent> eventAt) {
        String[] ours = split(eventAt.apply(first).getEventId().toString());
        if (ours == null || count < 1) {
            return;
        }
        long lo = Long.parseLong(ours[1]);
        long hi = lo + count - 1;
        long heldLo = Long.MAX_VALUE;
        long heldHi = Long.MIN_VALUE;
        try {
            for (String id : TopicSample.edgeEventIds(kafka.client(), topic)) {
                String[] theirs = split(id);
                if (theirs != null && theirs[0].equals(ours[0])) {
                    heldLo = Math.min(heldLo, Long.parseLong(theirs[1]));
                    heldHi = Math.max(heldHi, Long.parseLong(theirs[1]));
                }
            }
        } catch (AuthorizationException e) {
            return; // said by the feature count's check
        }
        if (heldLo <= hi && lo <= heldHi) {
            String onward =
                    ours[0].startsWith("syn-")
                            ? String.format(
                                    "To continue the stream give --first-index %d (another"
                                            + " --seed is another data set: another teacher"
                                            + " labels its events); to write",
                                    heldHi + 1)
                            : "These are the same rows of the same data set: to write";
            throw new InvalidSettingException(
                    String.format(
                            "topic %s already holds events %s-%d … %s-%d, and these would be"
                                    + " %s-%d … %s-%d again: a run would train on each twice. %s"
                                    + " them again on purpose, --allow-duplicate-ids",
                            topic, ours[0], heldLo, ours[0], heldHi, ours[0], lo, ours[0], hi,
                            onward));
        }
    }

    /** "syn-7-42" as {"syn-7", "42"}; null for an id not of that form. */
    private static String[] split(String id) {
        int dash = id.lastIndexOf('-');
        if (dash <= 0 || dash == id.length() - 1) {
            return null;
        }
        String index = id.substring(dash + 1);
        for (int i = 0; i < index.length(); i++) {
            if (!Character.isDigit(index.charAt(i))) {
                return null;
            }
        }
        return index.length() > 18 ? null : new String[] {id.substring(0, dash), index};
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
                if (!allowDuplicateIds && admin.recordCount(topic) > 0) {
                    requireNewEventIds(first, count, eventAt);
                }
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
