package io.streamgrad.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamgrad.batch.TrainingExample;
import io.streamgrad.kafka.EmbeddedKafkaBroker;
import io.streamgrad.kafka.RecordWriter;
import io.streamgrad.kafka.Topic;
import io.streamgrad.kafka.TopicAdmin;
import io.streamgrad.model.Activation;
import io.streamgrad.model.ModelSpec;
import io.streamgrad.model.OptimizerSpec;
import io.streamgrad.producers.SyntheticConfig;
import io.streamgrad.producers.SyntheticEvents;
import io.streamgrad.run.TopicReader;
import io.streamgrad.schema.AvroSerde;
import io.streamgrad.schema.DeadLetter;
import io.streamgrad.schema.LabeledEvent;
import io.streamgrad.schema.Task;
import io.streamgrad.schema.Tensors;
import io.streamgrad.train.Batching;
import io.streamgrad.train.EventValidator;
import io.streamgrad.train.ModelTrainer;
import io.streamgrad.train.OfflineReplay;
import io.streamgrad.train.TrainingConfig;
import io.streamgrad.window.LatePolicy;
import io.streamgrad.window.WindowSpec;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Event-time windows through Kafka and a Flink MiniCluster: batches are a function of the data and
 * the seed (not of partitions or production order), and late events follow the configured policy.
 */
