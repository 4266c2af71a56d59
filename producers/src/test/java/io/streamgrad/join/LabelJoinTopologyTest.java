package io.streamgrad.join;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamgrad.schema.AvroSerde;
import io.streamgrad.schema.DeadLetter;
import io.streamgrad.schema.FeatureEvent;
import io.streamgrad.schema.LabelEvent;
import io.streamgrad.schema.LabeledEvent;
import io.streamgrad.schema.Task;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabelJoinTopologyTest {
    private static final long W = 1000;
    private static final AvroSerde<FeatureEvent> FEATURES = AvroSerde.of(FeatureEvent.class);
    private static final AvroSerde<LabelEvent> LABELS = AvroSerde.of(LabelEvent.class);
    private static final AvroSerde<LabeledEvent> EVENTS = AvroSerde.of(LabeledEvent.class);
    private static final AvroSerde<DeadLetter> LETTERS = AvroSerde.of(DeadLetter.class);

    @TempDir Path stateDir;
    private TopologyTestDriver driver;
    private JoinCounters counters;
    private TestInputTopic<byte[], byte[]> features;
    private TestInputTopic<byte[], byte[]> labels;
    private TestOutputTopic<byte[], byte[]> events;
    private TestOutputTopic<byte[], byte[]> deadLetters;

    private void start(MissingLabel missing) {
        start(JoinConfig.of("f", "l", "events", "dlq", Duration.ofMillis(W), missing));
    }

    private void start(JoinConfig config) {
        counters = new JoinCounters();
        Properties props =
                LabelJoinTopology.streamsProperties(
                        io.streamgrad.kafka.KafkaClientConfig.plain("unused:9092"),
                        config,
                        stateDir.resolve("s"));
        driver =
                new TopologyTestDriver(
                        LabelJoinTopology.build(config, counters), props, Instant.ofEpochMilli(0));
        ByteArraySerializer s = new ByteArraySerializer();
        ByteArrayDeserializer d = new ByteArrayDeserializer();
        features = driver.createInputTopic("f", s, s);
        labels = driver.createInputTopic("l", s, s);
        events = driver.createOutputTopic("events", d, d);
        deadLetters = driver.createOutputTopic("dlq", d, d);
    }

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
    }

    private void feature(String id, long eventTime) {
        FeatureEvent f = new FeatureEvent("m", id, eventTime, List.of(1f, -2f), "test");
        features.pipeInput(null, FEATURES.serialize(f), eventTime);
    }

    private void label(String id, Object y, long labelTime) {
        labels.pipeInput(
                id.getBytes(StandardCharsets.UTF_8),
                LABELS.serialize(new LabelEvent(id, y, labelTime)),
                labelTime);
    }

    /** Output events as "id:label:time". */
    private List<String> outputEvents() {
        return events.readValuesToList().stream()
                .map(EVENTS::deserialize)
                .map(e -> e.getEventId() + ":" + e.getLabel() + ":" + e.getEventTime())
                .toList();
    }

    private List<DeadLetter> outputLetters() {
        return deadLetters.readValuesToList().stream().map(LETTERS::deserialize).toList();
    }

    private void assertCounts(long... expected) {
        long[] actual = {
            counters.features(),
            counters.labels(),
            counters.joined(),
            counters.negatives(),
            counters.dropped(),
            counters.lateLabels(),
            counters.duplicateLabels(),
            counters.deadLettered()
        };
        assertEquals(
                java.util.Arrays.toString(expected),
                java.util.Arrays.toString(actual),
                "features, labels, joined, negatives, dropped, late, duplicate, dead-lettered");
    }

    @Test
    void aLabelInsideTheWindowIsJoinedWithItsFeatures() {
        start(MissingLabel.NEGATIVE);
        feature("e1", 1000);
        label("e1", 1, 1000 + W); // the window's last millisecond still counts
        List<LabeledEvent> out =
                events.readValuesToList().stream().map(EVENTS::deserialize).toList();
        assertEquals(1, out.size());
        LabeledEvent e = out.get(0);
        assertEquals("m", e.getModel());
        assertEquals("e1", e.getEventId());
        assertEquals(1000, e.getEventTime());
        assertEquals(List.of(1f, -2f), e.getFeatures());
        assertEquals(1, e.getLabel());
        assertEquals("test", e.getSource());
        assertTrue(deadLetters.isEmpty());
        assertCounts(1, 1, 1, 0, 0, 0, 0, 0);
    }

    @Test
    void aLabelAfterTheWindowIsDeadLetteredAndTheEventBecomesANegative() {
        start(MissingLabel.NEGATIVE);
        feature("e2", 1000);
        label("e2", 1, 1000 + W + 1);
        assertEquals(List.of("e2:0:1000"), outputEvents());
        List<DeadLetter> letters = outputLetters();
        assertEquals(1, letters.size());
        DeadLetter d = letters.get(0);
        assertEquals("late-label", d.getReason());
        assertEquals("l", d.getTopic()); // the input's coordinates, not the repartition topic's
        assertEquals(0, d.getPartition());
        assertEquals(0, d.getOffset());
        assertTrue(d.getDetail().contains("1001 ms after its event_time 1000"), d.getDetail());
        assertEquals(
                new LabelEvent("e2", 1, 1000 + W + 1), LABELS.deserialize(d.getValue().array()));
        assertCounts(1, 1, 0, 1, 0, 1, 0, 1);
    }

    @Test
    void aLabelThatNeverComesIsANegativeOrNothing() {
        start(MissingLabel.NEGATIVE);
        feature("e3", 1000);
        feature("e4", 1000 + W); // stream time reaches e3's window end: still open
        assertEquals(List.of(), outputEvents());
        feature("e5", 1000 + W + 1); // now past it
        assertEquals(List.of("e3:0:1000"), outputEvents());
        assertEquals(2, counters.pendingFeatures());
        close();

        start(MissingLabel.DROP);
        feature("e3", 1000);
        feature("e5", 1000 + W + 1);
        assertEquals(List.of(), outputEvents());
        assertCounts(2, 0, 0, 0, 1, 0, 0, 0);
    }

    @Test
    void theFirstOfTwoLabelsWinsAndTheSecondIsCounted() {
        start(MissingLabel.NEGATIVE);
        feature("e6", 1000);
        label("e6", 1, 1100);
        label("e6", 0, 1200);
        feature("e7", 5000); // closes e6's window: no negative for a joined event
        assertEquals(List.of("e6:1:1000"), outputEvents());
        assertTrue(deadLetters.isEmpty());
        assertCounts(2, 2, 1, 0, 0, 0, 1, 0);
    }

    @Test
    void aLabelBeforeItsFeaturesWaitsForThem() {
        start(MissingLabel.NEGATIVE);
        label("e8", 1, 1500);
        assertEquals(List.of(), outputEvents());
        assertEquals(1, counters.pendingLabels());
        feature("e8", 1000);
        assertEquals(List.of("e8:1:1000"), outputEvents());
        assertEquals(0, counters.pendingLabels());
        // A label whose features never come is an unknown event once stream time passes
        // label_time + window.
        label("e9", 1, 2000);
        feature("e10", 2000 + W);
        assertTrue(deadLetters.isEmpty());
        feature("e11", 2000 + W + 1);
        List<DeadLetter> letters = outputLetters();
        assertEquals(1, letters.size());
        assertEquals("unknown-event", letters.get(0).getReason());
        assertEquals(1, letters.get(0).getOffset());
        assertEquals(1, counters.unknownEvents());
        assertCounts(3, 2, 1, 0, 0, 0, 0, 1);
    }

    @Test
    void outOfOrderInputsJoinOnPayloadTimes() {
        start(MissingLabel.NEGATIVE);
        // The labels' partition runs ahead of the features': stream time is 1800 when e12's
        // features (event time 1000) come, but its label (1500) is inside its window.
        feature("e11", 1800);
        label("e12", 1, 1500);
        feature("e12", 1000);
        // Features older than stream time minus the window close as soon as they come.
        feature("e13", 500);
        // A label for e11 with an earlier label time than records already seen still counts.
        label("e11", 0, 1900);
        assertEquals(List.of("e12:1:1000", "e13:0:500", "e11:0:1800"), outputEvents());
        assertCounts(3, 2, 2, 1, 0, 0, 0, 0);
    }

    @Test
    void aWindowEndingBeforeTheWindowsAlreadyClosedStillCloses() {
        start(MissingLabel.NEGATIVE);
        feature("a", 1000);
        // Stream time 5000: a's window closes, and the next scan of the deadlines starts at its
        // deadline, past what was acted on.
        feature("b", 5000);
        assertEquals(List.of("a:0:1000"), outputEvents());
        // A window that ends before that point: the scan must still find it.
        feature("c", 500);
        assertEquals(List.of("c:0:500"), outputEvents());
        assertCounts(3, 0, 0, 2, 0, 0, 0, 0);
    }

    @Test
    void anInputRunningAheadClosesNoWindowUntilTheOtherFollowsOrTheSkewIsExceeded() {
        JoinConfig base =
                JoinConfig.of(
                                "f",
                                "l",
                                "events",
                                "dlq",
                                Duration.ofMillis(W),
                                MissingLabel.NEGATIVE)
                        .withInputPartitions(2);
        start(base.withMaxSkew(null));
        feature("a", 1000);
        feature("b", 9000); // the features run far ahead; the labels' partition is silent
        assertEquals(List.of(), outputEvents());
        label("b", 1, 3000); // join time = min(9000, 3000): a's window (ends 2000) closes
        assertEquals(List.of("b:1:9000", "a:0:1000"), outputEvents());
        close();

        start(base.withMaxSkew(Duration.ofMillis(500)));
        feature("a", 1000);
        feature("b", 2500); // 2500 - 500 = 2000: a's window is at its last millisecond
        assertEquals(List.of(), outputEvents());
        feature("c", 2501);
        assertEquals(List.of("a:0:1000"), outputEvents());
        assertCounts(3, 0, 0, 1, 0, 0, 0, 0);
    }

    @Test
    void badRecordsAreDeadLetteredWithReasonAndCoordinatesAndTheJoinGoesOn() {
        start(MissingLabel.NEGATIVE);
        features.pipeInput("k".getBytes(StandardCharsets.UTF_8), new byte[] {1, 2, 3}, 10L);
        feature("e14", 1000);
        label("e14", 0.5d, 1100); // a double on a binary task
        label("e14", 2, 1100); // not a binary class
        labels.pipeInput(null, FEATURES.serialize(new FeatureEvent("m", "x", 1L, List.of(), null)));
        label("e14", 1, 1200);
        feature("e14", 1000);
        assertEquals(List.of("e14:1:1000"), outputEvents());
        List<DeadLetter> letters = outputLetters();
        assertEquals(
                List.of(
                        "undecodable f/0/0",
                        "wrong-label-type l/0/0",
                        "wrong-label-type l/0/1",
                        "unknown-schema l/0/2",
                        "duplicate-event f/0/2"),
                letters.stream()
                        .map(
                                d ->
                                        d.getReason()
                                                + " "
                                                + d.getTopic()
                                                + "/"
                                                + d.getPartition()
                                                + "/"
                                                + d.getOffset())
                        .toList());
        assertEquals(3, letters.get(0).getValue().remaining());
        assertEquals("k", StandardCharsets.UTF_8.decode(letters.get(0).getKey()).toString());
        assertTrue(letters.get(1).getDetail().contains("needs an int class index"));
        assertTrue(letters.get(2).getDetail().contains("outside [0, 2)"));
        assertTrue(letters.get(3).getDetail().contains("not a LabelEvent"));
        assertCounts(1, 1, 1, 0, 0, 0, 0, 5);
    }

    @Test
    void theEndOfABoundedRunClosesEveryWindow() {
        start(MissingLabel.NEGATIVE);
        feature("e15", 1000);
        feature("e16", 1500);
        label("e16", 1, 1600);
        label("e17", 1, 1700);
        driver.advanceWallClockTime(Duration.ofSeconds(1));
        assertEquals(List.of("e16:1:1500"), outputEvents());
        counters.requestCloseAll();
        driver.advanceWallClockTime(Duration.ofSeconds(1));
        assertEquals(List.of("e15:0:1000"), outputEvents());
        assertEquals(
                List.of("unknown-event"),
                outputLetters().stream().map(DeadLetter::getReason).toList());
        assertEquals(0, counters.pendingFeatures());
        assertEquals(0, counters.pendingLabels());
        assertCounts(2, 2, 1, 1, 0, 0, 0, 1);
    }

    @Test
    void aWindowLongerThanTheChangelogRetentionIsRefused() {
        JoinConfig c =
                JoinConfig.of("f", "l", "e", "d", Duration.ofHours(2), MissingLabel.NEGATIVE);
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> c.withChangelogRetention(Duration.ofHours(21)));
        assertTrue(e.getMessage().contains("--window PT2H"), e.getMessage());
        // Window plus the time closed events are remembered (default: ten windows) fits.
        assertEquals(
                Duration.ofHours(22),
                c.withChangelogRetention(Duration.ofHours(22)).changelogRetention());
        assertThrows(IllegalArgumentException.class, () -> c.withLabels(Task.REGRESSION, 0));
        assertThrows(
                IllegalArgumentException.class,
                () ->
                        LabelJoinTopology.build(
                                JoinConfig.of(
                                        "t",
                                        "t",
                                        "e",
                                        "d",
                                        Duration.ofSeconds(1),
                                        MissingLabel.DROP)));
    }
}
