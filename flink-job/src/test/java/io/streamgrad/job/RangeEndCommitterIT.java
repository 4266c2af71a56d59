package io.streamgrad.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamgrad.kafka.EmbeddedKafkaBroker;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The replay's commit of its range end, against a real broker: it moves the group, and the task
 * thread that asks for it never waits on the broker, also when the topic was deleted and every
 * commit runs into its timeout.
 */
class RangeEndCommitterIT {
    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = EmbeddedKafkaBroker.start();
        // A fresh broker's first commit also creates the offsets topic, which on a busy machine
        // may take longer than one commit's timeout: done here, with time to spare.
        create("commit.warm-up");
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(group("warm-up"))) {
            c.commitSync(ends("commit.warm-up"), Duration.ofSeconds(60));
        }
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    private static Properties group(String id) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, id);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName());
        return p;
    }

    private static Map<TopicPartition, OffsetAndMetadata> ends(String topic) {
        return Map.of(
                new TopicPartition(topic, 0), new OffsetAndMetadata(0),
                new TopicPartition(topic, 1), new OffsetAndMetadata(0));
    }

    private static void create(String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get();
        }
    }

    private static Map<TopicPartition, OffsetAndMetadata> committedOffsets(String group)
            throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
        }
    }

    /** Requests the commit as each checkpoint would (every 200 ms) until it is committed. */
    private static boolean committedWithin(
            RangeEndCommitter c, Map<TopicPartition, OffsetAndMetadata> ends, long ms)
            throws InterruptedException {
        long deadline = System.currentTimeMillis() + ms;
        while (!c.committed()) {
            if (System.currentTimeMillis() > deadline) {
                return false;
            }
            c.request(ends);
            Thread.sleep(200);
        }
        return true;
    }

    @Test
    void commitsTheRangeEndToTheGroupOnce() throws Exception {
        String topic = "commit.ok";
        create(topic);
        Map<TopicPartition, OffsetAndMetadata> ends = ends(topic);
        try (RangeEndCommitter c = new RangeEndCommitter(group("commit-ok"), "ok")) {
            assertFalse(c.committed(), "nothing asked yet");
            assertTrue(committedWithin(c, ends, 30_000), "committed");
        }
        assertEquals(ends, committedOffsets("commit-ok"));
    }

    @Test
    void aCommitToADeletedTopicNeverHoldsTheCallerAndIsRetriedOnceTheTopicIsBack()
            throws Exception {
        String topic = "commit.deleted";
        create(topic);
        broker.deleteTopic(topic);
        try (RangeEndCommitter c = new RangeEndCommitter(group("commit-deleted"), "deleted")) {
            // Each commit runs into its timeout on the committer's thread; the caller (the
            // task thread at every checkpoint) returns at once every time.
            long slowest = 0;
            long until =
                    System.currentTimeMillis() + 2 * RangeEndCommitter.COMMIT_TIMEOUT.toMillis();
            while (System.currentTimeMillis() < until) {
                long t0 = System.nanoTime();
                c.request(ends(topic));
                boolean done = c.committed();
                slowest = Math.max(slowest, (System.nanoTime() - t0) / 1_000_000);
                assertFalse(done, "a deleted topic takes no commit");
                Thread.sleep(100);
            }
            assertTrue(slowest < 1_000, "the caller waited " + slowest + " ms");

            create(topic);
            assertTrue(committedWithin(c, ends(topic), 60_000), "retried once the topic is back");
        }
        assertEquals(ends(topic), committedOffsets("commit-deleted"));
    }

    @Test
    void aCommitRequestedJustBeforeCloseStillLands() throws Exception {
        String topic = "commit.close";
        create(topic);
        RangeEndCommitter c = new RangeEndCommitter(group("commit-close"), "close");
        c.request(ends(topic));
        c.close(); // a bounded run's source closes right after its last checkpoint's request
        assertEquals(ends(topic), committedOffsets("commit-close"));
        c.close(); // twice is fine
        assertThrows(IllegalStateException.class, () -> c.request(ends(topic)));
    }
}
