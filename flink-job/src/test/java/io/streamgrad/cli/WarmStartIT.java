package io.streamgrad.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamgrad.batch.TrainingExample;
import io.streamgrad.kafka.EmbeddedKafkaBroker;
import io.streamgrad.kafka.KafkaClientConfig;
import io.streamgrad.producers.SyntheticConfig;
import io.streamgrad.producers.SyntheticProducer;
import io.streamgrad.run.TopicReader;
import io.streamgrad.schema.AvroSerde;
import io.streamgrad.schema.EventCounts;
import io.streamgrad.schema.LabeledEvent;
import io.streamgrad.schema.MetricKind;
import io.streamgrad.schema.ModelSnapshot;
import io.streamgrad.schema.OffsetRange;
import io.streamgrad.schema.Task;
import io.streamgrad.schema.TrainingMetric;
import io.streamgrad.train.EventValidator;
import io.streamgrad.train.ModelTrainer;
import io.streamgrad.train.OfflineReplay;
import io.streamgrad.train.Snapshots;
import io.streamgrad.train.TrainingConfig;
import io.streamgrad.train.WarmStart;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Warm start without gap or overlap: a bounded run over a range (two epochs), then a live run
 * warm-started from its last snapshot over the events produced after it. The live run must train
 * every offset after the range exactly once and none before it, and end with the model an offline
 * replay computes from the warm-start snapshot over exactly those events.
 *
 * <p>Why event-time windows of an hour: the live phase's events (30 s of synthetic event time) all
 * fall in one window that no watermark closes, so the live job trains them in one idle flush,
 * whatever order its four partitions are read in (a flush orders canonically before its seeded
 * shuffle). That makes the live model exactly reproducible ({@link OfflineReplay#replayQuietLive});
 * with count windows or windows closed by a watermark racing the idle timer it would depend on
 * arrival order and timing.
 */
class WarmStartIT {
    private static final String TOPIC = "warm.events";
    private static final String KEY = "w";
    private static final int PARTITIONS = 4;
    private static final long N = 2_000;
    private static final long M = 1_000;
    private static final long DEADLINE_MS = 120_000;
    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafkaBroker.start();
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    private static String[] args(boolean bounded, String group, String... more) {
        List<String> a =
                new ArrayList<>(
                        List.of(
                                "train",
                                "--state-dir",
                                StateDirs.fresh(),
                                "--group-id",
                                group,
                                "--bootstrap-servers",
                                broker.bootstrapServers(),
                                "--events-topic",
                                TOPIC,
                                "--metrics-topic",
                                "warm.metrics",
                                "--snapshots-topic",
                                "warm.snapshots",
                                "--dead-letter-topic",
                                "warm.dead",
                                "--features",
                                "10",
                                "--model",
                                "logistic",
                                "--optimizer",
                                "adam",
                                "--learning-rate",
                                "0.01",
                                "--standardize",
                                "on",
                                "--batch-size",
                                "64",
                                "--window",
                                "event-time:1h",
                                "--idle-timeout",
                                "2s",
                                "--checkpoint-interval-ms",
                                "500"));
        if (bounded) {
            a.addAll(List.of("--bounded", "--epochs", "2"));
        }
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    @Test
    void aLiveRunWarmStartedFromABoundedRangeTrainsEveryLaterOffsetOnce(@TempDir Path dir)
            throws Exception {
        SyntheticConfig events =
                new SyntheticConfig(
                        TOPIC, KEY, Task.BINARY, 10, 2, 0.5, N, 0, PARTITIONS, 5, 0, false);
        new SyntheticProducer(broker.bootstrapServers(), events).run(n -> {});
        Map<Integer, Long> rangeEnd = endOffsets();

        Path summary = dir.resolve("bounded.json");
        String[] bounded = args(true, "warm-1", "--summary-json", summary.toString());
        assertEquals(0, Streamgrad.execute(bounded, System.err));
        ModelSnapshot parent = newest(s -> true);
        assertNotNull(parent.getLineage(), "v5 snapshots carry lineage");
        Map<Integer, Long> trainedTo = new TreeMap<>();
        for (OffsetRange r : parent.getLineage().getTrainedOffsets()) {
            assertEquals(0L, r.getFirst(), "the range starts at the topic's start");
            assertEquals(2 * (r.getLast() + 1), r.getExamples(), "each offset once per epoch");
            trainedTo.put(r.getPartition(), r.getLast() + 1);
        }
        assertEquals(rangeEnd, trainedTo, "the bounded run trained its whole range");

        // A warm start and a checkpoint in the state directory are refused before any job starts.
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String stateDir = StateDirs.fresh();
        Files.createDirectories(Path.of(stateDir, "checkpoints", "job", "chk-1"));
        Files.writeString(Path.of(stateDir, "checkpoints", "job", "chk-1", "_metadata"), "x");
        Files.writeString(Path.of(stateDir, "run.json"), "{\"run_id\":\"old\"}");
        List<String> refused = new ArrayList<>(List.of(args(false, "warm-x", "--warm-start")));
        refused.add("latest");
        refused.set(2, stateDir);
        assertEquals(
                2,
                Streamgrad.execute(
                        refused.toArray(String[]::new),
                        new PrintStream(err, true, StandardCharsets.UTF_8)));
        assertTrue(
                err.toString(StandardCharsets.UTF_8).contains("--warm-start and the checkpoint"),
                err.toString(StandardCharsets.UTF_8));

        // A snapshot whose model the flags do not describe, and one written before lineage.
        String misfit = refusal(args(false, "warm-x", "--warm-start", "latest", "--l2", "0.001"));
        assertTrue(misfit.contains("--l2 0.0 vs 0.001"), misfit);
        ModelSnapshot old = ModelSnapshot.newBuilder(parent).setLineage(null).build();
        Path oldFile = dir.resolve("old.snapshot");
        Files.write(oldFile, AvroSerde.of(ModelSnapshot.class).serialize(old));
        String noLineage = refusal(args(false, "warm-x", "--warm-start", "file:" + oldFile));
        assertTrue(noLineage.contains("records no trained offsets"), noLineage);
        assertTrue(noLineage.contains("--from-offset"), noLineage);

        new SyntheticProducer(broker.bootstrapServers(), events.withRange(N, M)).run(n -> {});
        Map<Integer, Long> liveEnd = endOffsets();

        // The bounded run again, on the grown topic: refused as done, pointing at the events
        // added since and the warm start that trains its model on them.
        String again = refusal(bounded);
        assertTrue(again.contains(" already trained " + TOPIC + " to its end"), again);
        assertTrue(
                again.contains(
                        String.format(
                                "%,d events were added since; --warm-start run:%s --start-over"
                                        + " trains its model on them",
                                M, parent.getRunId())),
                again);

        // A newer snapshot of the same key on the shared snapshots topic, trained on another
        // topic: `latest` continuing a lineage takes this topic's latest, not that one (whose
        // offsets say nothing here and which would be refused).
        ModelSnapshot decoy =
                ModelSnapshot.newBuilder(parent)
                        .setRunId("another-data-set")
                        .setVersion(parent.getVersion() + 100)
                        .setCreatedAt(System.currentTimeMillis())
                        .setLineage(
                                io.streamgrad.schema.Lineage.newBuilder(parent.getLineage())
                                        .setSourceTopic("other.events")
                                        .build())
                        .build();
        try (var producer =
                new org.apache.kafka.clients.producer.KafkaProducer<byte[], byte[]>(
                        Map.of(
                                "bootstrap.servers",
                                broker.bootstrapServers(),
                                "max.request.size",
                                "67108864"),
                        new org.apache.kafka.common.serialization.ByteArraySerializer(),
                        new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            producer.send(
                            new org.apache.kafka.clients.producer.ProducerRecord<>(
                                    "warm.snapshots",
                                    KEY.getBytes(StandardCharsets.UTF_8),
                                    AvroSerde.of(ModelSnapshot.class).serialize(decoy)))
                    .get();
        }

        String[] live = args(false, "warm-2", "--warm-start", "latest");
        AtomicInteger exit = new AtomicInteger(-1);
        Thread job = new Thread(() -> exit.set(Streamgrad.execute(live, System.err)), "warm-live");
        job.start();
        ModelSnapshot last;
        String runId;
        try {
            last =
                    await(
                            () ->
                                    newestOrNull(
                                            s ->
                                                    !s.getRunId().equals(parent.getRunId())
                                                            && s.getExamplesSeen()
                                                                    == parent.getExamplesSeen()
                                                                            + M));
            runId = last.getRunId();
            String id = runId;
            EventCounts counts =
                    await(
                            () ->
                                    TopicReader.readAll(
                                                    broker.bootstrapServers(),
                                                    "warm.metrics",
                                                    TrainingMetric.class,
                                                    m ->
                                                            id.equals(m.getRunId())
                                                                    && m.getKind()
                                                                            == MetricKind.COUNTS
                                                                    && m.getCounts().getPending()
                                                                            == 0)
                                            .stream()
                                            .map(TrainingMetric::getCounts)
                                            .filter(c -> c.getConsumed() >= M)
                                            .findFirst()
                                            .orElse(null));
            assertEquals(new EventCounts(M, M, 0L, 0L), counts, "every new event, once");
            assertTrue(job.isAlive(), "a live job");
        } finally {
            job.interrupt();
            job.join(60_000);
        }
        assertFalse(job.isAlive());
        assertEquals(0, exit.get());

        // Lineage: this run's ranges start right after the parent's and reach the topic's end,
        // one example per offset; the parent's are inherited.
        assertEquals(parent.getRunId(), last.getLineage().getParentRunId());
        assertEquals(parent.getVersion(), last.getLineage().getParentVersion());
        Map<Integer, long[]> ranges = new TreeMap<>();
        for (OffsetRange r : last.getLineage().getTrainedOffsets()) {
            ranges.put(r.getPartition(), new long[] {r.getFirst(), r.getLast(), r.getExamples()});
        }
        assertEquals(liveEnd.keySet(), ranges.keySet());
        long examples = 0;
        for (int p : ranges.keySet()) {
            long[] r = ranges.get(p);
            assertEquals(rangeEnd.get(p), r[0], "partition " + p + " starts at the old end + 1");
            assertEquals(liveEnd.get(p) - 1, r[1], "partition " + p + " reaches the end");
            assertEquals(r[1] - r[0] + 1, r[2], "partition " + p + ": each offset once");
            examples += r[2];
        }
        assertEquals(M, examples);
        assertEquals(
                parent.getLineage().getTrainedOffsets(), last.getLineage().getInheritedOffsets());

        // Iterations continue the parent's numbering; the steps add up to the M new events.
        String id = runId;
        List<TrainingMetric> steps =
                TopicReader.readAll(
                                broker.bootstrapServers(),
                                "warm.metrics",
                                TrainingMetric.class,
                                m -> id.equals(m.getRunId()) && m.getKind() == MetricKind.ITERATION)
                        .stream()
                        .sorted(Comparator.comparingLong(TrainingMetric::getIteration))
                        .toList();
        assertEquals(parent.getVersion() + 1, steps.get(0).getIteration());
        assertEquals(last.getVersion(), steps.get(steps.size() - 1).getIteration());
        assertEquals(M, steps.stream().mapToLong(TrainingMetric::getBatchSize).sum());

        // The same model offline: the warm-start snapshot, then exactly the events after the range.
        TrainCommand parsed = new TrainCommand();
        new CommandLine(parsed).parseArgs(Stream.of(live).skip(1).toArray(String[]::new));
        TrainingConfig config = parsed.job.toJobConfig("offline").training();
        List<TrainingExample> after = read(rangeEnd, liveEnd, config);
        assertEquals(M, after.size());
        ModelTrainer offline =
                OfflineReplay.replayQuietLive(
                        KEY, config, WarmStart.of(parent), after, OfflineReplay.ignoring());
        ModelSnapshot replayed = Snapshots.of(offline, runId, 0L, Map.of(), TOPIC);
        assertEquals(
                replayed.getParametersChecksum(), last.getParametersChecksum(), "bit-identical");
        assertEquals(replayed.getVersion(), last.getVersion());
        assertEquals(
                replayed.getLineage().getTrainedOffsets(), last.getLineage().getTrainedOffsets());

        // The remedy the refusal above named works: the bounded run's state directory, warm
        // started from that run's own last snapshot with --start-over, trains the events added
        // since its range, and not from the live run's newer snapshot of the same key, which
        // `latest` would take.
        long more = 200;
        new SyntheticProducer(broker.bootstrapServers(), events.withRange(N + M, more))
                .run(n -> {});
        Map<Integer, Long> thirdEnd = endOffsets();
        List<String> remedy = new ArrayList<>(List.of(bounded));
        remedy.addAll(List.of("--warm-start", "run:" + parent.getRunId(), "--start-over"));
        assertEquals(0, Streamgrad.execute(remedy.toArray(String[]::new), System.err));
        String liveRun = runId;
        Set<String> earlier = Set.of(parent.getRunId(), liveRun, "another-data-set");
        ModelSnapshot continued = newest(s -> !earlier.contains(s.getRunId()));
        long trained = 0;
        for (OffsetRange r : continued.getLineage().getTrainedOffsets()) {
            assertEquals(rangeEnd.get(r.getPartition()), r.getFirst(), "from where it stopped");
            assertEquals(thirdEnd.get(r.getPartition()) - 1, r.getLast(), "to the end");
            assertEquals(2 * (r.getLast() - r.getFirst() + 1), r.getExamples(), "2 epochs");
            trained += r.getLast() - r.getFirst() + 1;
        }
        assertEquals(M + more, trained, "the live run's events and the 200 after them");
        assertEquals(
                parent.getExamplesSeen() + 2 * (M + more),
                continued.getExamplesSeen(),
                "the bounded run's model, not the live run's");
        // A run that left no snapshot of the key is named with those that did.
        String noSuchRun = refusal(args(false, "warm-3", "--warm-start", "run:nobody"));
        assertTrue(noSuchRun.contains("has no snapshot of that run on warm.snapshots"), noSuchRun);
        assertTrue(noSuchRun.contains(parent.getRunId()), noSuchRun);
    }

    /** Runs a command that must be refused before any job starts; returns its one-line error. */
    private static String refusal(String[] args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(
                2, Streamgrad.execute(args, new PrintStream(err, true, StandardCharsets.UTF_8)));
        String text = err.toString(StandardCharsets.UTF_8).strip();
        assertEquals(1, text.lines().count(), "one line: " + text);
        return text;
    }

    /** Events of {@code [from, to)} per partition, as the job decodes them, with their offsets. */
    private static List<TrainingExample> read(
            Map<Integer, Long> from, Map<Integer, Long> to, TrainingConfig config) {
        AvroSerde<LabeledEvent> serde = AvroSerde.of(LabeledEvent.class);
        List<TrainingExample> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                TopicReader.consumer(KafkaClientConfig.plain(broker.bootstrapServers()))) {
            List<TopicPartition> tps =
                    from.keySet().stream().map(p -> new TopicPartition(TOPIC, p)).toList();
            consumer.assign(tps);
            tps.forEach(tp -> consumer.seek(tp, from.get(tp.partition())));
            long deadline = System.currentTimeMillis() + DEADLINE_MS;
            while (out.size() < M && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.offset() < to.get(r.partition())) {
                        out.add(
                                EventValidator.validate(serde.deserialize(r.value()), config.spec())
                                        .at(r.partition(), r.offset()));
                    }
                }
            }
        }
        return out;
    }

    private static Map<Integer, Long> endOffsets() {
        try (KafkaConsumer<byte[], byte[]> consumer =
                TopicReader.consumer(KafkaClientConfig.plain(broker.bootstrapServers()))) {
            Map<Integer, Long> end = new TreeMap<>();
            List<TopicPartition> tps = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++) {
                tps.add(new TopicPartition(TOPIC, p));
            }
            consumer.endOffsets(tps).forEach((tp, o) -> end.put(tp.partition(), o));
            return end;
        }
    }

    private static ModelSnapshot newest(java.util.function.Predicate<ModelSnapshot> which) {
        ModelSnapshot s = newestOrNull(which);
        assertNotNull(s, "a snapshot");
        return s;
    }

    private static ModelSnapshot newestOrNull(java.util.function.Predicate<ModelSnapshot> which) {
        return TopicReader.readAll(
                        broker.bootstrapServers(), "warm.snapshots", ModelSnapshot.class, which)
                .stream()
                .max(Comparator.comparingLong(ModelSnapshot::getVersion))
                .orElse(null);
    }

    private static <T> T await(java.util.function.Supplier<T> found) throws InterruptedException {
        long deadline = System.currentTimeMillis() + DEADLINE_MS;
        while (System.currentTimeMillis() < deadline) {
            T t = found.get();
            if (t != null) {
                return t;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("not seen within " + DEADLINE_MS + " ms");
    }
}
