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
 * give instead; the same kind is appended.
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
            produce(0, "mixed", "--features", "10", "--partitions", "4");
            assertEquals(400, admin.recordCount("mixed"));
            // More partitions asked of an existing topic than it has: its own, and said.
            String more = produce(0, "mixed", "--features", "10", "--partitions", "8");
            assertTrue(
                    more.contains(
                            "topic mixed exists with 4 partitions: event i goes to partition"
                                    + " i mod 4"),
                    more);
            assertEquals(600, admin.recordCount("mixed"));
            // An empty topic of the same partitions takes any width.
            admin.ensureTopic(io.streamgrad.kafka.Topic.EVENTS, "empty", 4);
            produce(0, "empty", "--features", "30", "--partitions", "4");
            assertEquals(200, admin.recordCount("empty"));
        }
    }
}
