package io.streamgrad.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamgrad.kafka.EmbeddedKafkaBroker;
import io.streamgrad.kafka.RecordWriter;
import io.streamgrad.kafka.TopicAdmin;
import io.streamgrad.run.TopicReader;
import io.streamgrad.schema.AvroSerde;
import io.streamgrad.schema.DeadLetter;
import io.streamgrad.schema.DeadLetterReason;
import io.streamgrad.schema.EventCounts;
import io.streamgrad.schema.LabeledEvent;
import io.streamgrad.schema.MetricKind;
import io.streamgrad.schema.TrainingMetric;
import io.streamgrad.train.DeadLetters;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stream in which 10 % of the records are bad, of every kind the job dead-letters, plus one 100
 * MB message: the job runs on, every bad record is on the dead-letter topic with its reason,
 * coordinates, timestamp and bytes, and the accounting adds up to the event.
 */
class BadRecordsIT {
    private static final String MODEL = "mix";
    private static final int FEATURES = 10;
    private static final int GOOD = 1_890;
    private static final int PER_KIND = 30;
    private static final long T0 = 1_700_000_000_000L;
    private static final int HUGE_BYTES = 100_000_000;

    /** The kinds a classification job dead-letters (every reason but the joiner's). */
    private static final List<DeadLetterReason> KINDS =
            List.of(
                    DeadLetterReason.UNDECODABLE,
                    DeadLetterReason.UNKNOWN_SCHEMA,
                    DeadLetterReason.WRONG_FEATURE_COUNT,
                    DeadLetterReason.NON_FINITE_FEATURE,
                    DeadLetterReason.CLASS_OUT_OF_RANGE,
                    DeadLetterReason.RECORD_TOO_LARGE,
                    DeadLetterReason.LATE);

    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafkaBroker.start();
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    /** One record as produced, and what the job must make of it. */
    private record Sent(byte[] value, long timestamp, DeadLetterReason expected) {}

