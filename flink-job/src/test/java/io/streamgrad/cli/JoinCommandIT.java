package io.streamgrad.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamgrad.kafka.EmbeddedKafkaBroker;
import io.streamgrad.kafka.TopicAdmin;
import io.streamgrad.producers.DelayDistribution;
import io.streamgrad.producers.DelayedLabels;
import io.streamgrad.producers.SyntheticConfig;
import io.streamgrad.schema.Task;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Late labels end to end through the CLI: {@code produce delayed} writes features and labels with
 * random delays, {@code join --bounded} pairs them, {@code train --bounded} learns from the result.
 */
class JoinCommandIT {
    private static final int EVENTS = 4096;
    private static final long WINDOW_MS = 1000;

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
    void delayedLabelsJoinedThenTrained(@TempDir Path dir) throws Exception {
        String bootstrap = broker.bootstrapServers();
        int exit =
                Streamgrad.execute(
                        new String[] {
                            "produce", "delayed",
                            "--bootstrap-servers", bootstrap,
                            "--features-topic", "it.features",
                            "--labels-topic", "it.labels",
                            "--events", Integer.toString(EVENTS),
                            "--features", "6",
                            "--label-rate", "0.6",
                            "--delay", "500ms",
                            "--delay-distribution", "exponential",
                            "--partitions", "2",
                            "--seed", "3"
                        },
                        System.err);
        assertEquals(0, exit);
        // What the seed says: the same plan the command used.
        DelayedLabels plan =
                new DelayedLabels(
                        new SyntheticConfig(
                                "it.features",
                                "default",
                                Task.BINARY,
                                6,
                                2,
                                0.5,
                                EVENTS,
                                0,
                                2,
                                3,
                                0,
                                false),
                        0.6,
                        500,
                        DelayDistribution.EXPONENTIAL);
        long labels = 0;
        long inside = 0;
        for (int i = 0; i < EVENTS; i++) {
            long d = plan.delayMs(i);
            labels += d == DelayedLabels.NO_LABEL ? 0 : 1;
            inside += d != DelayedLabels.NO_LABEL && d <= WINDOW_MS ? 1 : 0;
        }

        Path joinSummary = dir.resolve("join.json");
        exit =
                Streamgrad.execute(
                        new String[] {
                            "join",
                            "--bootstrap-servers",
                            bootstrap,
                            "--features-topic",
                            "it.features",
                            "--labels-topic",
                            "it.labels",
                            "--events-topic",
                            "it.events",
                            "--dead-letter-topic",
                            "it.dead",
                            "--window",
                            WINDOW_MS + "ms",
                            "--missing-label",
                            "negative",
                            "--bounded",
                            "--application-id",
                            "it-join",
                            "--state-dir",
                            dir.resolve("state").toString(),
                            "--summary-json",
                            joinSummary.toString()
                        },
                        System.err);
        assertEquals(0, exit);
        JsonNode j = new ObjectMapper().readTree(joinSummary.toFile());
        assertEquals(EVENTS, j.get("features").asLong());
        assertEquals(labels, j.get("labels").asLong());
        assertEquals(inside, j.get("joined").asLong());
        assertEquals(EVENTS - inside, j.get("negatives").asLong());
        assertEquals(0, j.get("dropped").asLong());
        assertEquals(labels - inside, j.get("late_labels").asLong());
        assertEquals(labels - inside, j.get("dead_lettered").asLong());
        // Every feature is joined, a negative or dropped; every label joined or late.
        assertEquals(
                j.get("features").asLong(),
                j.get("joined").asLong() + j.get("negatives").asLong() + j.get("dropped").asLong());
        assertEquals(
                j.get("labels").asLong(), j.get("joined").asLong() + j.get("late_labels").asLong());
        try (TopicAdmin admin = new TopicAdmin(bootstrap)) {
            // Exactly-once output: one LabeledEvent per feature (plus transaction markers, which
            // the offsets count: at least EVENTS).
            assertTrue(admin.recordCount("it.events") >= EVENTS);
        }

        Path trainSummary = dir.resolve("train.json");
        exit =
                Streamgrad.execute(
                        new String[] {
                            "train",
                            "--bootstrap-servers",
                            bootstrap,
                            "--state-dir",
                            StateDirs.fresh(),
                            "--events-topic",
                            "it.events",
                            "--metrics-topic",
                            "it.metrics",
                            "--snapshots-topic",
                            "it.snapshots",
                            "--dead-letter-topic",
                            "it.train.dead",
                            "--bounded",
                            "--features",
                            "6",
                            "--batch-size",
                            "64",
                            "--summary-json",
                            trainSummary.toString()
                        },
                        System.err);
        assertEquals(0, exit);
        JsonNode t = new ObjectMapper().readTree(trainSummary.toFile());
        assertEquals(EVENTS, t.get("events_consumed").asLong());
        assertEquals(EVENTS, t.get("events_trained").asLong());
        assertEquals(0, t.get("dead_lettered").asLong());
    }
}
