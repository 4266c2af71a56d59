package io.streamgrad.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamgrad.kafka.EmbeddedKafkaBroker;
import io.streamgrad.kafka.TopicAdmin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code produce} into a topic that exists adds events of its own kind only: another feature count
 * or fewer partitions than the topic has are refused before anything is written, saying what to
 * give instead; the same kind is appended, but not the same events again (their ids are checked
 * against the ids the topic holds) unless asked.
 */
class ProduceIntoExistingTopicIT {
    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void start() {
        broker = EmbeddedKafkaBroker.start();
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    private static String produce(int exit, String topic, String... flags) {
        String[] base = {
            "produce",
            "synthetic",
            "--bootstrap-servers",
            broker.bootstrapServers(),
            "--topic",
            topic,
            "--events",
            "200"
        };
        String[] args = new String[base.length + flags.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(flags, 0, args, base.length, flags.length);
        return CommandLines.run(exit, args);
    }

    @Test
    void anotherWidthOrFewerPartitionsAreRefusedAndTheSameKindIsAppended() {
        produce(0, "mixed", "--features", "10", "--partitions", "4");

        String wider = produce(2, "mixed", "--features", "20", "--partitions", "4");
        assertTrue(
                wider.contains(
                        "topic mixed already holds events of 10 features, and these have 20"),
                wider);
        assertTrue(wider.contains("another --topic"), wider);

        String fewer = produce(2, "mixed", "--features", "10", "--partitions", "2");
        assertTrue(
                fewer.contains(
                        "topic mixed exists with 4 partitions, and --partitions 2 would write"
                                + " these events to 2 of them only: give --partitions 4"),
                fewer);

        try (TopicAdmin admin = new TopicAdmin(broker.bootstrapServers())) {
            assertEquals(200, admin.recordCount("mixed"), "nothing written by the refusals");
            // The same command again would write the same 200 events (ids syn-42-0 …
            // syn-42-199) a second time: refused, naming the index to continue from.
            String again = produce(2, "mixed", "--features", "10", "--partitions", "4");
            assertTrue(
                    again.contains(
                            "topic mixed already holds events syn-42-0 … syn-42-199, and these"
                                    + " would be syn-42-0 … syn-42-199 again: a run would train"
                                    + " on each twice. To continue the stream give"
                                    + " --first-index 200 (another --seed is another data"
                                    + " set: another teacher labels its events); to write them"
                                    + " again on purpose, --allow-duplicate-ids"),
                    again);
            assertEquals(200, admin.recordCount("mixed"), "nothing written by the refusal");
            produce(0, "mixed", "--features", "10", "--partitions", "4", "--first-index", "200");
            assertEquals(400, admin.recordCount("mixed"));
            // Overlapping the end of what is there is refused too; another seed's ids are new.
            String overlap = produce(2, "mixed", "--features", "10", "--first-index", "350");
            assertTrue(overlap.contains("give --first-index 400"), overlap);
            produce(0, "mixed", "--features", "10", "--seed", "43");
            assertEquals(600, admin.recordCount("mixed"));
            // On purpose: the same events again.
            produce(0, "mixed", "--features", "10", "--seed", "43", "--allow-duplicate-ids");
            assertEquals(800, admin.recordCount("mixed"));
            // More partitions asked of an existing topic than it has: its own, and said.
            String more =
                    produce(
                            0,
                            "mixed",
                            "--features",
                            "10",
                            "--partitions",
                            "8",
                            "--first-index",
                            "400");
            assertTrue(
                    more.contains(
                            "topic mixed exists with 4 partitions: event i goes to partition"
                                    + " i mod 4"),
                    more);
            assertEquals(1_000, admin.recordCount("mixed"));
            // An empty topic of the same partitions takes any width.
            admin.ensureTopic(io.streamgrad.kafka.Topic.EVENTS, "empty", 4);
            produce(0, "empty", "--features", "30", "--partitions", "4");
            assertEquals(200, admin.recordCount("empty"));
        }
    }
}