    @Test
    void everyKindOfBadRecordIsDeadLetteredAndTheAccountingAddsUp(@TempDir Path dir)
            throws Exception {
        String bootstrap = broker.bootstrapServers();
        String topic = "bad.events";
        try (Admin admin =
                Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            // Big enough for the 100 MB message: a topic someone configured generously. Unlimited
            // retention, as for any events topic: the events carry 2023 timestamps.
            admin.createTopics(
                            List.of(
                                    new NewTopic(topic, 1, (short) 1)
                                            .configs(
                                                    Map.of(
                                                            "max.message.bytes",
                                                            "110000000",
                                                            "retention.ms",
                                                            "-1"))))
                    .all()
                    .get();
        }
        // Created here for its settings; produced to only once served (KAFKA-15591).
        try (TopicAdmin a = new TopicAdmin(bootstrap)) {
            a.awaitServed(topic);
        }
        List<Sent> sent = stream(new Random(7));
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, "104000000");
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, "210000000");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        try (RecordWriter writer = new RecordWriter(p)) {
            for (Sent s : sent) {
                writer.send(
                        new ProducerRecord<>(
                                topic,
                                0,
                                s.timestamp(),
                                MODEL.getBytes(StandardCharsets.UTF_8),
                                s.value()));
            }
        }

        Path summaryFile = dir.resolve("summary.json");
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        String[] train =
                new String[] {
                    "train",
                    "--state-dir",
                    StateDirs.fresh(),
                    "--bootstrap-servers",
                    bootstrap,
                    "--events-topic",
                    topic,
                    "--metrics-topic",
                    "bad.metrics",
                    "--snapshots-topic",
                    "bad.snapshots",
                    "--dead-letter-topic",
                    "bad.dead",
                    "--bounded",
                    "--model",
                    "logistic",
                    "--features",
                    Integer.toString(FEATURES),
                    "--batch-size",
                    "32",
                    "--window",
                    "event-time:10s",
                    "--max-out-of-orderness",
                    "1s",
                    "--late-events",
                    "deadletter",
                    "--checkpoint-interval-ms",
                    "500",
                    "--summary-json",
                    summaryFile.toString()
                };
        int exit = CliRun.capturingStdout(progress, () -> Streamgrad.execute(train, System.err));
        assertEquals(0, exit, "the job runs on through every kind of bad record");

        long bad = sent.stream().filter(s -> s.expected() != null).count();
        assertEquals(KINDS.size() * PER_KIND + 1, bad);
        assertEquals(0.10, (bad - 1) / (double) (sent.size() - 1), 1e-12, "10 % bad");

        // The run's accounting, to the event.
        JsonNode s = new ObjectMapper().readTree(summaryFile.toFile());
        assertEquals(sent.size(), s.get("events_consumed").asLong());
        assertEquals(bad, s.get("dead_lettered").asLong());
        assertEquals(GOOD, s.get("events_trained").asLong());
        assertEquals(PER_KIND, s.get("late_dead_lettered").asLong());

        // Each bad record on the dead-letter topic: reason, coordinates, timestamp and bytes.
        List<DeadLetter> dead =
                TopicReader.readAll(bootstrap, "bad.dead", DeadLetter.class, d -> true);
        assertEquals(bad, dead.size());
        Map<DeadLetterReason, Integer> byReason = new EnumMap<>(DeadLetterReason.class);
        for (DeadLetter d : dead) {
            assertEquals(topic, d.getTopic().toString());
            assertEquals(0, d.getPartition());
            Sent original = sent.get((int) d.getOffset());
            DeadLetterReason reason = DeadLetterReason.fromWireName(d.getReason().toString());
            assertEquals(original.expected(), reason, "offset " + d.getOffset());
            assertEquals(original.timestamp(), d.getTimestamp(), "offset " + d.getOffset());
            assertTrue(!d.getDetail().toString().isBlank());
            byte[] value = bytes(d.getValue());
            if (reason == DeadLetterReason.RECORD_TOO_LARGE) {
                assertEquals(DeadLetters.TRUNCATED_VALUE_BYTES, value.length);
                assertArrayEquals(
                        Arrays.copyOf(original.value(), DeadLetters.TRUNCATED_VALUE_BYTES), value);
                assertTrue(d.getDetail().toString().contains("bytes"), d.getDetail().toString());
            } else if (reason == DeadLetterReason.LATE) {
                // Late events are re-encoded from their decoded form: the same event.
                AvroSerde<LabeledEvent> serde = AvroSerde.of(LabeledEvent.class);
                assertEquals(
                        serde.deserialize(original.value()).getEventId(),
                        serde.deserialize(value).getEventId());
            } else {
                assertArrayEquals(original.value(), value, "offset " + d.getOffset());
            }
            byReason.merge(reason, 1, Integer::sum);
        }
        for (DeadLetterReason k : KINDS) {
            int expected = k == DeadLetterReason.RECORD_TOO_LARGE ? PER_KIND + 1 : PER_KIND;
            assertEquals(expected, byReason.getOrDefault(k, 0), k.wireName());
        }

        // The progress lines count them (followed on the dead-letter topic): the last count
        // shown, on an iteration line or on the closing line, is the whole of them.
        List<String> countLines =
                progress.toString(StandardCharsets.UTF_8)
                        .lines()
                        .filter(l -> l.contains(" dead-lettered"))
                        .filter(
                                l ->
                                        l.contains(" examples/s | loss ")
                                                || l.endsWith(" by the end of the run"))
                        .toList();
        assertTrue(!countLines.isEmpty(), progress.toString(StandardCharsets.UTF_8));
        String lastCount = countLines.get(countLines.size() - 1);
        assertTrue(
                lastCount.endsWith(String.format("| %,d dead-lettered", bad))
                        || lastCount.equals(
                                String.format("  %,d dead-lettered by the end of the run", bad)),
                lastCount);

        // What `dead-letters` tells of the same topic: every reason's count and its source
        // offsets, the newest letters listed; filters, and a reason that does not exist.
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int listed = deadLetters(out, bootstrap, "--list", "3");
        String said = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, listed, said);
        assertTrue(
                said.startsWith(
                        String.format(
                                "bad.dead: %,d dead letters (%,d read), from %s%n",
                                bad, bad, topic)),
                said);
        assertFalse(said.contains("written again"), "one run, each record once: " + said);
        for (DeadLetterReason k : KINDS) {
            long first = Long.MAX_VALUE;
            long last = Long.MIN_VALUE;
            for (DeadLetter d : dead) {
                if (d.getReason().toString().equals(k.wireName())) {
                    first = Math.min(first, d.getOffset());
                    last = Math.max(last, d.getOffset());
                }
            }
            assertTrue(
                    said.contains(
                            String.format(
                                    "  %-20s %,10d   written", k.wireName(), byReason.get(k))),
                    k.wireName() + " in " + said);
            assertTrue(
                    said.contains(
                            String.format("    offsets  %s/0 %d to %d%n", topic, first, last)),
                    k.wireName() + "'s offsets in " + said);
        }
        assertTrue(said.contains("fix      set --features to the events' feature count"), said);
        // The three written last, oldest first, one row each.
        List<String> afterHeader =
                said.substring(said.indexOf("the newest 3:")).lines().skip(2).toList();
        List<DeadLetter> byWritten = new ArrayList<>(dead);
        byWritten.sort(
                java.util.Comparator.comparingLong(DeadLetter::getFailedAt)
                        .thenComparingLong(DeadLetter::getOffset));
        assertEquals(3, afterHeader.size(), said);
        for (int i = 0; i < 3; i++) {
            DeadLetter d = byWritten.get(byWritten.size() - 3 + i);
            assertTrue(
                    afterHeader.get(i).contains(" " + topic + "/0@" + d.getOffset() + " "),
                    afterHeader.get(i) + " is " + d.getOffset());
        }

        out.reset();
        int late = deadLetters(out, bootstrap, "--reason", "late");
        said = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, late, said);
        assertTrue(
                said.startsWith(
                        String.format(
                                "bad.dead: %,d dead letters with reason late (%,d read)",
                                PER_KIND, bad)),
                said);
        assertFalse(said.contains("wrong-feature-count"), said);

        // --source-topic is said once, in the filter; one dead letter is one.
        out.reset();
        assertEquals(0, deadLetters(out, bootstrap, "--source-topic", topic, "--list", "1"));
        said = out.toString(StandardCharsets.UTF_8);
        assertTrue(
                said.startsWith(
                        String.format(
                                "bad.dead: %,d dead letters from %s (%,d read)%n",
                                bad, topic, bad)),
                said);
        // Every detail whole: a late event's ends with the policy that would have kept it.
        assertTrue(
                said.lines().anyMatch(l -> l.startsWith("    e.g.") && l.contains("--late-events")),
                said);

        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
        int none =
                Streamgrad.execute(
                        new String[] {
                            "dead-letters",
                            "--bootstrap-servers",
                            bootstrap,
                            "--dead-letter-topic",
                            "bad.dead",
                            "--source-topic",
                            "other.events"
                        },
                        errStream);
        assertEquals(DeadLettersCommand.NONE_MATCH, none);
        // A topic of another kind holds no DeadLetters at all: a wrong flag, not a clean topic.
        int wrongKind =
                Streamgrad.execute(
                        new String[] {
                            "dead-letters",
                            "--bootstrap-servers",
                            bootstrap,
                            "--dead-letter-topic",
                            topic
                        },
                        errStream);
        assertEquals(2, wrongKind);
        assertTrue(
                err.toString(StandardCharsets.UTF_8)
                        .contains(
                                "--dead-letter-topic "
                                        + topic
                                        + " holds "
                                        + String.format("%,d", sent.size())
                                        + " records and none is a DeadLetter"),
                err.toString(StandardCharsets.UTF_8));
        int unknown =
                Streamgrad.execute(
                        new String[] {
                            "dead-letters",
                            "--bootstrap-servers",
                            bootstrap,
                            "--dead-letter-topic",
                            "bad.dead",
                            "--reason",
                            "too-late"
                        },
                        errStream);
        assertEquals(2, unknown);
        assertTrue(
                err.toString(StandardCharsets.UTF_8)
                        .contains("--reason 'too-late' is not a dead-letter reason: one of"),
                err.toString(StandardCharsets.UTF_8));

        // The model's own accounting on the metrics topic: what reached its trainer (valid
        // events, the late ones included) was trained or dead-lettered; nothing is pending.
        List<TrainingMetric> counts =
                TopicReader.readAll(
                        bootstrap,
                        "bad.metrics",
                        TrainingMetric.class,
                        m -> m.getKind() == MetricKind.COUNTS);
        assertTrue(!counts.isEmpty());
        EventCounts last = counts.get(counts.size() - 1).getCounts();
        assertNotNull(last);
        assertEquals(
                new EventCounts((long) GOOD + PER_KIND, (long) GOOD, (long) PER_KIND, 0L), last);
        for (TrainingMetric m : counts) {
            EventCounts c = m.getCounts();
            assertEquals(
                    c.getConsumed(),
                    c.getTrained() + c.getDeadLettered() + c.getPending(),
                    "consumed = trained + dead-lettered + pending at iteration "
                            + m.getIteration());
        }
    }

    /** `dead-letters` on the run's dead-letter topic with {@code more} flags; its exit code. */
    private static int deadLetters(ByteArrayOutputStream out, String bootstrap, String... more) {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "dead-letters",
                                "--bootstrap-servers",
                                bootstrap,
                                "--dead-letter-topic",
                                "bad.dead"));
        args.addAll(List.of(more));
        return CliRun.capturingStdout(
                out, () -> Streamgrad.execute(args.toArray(String[]::new), System.err));
    }

    /**
     * Good events every 10 ms of event time; from the 300th record on, bad records of every kind at
     * random places, and one 100 MB message in the middle.
     */
    private static List<Sent> stream(Random random) {
        AvroSerde<LabeledEvent> serde = AvroSerde.of(LabeledEvent.class);
        List<DeadLetterReason> badOrder = new ArrayList<>();
        for (DeadLetterReason k : KINDS) {
            badOrder.addAll(Collections.nCopies(PER_KIND, k));
        }
        Collections.shuffle(badOrder, random);
        // Positions among the records after the first 300 (all good, so windows have closed).
        List<Boolean> tail = new ArrayList<>();
        tail.addAll(Collections.nCopies(GOOD - 300, false));
        tail.addAll(Collections.nCopies(badOrder.size(), true));
        Collections.shuffle(tail, random);
        List<Boolean> isBad = new ArrayList<>(Collections.nCopies(300, false));
        isBad.addAll(tail);

        List<Sent> out = new ArrayList<>();
        int good = 0;
        int nextBad = 0;
        for (boolean b : isBad) {
            long now = T0 + 10L * good;
            if (!b) {
                out.add(
                        new Sent(
                                serde.serialize(
                                        event(
                                                "e" + good,
                                                now,
                                                features(random),
                                                random.nextInt(2))),
                                now,
                                null));
                good++;
            } else {
                DeadLetterReason k = badOrder.get(nextBad++);
                // A late event carries its own (old) time as its Kafka timestamp, as producers set
                // it; the watermark is far ahead.
                long time = k == DeadLetterReason.LATE ? now - 60_000 : now;
                out.add(new Sent(bad(k, nextBad, time, random, serde), time, k));
            }
            if (out.size() == 1_000) {
                byte[] huge = new byte[HUGE_BYTES];
                random.nextBytes(huge);
                out.add(new Sent(huge, now, DeadLetterReason.RECORD_TOO_LARGE));
            }
        }
        return out;
    }

    private static byte[] bad(
            DeadLetterReason kind, int i, long now, Random random, AvroSerde<LabeledEvent> serde) {
        String id = "bad-" + i;
        return switch (kind) {
            case UNDECODABLE -> ("not an event " + i).getBytes(StandardCharsets.UTF_8);
            case UNKNOWN_SCHEMA -> {
                byte[] v = serde.serialize(event(id, now, features(random), 1));
                // Single-object header with a fingerprint no schema of ours has.
                ByteBuffer.wrap(v, 2, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(0x5EED_0000L + i);
                yield v;
            }
            case WRONG_FEATURE_COUNT ->
                    serde.serialize(event(id, now, features(random).subList(0, 3), 1));
            case NON_FINITE_FEATURE -> {
                List<Float> f = new ArrayList<>(features(random));
                f.set(i % FEATURES, i % 2 == 0 ? Float.NaN : Float.POSITIVE_INFINITY);
                yield serde.serialize(event(id, now, f, 0));
            }
            case CLASS_OUT_OF_RANGE ->
                    serde.serialize(event(id, now, features(random), i % 2 == 0 ? 2 : -1));
            case RECORD_TOO_LARGE -> {
                byte[] v = new byte[(1 << 20) + 1 + i];
                random.nextBytes(v);
                yield v;
            }
            // A valid event a minute behind the stream (its time says so): its window closed long
            // ago.
            case LATE -> serde.serialize(event(id, now, features(random), 1));
            default -> throw new IllegalArgumentException(kind.toString());
        };
    }

    private static LabeledEvent event(String id, long time, List<Float> features, int label) {
        return LabeledEvent.newBuilder()
                .setModel(MODEL)
                .setEventId(id)
                .setEventTime(time)
                .setFeatures(features)
                .setLabel(label)
                .build();
    }

    private static List<Float> features(Random random) {
        List<Float> f = new ArrayList<>(FEATURES);
        for (int j = 0; j < FEATURES; j++) {
            f.add((float) random.nextGaussian());
        }
        return f;
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }
}