class EventTimeBatchingIT {
    private static final int FEATURES = 10;
    private static final int EVENTS = 6_000; // 60 s of event time at 10 ms spacing
    private static final String MODEL = "et-model";

    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void startBrokerAndProduce() {
        broker = EmbeddedKafkaBroker.start();
        List<Long> inOrder = new ArrayList<>();
        for (long i = 0; i < EVENTS; i++) {
            inOrder.add(i);
        }
        produce("et.one", 1, inOrder, Collections.nCopies(EVENTS, 0));

        // Four partitions, written partition by partition from the last, each locally scrambled
        // within blocks of 100 events (1 s of event time, less than the 3 s allowed).
        List<Long> scrambled = new ArrayList<>();
        List<Integer> partitionOf = new ArrayList<>();
        Random random = new Random(5);
        for (int p = 3; p >= 0; p--) {
            List<Long> mine = new ArrayList<>();
            for (long i = p; i < EVENTS; i += 4) {
                mine.add(i);
            }
            for (int from = 0; from < mine.size(); from += 25) {
                Collections.shuffle(mine.subList(from, Math.min(mine.size(), from + 25)), random);
            }
            scrambled.addAll(mine);
            partitionOf.addAll(Collections.nCopies(mine.size(), p));
        }
        produce("et.four", 4, scrambled, partitionOf);
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    private static SyntheticConfig data() {
        return new SyntheticConfig(
                "unused", MODEL, Task.BINARY, FEATURES, 2, 0.5, EVENTS, 0, 1, 31, 0, false);
    }

    /** Writes events to explicit partitions, in the given order, timestamped with event time. */
    private static void produce(String topic, int partitions, List<Long> order, List<Integer> to) {
        produce(topic, partitions, order, to, new SyntheticEvents(data())::event);
    }

    private static void produce(
            String topic,
            int partitions,
            List<Long> order,
            List<Integer> to,
            java.util.function.LongFunction<LabeledEvent> eventOf) {
        try (TopicAdmin admin = new TopicAdmin(broker.bootstrapServers())) {
            admin.ensureTopic(Topic.EVENTS, topic, partitions);
        }
        AvroSerde<LabeledEvent> serde = AvroSerde.of(LabeledEvent.class);
        try (RecordWriter writer = RecordWriter.to(broker.bootstrapServers(), "it")) {
            for (int k = 0; k < order.size(); k++) {
                LabeledEvent e = eventOf.apply(order.get(k));
                writer.send(
                        new ProducerRecord<>(
                                topic,
                                to.get(k),
                                e.getEventTime(),
                                MODEL.getBytes(StandardCharsets.UTF_8),
                                serde.serialize(e)));
            }
        }
    }

    private static JsonNode train(String topic, Path dir, String... extra) throws Exception {
        Path summary = dir.resolve(topic + extra.length + ".json");
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "train",
                                "--state-dir",
                                StateDirs.fresh(),
                                "--bootstrap-servers",
                                broker.bootstrapServers(),
                                "--events-topic",
                                topic,
                                "--metrics-topic",
                                topic + ".metrics",
                                "--snapshots-topic",
                                topic + ".snapshots",
                                "--dead-letter-topic",
                                topic + ".dead",
                                "--bounded",
                                "--features",
                                "10",
                                "--seed",
                                "9",
                                "--batch-size",
                                "32",
                                "--window",
                                "event-time:2s",
                                "--summary-json",
                                summary.toString()));
        args.addAll(List.of(extra));
        assertEquals(0, Streamgrad.execute(args.toArray(String[]::new), System.err));
        return new ObjectMapper().readTree(summary.toFile());
    }

    @Test
    void sameBatchesAndBitIdenticalModelWithOneOrFourPartitionsInAnyOrder(@TempDir Path dir)
            throws Exception {
        JsonNode one = train("et.one", dir, "--epochs", "2", "--max-out-of-orderness", "3s");
        JsonNode four =
                train(
                        "et.four",
                        dir,
                        "--epochs",
                        "2",
                        "--max-out-of-orderness",
                        "3s",
                        "--parallelism",
                        "2");

        for (JsonNode s : List.of(one, four)) {
            assertEquals(EVENTS, s.get("events_trained").asLong());
            assertEquals(0, s.get("late_dead_lettered").asLong(), "nothing late: " + s);
            assertEquals(0, s.get("untrained").asLong());
            assertEquals(2 * EVENTS, s.get("examples_trained").asLong());
            assertEquals(2, s.get("epochs").asInt());
            assertEquals(EVENTS / 32, s.get("iterations_per_epoch").asLong());
            assertEquals(2, s.get("epoch_iterations").size());
        }
        assertEquals(one.get("iterations").asLong(), four.get("iterations").asLong());
        assertEquals(
                one.get("model_checksum").asText(),
                four.get("model_checksum").asText(),
                "bit-identical parameters whatever the partitioning and production order");

        // And the job's windows are the offline ones: replay the events, in event-time windows,
        // through the same trainer code.
        TrainingConfig config =
                new TrainingConfig(
                        ModelSpec.parse("logistic", FEATURES, 3, Activation.RELU),
                        new OptimizerSpec("adam", 0.01),
                        new Batching(
                                32,
                                false,
                                new WindowSpec.EventTime(2_000),
                                3_000,
                                60_000,
                                LatePolicy.DEADLETTER,
                                2,
                                Batching.DEFAULT_FULL_BATCH_LIMIT,
                                true,
                                io.streamgrad.train.ShuffleMode.WINDOW,
                                io.streamgrad.train.Batching.AUTO_BLOCK_OFFSETS,
                                io.streamgrad.train.Batching.DEFAULT_GROUP_BLOCKS),
                        9,
                        100,
                        0.05);
        List<TrainingExample> arrivals = new ArrayList<>();
        for (LabeledEvent e : new SyntheticEvents(data()).all()) {
            arrivals.add(EventValidator.validate(e, config.spec()));
        }
        Collections.shuffle(arrivals, new Random(8));
        // Each epoch and full-pass loss reads the topic again; an event-time window is a set, so
        // any arrival order gives the same batches.
        ModelTrainer offline =
                OfflineReplay.replayPasses(
                        MODEL, config, null, arrivals, null, OfflineReplay.ignoring());
        assertEquals(
                Tensors.checksum(offline.network().parameters()),
                one.get("model_checksum").asText());
        assertEquals(offline.iteration(), one.get("iterations").asLong());
    }

    @Test
    void trainRefusesAnEventTimeWindowThatHoldsLessThanABatchAtTheTopicsRate() {
        // 100 events per second of event time: in et.one from one partition, in et.four as four
        // partitions of 25 per second each, read unevenly, so the rate is summed per partition.
        for (String topic : List.of("et.one", "et.four")) {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int exit =
                    Streamgrad.execute(
                            new String[] {
                                "train",
                                "--state-dir",
                                StateDirs.fresh(),
                                "--bootstrap-servers",
                                broker.bootstrapServers(),
                                "--events-topic",
                                topic,
                                "--bounded",
                                "--features",
                                "10",
                                "--batch-size",
                                "32",
                                "--window",
                                "event-time:200ms"
                            },
                            new PrintStream(err, true, StandardCharsets.UTF_8));
            String message = err.toString(StandardCharsets.UTF_8);
            assertEquals(2, exit, message);
            assertTrue(message.contains("--window event-time:200ms holds about "), message);
            assertTrue(message.contains("less than one batch of 32: use --window"), message);
            Matcher rate =
                    Pattern.compile("\\(([0-9.,]+) per second of event time\\)").matcher(message);
            assertTrue(rate.find(), message);
            // Exact from one partition; from four, each read up to a fetch boundary inside a
            // scrambled block, within a few percent.
            double measured = Double.parseDouble(rate.group(1).replace(",", ""));
            assertEquals(100.0, measured, topic.equals("et.one") ? 1e-9 : 3.0, message);
        }
    }

    @Test
    void aLiveRunsWindowIsCheckedAtTheRateOfTheNewestEvents() throws Exception {
        // 5,000 events at 100 per second of event time, then 5,000 at one per second: a bounded
        // run reads the fast head first; a live run meets the stream as it is now, at one per
        // second, where a 10 s window holds 10 events, not a batch of 32.
        List<Long> order = new ArrayList<>();
        for (long i = 0; i < 10_000; i++) {
            order.add(i);
        }
        SyntheticEvents events = new SyntheticEvents(data());
        produce(
                "et.slowing",
                1,
                order,
                Collections.nCopies(order.size(), 0),
                index -> {
                    LabeledEvent e = events.event(index);
                    e.setEventTime(
                            SyntheticConfig.EPOCH_MS
                                    + (index < 5_000
                                            ? index * 10
                                            : 50_000 + (index - 5_000) * 1_000));
                    return e;
                });
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] live = {
            "train",
            "--state-dir",
            StateDirs.fresh(),
            "--bootstrap-servers",
            broker.bootstrapServers(),
            "--events-topic",
            "et.slowing",
            "--group-id",
            "et-slowing",
            "--features",
            "10",
            "--batch-size",
            "32",
            "--window",
            "event-time:10s"
        };
        // Were the head sampled, the live job would start and run on: bounded in time here.
        int exit =
                java.util.concurrent.CompletableFuture.supplyAsync(
                                () ->
                                        Streamgrad.execute(
                                                live,
                                                new PrintStream(err, true, StandardCharsets.UTF_8)))
                        .get(120, java.util.concurrent.TimeUnit.SECONDS);
        String message = err.toString(StandardCharsets.UTF_8);
        assertEquals(2, exit, message);
        assertTrue(
                message.contains(
                        "at the rate of the last 4,096 events of et.slowing (1.0 per second"),
                message);

        // A bounded run that starts in the slow part samples from where it starts, not the head.
        err.reset();
        String[] fromSlowPart = {
            "train",
            "--state-dir",
            StateDirs.fresh(),
            "--bootstrap-servers",
            broker.bootstrapServers(),
            "--events-topic",
            "et.slowing",
            "--group-id",
            "et-slowing-bounded",
            "--bounded",
            "--from-offset",
            "6000",
            "--features",
            "10",
            "--batch-size",
            "32",
            "--window",
            "event-time:10s"
        };
        exit = Streamgrad.execute(fromSlowPart, new PrintStream(err, true, StandardCharsets.UTF_8));
        message = err.toString(StandardCharsets.UTF_8);
        assertEquals(2, exit, message);
        assertTrue(
                message.contains(
                        "at the rate of the first 4,000 events of et.slowing from partition 0's"
                                + " offset 6,000 (1.0 per second"),
                message);
        // The window suggested is one a person writes: 32 events at one per second.
        assertTrue(message.contains("use --window event-time:32s or more"), message);

        // So does a backtest over that part: it samples its range, not the topic's head, once
        // for all its variants.
        err.reset();
        String[] backtest = {
            "backtest",
            "--bootstrap-servers",
            broker.bootstrapServers(),
            "--events-topic",
            "et.slowing",
            "--from-offset",
            "6000",
            "--features",
            "10",
            "--batch-size",
            "32",
            "--window",
            "event-time:10s",
            "--variant",
            "name=a,learning-rate=0.1",
            "--variant",
            "name=b,learning-rate=0.01"
        };
        exit = Streamgrad.execute(backtest, new PrintStream(err, true, StandardCharsets.UTF_8));
        message = err.toString(StandardCharsets.UTF_8);
        assertEquals(2, exit, message);
        assertTrue(
                message.contains(
                        "at the rate of the first 4,000 events of et.slowing from partition 0's"
                                + " offset 6,000 (1.0 per second"),
                message);
        // A range's sample stops at its end: offsets 3,000 to 5,000 are the fast part alone, 2,000
        // events at 100 per second, where reading on to the topic's end would take in slow ones.
        io.streamgrad.run.TopicSample head =
                io.streamgrad.run.TopicSample.read(
                        io.streamgrad.kafka.KafkaClientConfig.plain(broker.bootstrapServers()),
                        "et.slowing",
                        false,
                        Map.of(0, 3_000L),
                        Map.of(0, 5_000L));
        assertEquals(2_000, head.sampled());
        assertEquals(100.0, head.eventsPerSecond(), 1e-9);
        assertEquals(Map.of(0, 3_000L), head.from());
        // A range of one of four partitions (6,000 events spread over them) samples up to the
        // whole share in it, not a quarter of it.
        io.streamgrad.run.TopicSample one =
                io.streamgrad.run.TopicSample.read(
                        io.streamgrad.kafka.KafkaClientConfig.plain(broker.bootstrapServers()),
                        "et.four",
                        false,
                        null,
                        Map.of(0, 1_400L));
        assertEquals(1_400, one.sampled());
    }

    @Test
    void lateEventsAreDeadLetteredOrMovedOnAsConfigured(@TempDir Path dir) throws Exception {
        // 2,000 events in order (20 s), then 10 from the 3rd second: far behind a 1 s allowance.
        List<Long> order = new ArrayList<>();
        for (long i = 0; i < 2_000; i++) {
            order.add(i);
        }
        for (long i = 300; i < 310; i++) {
            order.add(i + EVENTS); // distinct events, with times from index i+EVENTS...
        }
        // ...so give those ten early times by producing them from a config shifted back in time.
        produceLate("et.late", order);

        JsonNode dead =
                train(
                        "et.late",
                        dir,
                        "--max-out-of-orderness",
                        "1s",
                        "--late-events",
                        "deadletter");
        assertEquals(2_010, dead.get("events_consumed").asLong());
        assertEquals(10, dead.get("late_dead_lettered").asLong());
        assertEquals(10, dead.get("dead_lettered").asLong());
        assertEquals(2_000, dead.get("events_trained").asLong());
        List<DeadLetter> letters =
                TopicReader.readAll(
                        broker.bootstrapServers(), "et.late.dead", DeadLetter.class, d -> true);
        assertEquals(10, letters.size());
        for (DeadLetter d : letters) {
            assertEquals("late", d.getReason());
            assertEquals("et.late", d.getTopic());
            assertTrue(d.getOffset() >= 2_000, "the late records' own offsets: " + d.getOffset());
            assertTrue(d.getDetail().contains("--late-events next-window"), d.getDetail());
            byte[] value = new byte[d.getValue().remaining()];
            d.getValue().duplicate().get(value);
            LabeledEvent replayable = AvroSerde.of(LabeledEvent.class).deserialize(value);
            assertEquals(d.getTimestamp(), replayable.getEventTime());
        }

        JsonNode moved =
                train(
                        "et.late",
                        dir,
                        "--max-out-of-orderness",
                        "1s",
                        "--late-events",
                        "next-window",
                        "--group-id",
                        "et.late.2");
        assertEquals(10, moved.get("late_next_window").asLong());
        assertEquals(0, moved.get("dead_lettered").asLong());
        assertEquals(2_010, moved.get("events_trained").asLong());
        assertEquals(2_010, moved.get("examples_trained").asLong(), "all trained, none lost");
    }

    /** The ordered events, then ten whose event times lie 17 s behind the newest. */
    private static void produceLate(String topic, List<Long> order) {
        SyntheticEvents events = new SyntheticEvents(data());
        produce(
                topic,
                1,
                order,
                Collections.nCopies(order.size(), 0),
                index -> {
                    LabeledEvent e = events.event(index);
                    if (index >= EVENTS) {
                        e.setEventTime(SyntheticConfig.EPOCH_MS + (index - EVENTS) * 10);
                    }
                    return e;
                });
    }
}
