package io.streamgrad.join;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamgrad.kafka.EmbeddedKafkaBroker;
import io.streamgrad.kafka.KafkaClientConfig;
import io.streamgrad.kafka.RawClients;
import io.streamgrad.kafka.RecordWriter;
import io.streamgrad.producers.DelayDistribution;
import io.streamgrad.producers.DelayedLabelProducer;
import io.streamgrad.producers.DelayedLabels;
import io.streamgrad.producers.SyntheticConfig;
import io.streamgrad.producers.SyntheticEvents;
import io.streamgrad.schema.AvroSerde;
import io.streamgrad.schema.DeadLetter;
import io.streamgrad.schema.LabelEvent;
import io.streamgrad.schema.LabeledEvent;
import io.streamgrad.schema.Task;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Delayed labels produced to a real (in-process) broker, joined by a bounded run. */
class LabelJoinEndToEndTest {
    private static EmbeddedKafkaBroker broker;

    @TempDir Path stateDir;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafkaBroker.start();
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @Test
    void everyFeatureIsJoinedOrANegativeAndEveryLabelIsAccountedFor() {
        int n = 3000;
        long windowMs = 1000;
        SyntheticConfig synthetic =
                new SyntheticConfig("features", "m", Task.BINARY, 4, 2, 0.5, n, 0, 3, 11, 0, false);
        DelayedLabels plan = new DelayedLabels(synthetic, 0.7, 400, DelayDistribution.EXPONENTIAL);
        DelayedLabelProducer.Result written =
                new DelayedLabelProducer(broker.bootstrapServers(), "labels", plan).run();

        // What the seed says must happen.
        long labels = 0;
        long inside = 0;
        Map<String, Object> expectedLabel = new HashMap<>();
        SyntheticEvents events = new SyntheticEvents(synthetic);
        for (long i = 0; i < n; i++) {
            long d = plan.delayMs(i);
            LabeledEvent e = events.event(i);
            Object y = 0;
            if (d != DelayedLabels.NO_LABEL) {
                labels++;
                if (d <= windowMs) {
                    inside++;
                    y = e.getLabel();
                }
            }
            expectedLabel.put(e.getEventId(), y);
        }
        assertEquals(n, written.features());
        assertEquals(labels, written.labels());
        assertTrue(labels > 0.65 * n && labels < 0.75 * n, "label rate 0.7: " + labels);
        // Exponential delays of mean 400 ms: exp(-1000/400) = 8.2% of labels come too late.
        long late = labels - inside;
        assertTrue(late > 0.05 * labels && late < 0.12 * labels, "late labels: " + late);

        // Two bad records, which must be dead-lettered without stopping the join.
        try (RecordWriter w = RecordWriter.to(broker.bootstrapServers(), "bad")) {
            w.send(new ProducerRecord<>("features", 0, null, new byte[] {9, 9}));
            w.send(
                    new ProducerRecord<>(
                            "labels",
                            1,
                            null,
                            AvroSerde.of(LabelEvent.class)
                                    .serialize(
                                            new LabelEvent(
                                                    "no-such-event",
                                                    1,
                                                    SyntheticConfig.EPOCH_MS + 5000))));
        }

        JoinConfig config =
                JoinConfig.of(
                                "features",
                                "labels",
                                "joined",
                                "dead-letters",
                                Duration.ofMillis(windowMs),
                                MissingLabel.NEGATIVE)
                        .withApplicationId("join-e2e")
                        .withPartitions(3)
                        .withMaxSkew(null);
        List<String> statusLines = new ArrayList<>();
        JoinCounters c =
                new LabelJoinRunner(broker.bootstrapServers(), config, stateDir)
                        .run(true, Duration.ofSeconds(1), statusLines::add);

        assertEquals(n, c.features());
        assertEquals(labels + 1, c.labels());
        assertEquals(inside, c.joined());
        assertEquals(n - inside, c.negatives());
        assertEquals(0, c.dropped());
        assertEquals(late, c.lateLabels());
        assertEquals(0, c.duplicateLabels());
        assertEquals(1, c.unknownEvents());
        assertEquals(late + 2, c.deadLettered());
        // The two identities of the join.
        assertEquals(c.features(), c.joined() + c.negatives() + c.dropped());
        assertEquals(
                c.labels(), c.joined() + c.lateLabels() + c.duplicateLabels() + c.unknownEvents());
        assertTrue(
                statusLines
                        .get(statusLines.size() - 1)
                        .contains("joined " + String.format("%,d", inside)));

        // The committed output: every feature exactly once, with its label or class 0.
        AvroSerde<LabeledEvent> serde = AvroSerde.of(LabeledEvent.class);
        Map<String, Object> got = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : readAll("joined", n)) {
            LabeledEvent e = serde.deserialize(r.value());
            assertEquals(null, got.put(e.getEventId(), e.getLabel()), "twice: " + e.getEventId());
            assertEquals(e.getEventTime(), r.timestamp());
        }
        assertEquals(expectedLabel, got);

