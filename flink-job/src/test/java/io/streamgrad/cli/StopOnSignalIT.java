package io.streamgrad.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamgrad.kafka.EmbeddedKafkaBroker;
import io.streamgrad.producers.SyntheticConfig;
import io.streamgrad.producers.SyntheticProducer;
import io.streamgrad.run.StateDirectory;
import io.streamgrad.schema.Task;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A live {@code train} in its own JVM, stopped with SIGTERM (what Ctrl-C's SIGINT does too: the
 * JVM's shutdown hooks run) while it writes metrics, cancels its job before it goes: it says so,
 * and its transactional sinks leave no transaction open on the shared output topics. Left open (as
 * before, and as {@code kill -9} still does), one held every read_committed reader of the topic,
 * other runs' summaries included, until Kafka's transaction timeout.
 */
class StopOnSignalIT {
    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafkaBroker.start();
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @Test
    void sigtermCancelsTheJobAndLeavesNoTransactionOpen(@TempDir Path dir) throws Exception {
        String bootstrap = broker.bootstrapServers();
        // Events keep coming, so the job is writing metrics when the signal arrives.
        Thread producer =
                new Thread(
                        () ->
                                new SyntheticProducer(
                                                bootstrap,
                                                new SyntheticConfig(
                                                        "stop.events",
                                                        "k",
                                                        Task.BINARY,
                                                        10,
                                                        2,
                                                        0.5,
                                                        500_000,
                                                        5_000,
                                                        4,
                                                        5,
                                                        0,
                                                        false))
                                        .run(n -> {}),
                        "events");
        producer.setDaemon(true);
        producer.start();
        try {
            stopsWithoutOpenTransactions(bootstrap, dir);
        } finally {
            producer.interrupt();
        }
    }

    private void stopsWithoutOpenTransactions(String bootstrap, Path dir) throws Exception {

        Path state = dir.resolve("state");
        Path log = dir.resolve("train.log");
        Process p = KillAndResumeIT.start(args(bootstrap, state, 20_000), log);
        // Until the first checkpoint's transaction is committed, then a second into the next
        // (of 20 s): a transaction precommitted at a checkpoint stays open through a cancel by
        // design (a run resumed from that checkpoint commits it), so the signal comes well away
        // from one; a SIGTERM half a second after the first checkpoint met it open.
        long deadline = System.currentTimeMillis() + 180_000;
        while (committed("stop.metrics") == 0
                && p.isAlive()
                && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        assertTrue(p.isAlive(), "train runs until stopped: " + Files.readString(log));
        assertTrue(
                StateDirectory.at(state).latestCheckpoint().isPresent(),
                "a checkpoint within 3 min: " + Files.readString(log));
        // The sinks' current transactions hold a second of metrics.
        Thread.sleep(1_000);
        p.destroy(); // SIGTERM
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "gone within a minute");
        String out = Files.readString(log);
        assertEquals(143, p.exitValue(), out); // 128 + SIGTERM
        assertTrue(out.contains("cancelled; its metrics and snapshots are on stop.metrics"), out);

        for (String topic : List.of("stop.metrics", "stop.snapshots")) {
            Map<Integer, Long> written = ends(topic, IsolationLevel.READ_UNCOMMITTED);
            assertTrue(
                    written.values().stream().mapToLong(Long::longValue).sum() > 0,
                    topic + " has records: " + written);
            // The last stable offset is the end written: no transaction is open.
            assertEquals(written, ends(topic, IsolationLevel.READ_COMMITTED), topic + ": " + out);
        }

        // Resumed: the checkpoint's transactions, committed before the stop, are not committed
        // again (which the broker refuses as fenced, and the connector logs as "data loss").
        Path resumedLog = dir.resolve("resumed.log");
        Optional<Path> stopped = StateDirectory.at(state).latestCheckpoint();
        long before = committed("stop.metrics");
        Process resumed = KillAndResumeIT.start(args(bootstrap, state, 1_000), resumedLog);
        deadline = System.currentTimeMillis() + 120_000;
        while ((StateDirectory.at(state).latestCheckpoint().equals(stopped)
                        || committed("stop.metrics") <= before)
                && resumed.isAlive()
                && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        resumed.destroy();
        assertTrue(resumed.waitFor(60, TimeUnit.SECONDS), "gone within a minute");
        String again = Files.readString(resumedLog);
        assertTrue(again.contains("resuming run"), again);
        assertTrue(committed("stop.metrics") > before, "the resumed run committed: " + again);
        assertFalse(again.contains("already fenced"), again);
        assertFalse(again.contains("data loss"), again);
        assertFalse(again.contains("ERROR"), again);
    }

    private static String[] args(String bootstrap, Path state, long checkpointIntervalMs) {
        return new String[] {
            "train",
            "--bootstrap-servers",
            bootstrap,
            "--events-topic",
            "stop.events",
            "--metrics-topic",
            "stop.metrics",
            "--snapshots-topic",
            "stop.snapshots",
            "--dead-letter-topic",
            "stop.dead",
            "--group-id",
            "stop",
            "--state-dir",
            state.toString(),
            "--model",
            "logistic",
            "--features",
            "10",
            "--optimizer",
            "sgd",
            "--checkpoint-interval-ms",
            Long.toString(checkpointIntervalMs)
        };
    }

    /** Records committed on the topic so far; 0 while it does not exist. */
    private static long committed(String topic) {
        try {
            return ends(topic, IsolationLevel.READ_COMMITTED).values().stream()
                    .mapToLong(Long::longValue)
                    .sum();
        } catch (Exception e) {
            return 0;
        }
    }

    private static Map<Integer, Long> ends(String topic, IsolationLevel isolation)
            throws Exception {
        Properties props = new Properties();
        props.put("bootstrap.servers", broker.bootstrapServers());
        try (Admin admin = Admin.create(props)) {
            int partitions =
                    admin.describeTopics(List.of(topic))
                            .allTopicNames()
                            .get()
                            .get(topic)
                            .partitions()
                            .size();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int i = 0; i < partitions; i++) {
                latest.put(new TopicPartition(topic, i), OffsetSpec.latest());
            }
            Map<Integer, Long> out = new HashMap<>();
            admin.listOffsets(latest, new ListOffsetsOptions(isolation))
                    .all()
                    .get()
                    .forEach((tp, info) -> out.put(tp.partition(), info.offset()));
            return out;
        }
    }
}