        Map<String, Integer> reasons = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : readAll("dead-letters", (int) late + 2)) {
            reasons.merge(
                    AvroSerde.of(DeadLetter.class).deserialize(r.value()).getReason(),
                    1,
                    Integer::sum);
        }
        assertEquals(
                Map.of("late-label", (int) late, "undecodable", 1, "unknown-event", 1), reasons);
        assertTrue(
                statusLines.stream().noneMatch(l -> l.startsWith("nothing new")),
                statusLines.toString());

        // The same bounded run again: nothing new to join, and it says so and how to join again.
        List<String> again = new ArrayList<>();
        JoinCounters second =
                new LabelJoinRunner(broker.bootstrapServers(), config, stateDir)
                        .run(true, Duration.ofSeconds(1), again::add);
        assertEquals(0, second.joined());
        assertTrue(
                again.get(again.size() - 1)
                        .startsWith("nothing new: application join-e2e had already read features"),
                again.toString());
        assertTrue(again.get(again.size() - 1).contains("another --application-id"));
    }

    @Test
    void aLiveRunStoppedAndResumedBoundedWritesEveryEventExactlyOnce() throws Exception {
        int n = 1500;
        long windowMs = 1000;
        SyntheticConfig synthetic =
                new SyntheticConfig("f2", "m", Task.BINARY, 4, 2, 0.5, n, 0, 2, 12, 0, false);
        DelayedLabels plan = new DelayedLabels(synthetic, 0.5, 300, DelayDistribution.UNIFORM);
        long labels =
                new DelayedLabelProducer(broker.bootstrapServers(), "l2", plan).run().labels();
        JoinConfig config =
                JoinConfig.of(
                                "f2",
                                "l2",
                                "joined2",
                                "dead2",
                                Duration.ofMillis(windowMs),
                                MissingLabel.NEGATIVE)
                        .withApplicationId("join-resume")
                        .withPartitions(2)
                        .withMaxSkew(null);

        // Live: runs until stopped, once every feature and label has been seen (the two topics
        // are read independently: stopping on labels alone once met 1,260 of the 1,500 features
        // on a loaded machine); the last windows stay open.
        LabelJoinRunner live = new LabelJoinRunner(broker.bootstrapServers(), config, stateDir);
        java.util.concurrent.atomic.AtomicReference<Throwable> failed =
                new java.util.concurrent.atomic.AtomicReference<>();
        Thread t =
                new Thread(
                        () -> {
                            try {
                                live.run(false, Duration.ofSeconds(1), line -> {});
                            } catch (Throwable e) {
                                failed.set(e);
                            }
                        });
        t.start();
        long deadline = System.currentTimeMillis() + 60_000;
        while ((live.counters().labels() < labels || live.counters().features() < n)
                && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        live.stop();
        t.join(60_000);
        assertEquals(null, failed.get());
        JoinCounters first = live.counters();
        assertEquals(n, first.features());
        assertEquals(labels, first.labels());
        assertTrue(first.pendingFeatures() > 0, "windows still open at the end of the live run");
        // The stopped run left its group: otherwise the resumed run below would wait for the
        // broker to expire its member (session.timeout.ms, 45 s) before it could read anything.
        try (Admin admin =
                Admin.create(
                        RawClients.adminProps(
                                KafkaClientConfig.plain(broker.bootstrapServers()),
                                "check-group",
                                10_000))) {
            assertEquals(
                    List.of(),
                    List.copyOf(
                            admin.describeConsumerGroups(List.of("join-resume"))
                                    .all()
                                    .get()
                                    .get("join-resume")
                                    .members()));
        }
        long writtenLive = first.joined() + first.negatives();

        // Resumed, bounded: restores the open windows from the state stores and closes them.
        List<String> resumedLines = new ArrayList<>();
        JoinCounters second =
                new LabelJoinRunner(broker.bootstrapServers(), config, stateDir)
                        .run(true, Duration.ofSeconds(1), resumedLines::add);
        assertEquals(0, second.features(), "nothing read twice");
        assertEquals(first.pendingFeatures(), second.negatives());
        // It read nothing new but closed the windows the live run left open: not "nothing new".
        assertTrue(
                resumedLines.stream().noneMatch(l -> l.startsWith("nothing new")),
                resumedLines.toString());

        Map<String, Object> expected = new HashMap<>();
        SyntheticEvents events = new SyntheticEvents(synthetic);
        for (long i = 0; i < n; i++) {
            long d = plan.delayMs(i);
            LabeledEvent e = events.event(i);
            expected.put(
                    e.getEventId(),
                    d != DelayedLabels.NO_LABEL && d <= windowMs ? e.getLabel() : 0);
        }
        Map<String, Object> got = new HashMap<>();
        AvroSerde<LabeledEvent> serde = AvroSerde.of(LabeledEvent.class);
        for (ConsumerRecord<byte[], byte[]> r : readAll("joined2", n)) {
            LabeledEvent e = serde.deserialize(r.value());
            assertEquals(null, got.put(e.getEventId(), e.getLabel()), "twice: " + e.getEventId());
        }
        assertEquals(expected, got);
        assertTrue(writtenLive < n);
    }

    private static List<ConsumerRecord<byte[], byte[]>> readAll(String topic, int expected) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                RawClients.consumer(broker.bootstrapServers(), "check-" + topic)) {
            RawClients.fromBeginning(
                    consumer, KafkaClientConfig.plain(broker.bootstrapServers()), topic);
            long deadline = System.currentTimeMillis() + 20_000;
            while (out.size() < expected && System.currentTimeMillis() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            // Anything beyond the expected count would be a duplicate: look once more.
            consumer.poll(Duration.ofMillis(500)).forEach(out::add);
        }
        assertEquals(expected, out.size(), topic);
        return out;
    }
}
