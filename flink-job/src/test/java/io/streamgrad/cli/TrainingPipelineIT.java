package io.streamgrad.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamgrad.batch.TrainingExample;
import io.streamgrad.kafka.EmbeddedKafkaBroker;
import io.streamgrad.kafka.RecordWriter;
import io.streamgrad.model.Activation;
import io.streamgrad.model.DenseNetwork;
import io.streamgrad.model.ModelSpec;
import io.streamgrad.model.OptimizerSpec;
import io.streamgrad.producers.SyntheticConfig;
import io.streamgrad.producers.SyntheticEvents;
import io.streamgrad.producers.SyntheticProducer;
import io.streamgrad.producers.Teacher;
import io.streamgrad.run.Holdout;
import io.streamgrad.run.TopicReader;
import io.streamgrad.schema.AvroSerde;
import io.streamgrad.schema.DeadLetter;
import io.streamgrad.schema.LabeledEvent;
import io.streamgrad.schema.MetricKind;
import io.streamgrad.schema.ModelSnapshot;
import io.streamgrad.schema.Task;
import io.streamgrad.schema.TrainingMetric;
import io.streamgrad.train.Batching;
import io.streamgrad.train.EventValidator;
import io.streamgrad.train.ModelTrainer;
import io.streamgrad.train.OfflineReplay;
import io.streamgrad.train.Snapshots;
import io.streamgrad.train.TrainingConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The spine end to end: Kafka's KRaft broker in this JVM, synthetic events, the {@code train}
 * command running the job in a Flink MiniCluster, and everything read back from Kafka.
 */
class TrainingPipelineIT {
    private static final int FEATURES = 10;
    private static final long EVENTS = 16_384;
    private static final int BATCH = 64;
    // Logit noise 0.5 on a teacher whose clean logits have s.d. 3: the best possible accuracy is
    // 1 - arccos(3/sqrt(9.25))/pi = 0.947, so a logistic model that learned the teacher clears
    // 0.9 with room, and one that did not (0.5 by chance) cannot.
    private static final double NOISE = 0.5;

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
    void trainsFromKafkaAndTheSnapshotRebuildsTheTrainersModel(@TempDir Path dir) throws Exception {
        String bootstrap = broker.bootstrapServers();
        // One partition: arrival order is production order, so an offline replay sees the same
        // windows as the job did.
        SyntheticConfig data =
                new SyntheticConfig(
                        "it.events",
                        "it-model",
                        Task.BINARY,
                        FEATURES,
                        2,
                        NOISE,
                        EVENTS,
                        0,
                        1,
                        17,
                        0,
                        false);
        new SyntheticProducer(bootstrap, data).run(n -> {});
        List<byte[]> bad = writeBadRecords(bootstrap, "it.events");

        Path summaryFile = dir.resolve("summary.json");
        int exit =
                Streamgrad.execute(
                        new String[] {
                            "train",
                            "--state-dir",
                            StateDirs.fresh(),
                            "--bootstrap-servers",
                            bootstrap,
                            "--events-topic",
                            "it.events",
                            "--metrics-topic",
                            "it.metrics",
                            "--snapshots-topic",
                            "it.snapshots",
                            "--dead-letter-topic",
                            "it.dead",
                            "--bounded",
                            "--model",
                            "logistic",
                            "--features",
                            "10",
                            "--batch-size",
                            "64",
                            "--optimizer",
                            "adam",
                            "--learning-rate",
                            "0.05",
                            "--seed",
                            "5",
                            "--snapshot-every",
                            "50",
                            "--checkpoint-interval-ms",
                            "1000",
                            "--summary-json",
                            summaryFile.toString()
                        },
                        System.err);
        assertEquals(0, exit);

        // The job's own accounting: every event consumed, and trained or dead-lettered.
        JsonNode s = new ObjectMapper().readTree(summaryFile.toFile());
        assertEquals(EVENTS + bad.size(), s.get("events_consumed").asLong());
        assertEquals(EVENTS, s.get("events_trained").asLong());
        assertEquals(bad.size(), s.get("dead_lettered").asLong());
        assertEquals(EVENTS / BATCH, s.get("iterations").asLong(), "iterations = events / batch");
        assertEquals(EVENTS / BATCH, s.get("last_snapshot_version").asLong());
        long iterations = EVENTS / BATCH;
        assertEquals(
                iterations / 50 + 1,
                s.get("snapshots_emitted").asLong(),
                "every 50 iterations (50 ... 250) and at the end (256)");
        assertEquals("CPU", s.get("backend").asText());
        // Time per iteration: the step's share of the job's wall time (no speed asserted).
        double step = s.get("mean_step_seconds").asDouble();
        double iteration = s.get("mean_iteration_seconds").asDouble();
        assertTrue(step > 0 && step < iteration, "step " + step + " within iteration " + iteration);
        double initial = s.get("initial_loss").asDouble();
        double last = s.get("final_loss").asDouble();
        assertTrue(last < 0.6 * initial, "pre-update loss falls: " + initial + " -> " + last);

        String runId = s.get("run_id").asText();
        List<TrainingMetric> metrics =
                TopicReader.readAll(
                        bootstrap,
                        "it.metrics",
                        TrainingMetric.class,
                        m -> runId.equals(m.getRunId()));
        List<TrainingMetric> epochEnds =
                metrics.stream().filter(m -> m.getKind() == MetricKind.EPOCH).toList();
        assertEquals(1, epochEnds.size(), "one bounded pass, one full-pass loss");
        assertEquals(EVENTS, epochEnds.get(0).getBatchSize(), "evaluated on the whole pass");
        assertEquals(1, epochEnds.get(0).getEpoch());
        metrics =
                new ArrayList<>(
                        metrics.stream().filter(m -> m.getKind() == MetricKind.ITERATION).toList());
        assertEquals(EVENTS / BATCH, metrics.size(), "one metric per iteration");
        metrics.sort(Comparator.comparingLong(TrainingMetric::getIteration));
        for (int i = 0; i < metrics.size(); i++) {
            TrainingMetric m = metrics.get(i);
            assertEquals(i + 1, m.getIteration());
            assertEquals(1, m.getEpoch());
            assertEquals(i + 1, m.getEpochIteration());
            assertEquals(BATCH, m.getBatchSize());
            assertEquals((i + 1L) * BATCH, m.getExamplesSeen());
            assertTrue(m.getAccuracy() != null && m.getAccuracy() >= 0 && m.getAccuracy() <= 1);
            assertTrue(m.getBatchEventTimeMin() <= m.getBatchEventTimeMax());
        }

        // Bad records are on the dead-letter topic with their bytes, reason and coordinates.
        List<DeadLetter> dead =
                TopicReader.readAll(bootstrap, "it.dead", DeadLetter.class, d -> true);
        assertEquals(bad.size(), dead.size());
        dead.sort(Comparator.comparingLong(DeadLetter::getOffset));
        Map<String, Long> reasons =
                dead.stream()
                        .collect(
                                Collectors.groupingBy(
                                        DeadLetter::getReason, Collectors.counting()));
        assertEquals(Map.of("undecodable", 2L, "wrong-feature-count", 2L), reasons);
        for (int i = 0; i < dead.size(); i++) {
            DeadLetter d = dead.get(i);
            assertEquals("it.events", d.getTopic());
            assertEquals(0, d.getPartition());
            assertEquals(EVENTS + i, d.getOffset(), "written after the good events");
            byte[] value = new byte[d.getValue().remaining()];
            d.getValue().duplicate().get(value);
            assertArrayEquals(bad.get(i), value, "the raw bytes are kept");
        }

        // The last snapshot, read back and rebuilt, is the trainer's model: replay the same
        // windows offline through the same code and compare bit for bit.
        ModelSnapshot snapshot =
                TopicReader.readAll(
                                bootstrap,
                                "it.snapshots",
                                ModelSnapshot.class,
                                x -> runId.equals(x.getRunId()))
                        .stream()
                        .max(Comparator.comparingLong(ModelSnapshot::getVersion))
                        .orElseThrow();
        DenseNetwork rebuilt = Snapshots.rebuild(snapshot);
        ModelTrainer offline = replayOffline(data);
        assertArrayEquals(offline.network().parameters(), Snapshots.flatParameters(snapshot));

        List<LabeledEvent> holdout = new SyntheticEvents(data.withRange(EVENTS, 4000)).all();
        float[] x = new float[holdout.size() * FEATURES];
        for (int i = 0; i < holdout.size(); i++) {
            System.arraycopy(
                    EventValidator.validate(holdout.get(i), rebuilt.spec()).features(),
                    0,
                    x,
                    i * FEATURES,
                    FEATURES);
        }
        assertArrayEquals(
                offline.network().predict(x, holdout.size()), rebuilt.predict(x, holdout.size()));

        double accuracy = Holdout.evaluate(rebuilt, holdout).accuracy();
        assertTrue(accuracy >= 0.9, "holdout accuracy " + accuracy);
        assertTrue(
                accuracy <= Teacher.bayesAccuracyBinary(NOISE) + 0.02,
                "cannot beat Bayes: " + accuracy);
    }

    @Test
    void anAbsurdLearningRateIsSurvivedAndReported(@TempDir Path dir) throws Exception {
        String bootstrap = broker.bootstrapServers();
        SyntheticConfig data =
                new SyntheticConfig(
                        "it.diverge",
                        "it-model",
                        Task.BINARY,
                        FEATURES,
                        2,
                        NOISE,
                        4096,
                        0,
                        1,
                        3,
                        0,
                        false);
        new SyntheticProducer(bootstrap, data).run(n -> {});
        Path summaryFile = dir.resolve("diverge.json");
        int exit =
                Streamgrad.execute(
                        new String[] {
                            "train",
                            "--state-dir",
                            StateDirs.fresh(),
                            "--bootstrap-servers",
                            bootstrap,
                            "--events-topic",
                            "it.diverge",
                            "--metrics-topic",
                            "it.diverge.metrics",
                            "--snapshots-topic",
                            "it.diverge.snapshots",
                            "--dead-letter-topic",
                            "it.diverge.dead",
                            "--bounded",
                            "--features",
                            "10",
                            // Hidden layers: the gradient grows with the weights, so huge steps
                            // overflow float32 whichever compute path runs the model.
                            "--model",
                            "mlp:8",
                            "--task",
                            "binary",
                            "--optimizer",
                            "sgd",
                            "--learning-rate",
                            "1e30",
                            "--divergence-patience",
                            "2",
                            "--summary-json",
                            summaryFile.toString()
                        },
                        System.err);
        assertEquals(0, exit, "the job keeps running through divergence");
        JsonNode s = new ObjectMapper().readTree(summaryFile.toFile());
        assertEquals(4096, s.get("events_trained").asLong());
        assertTrue(s.get("skipped_updates").asLong() > 0, s.toString());
        assertTrue(s.get("divergence_restores").asLong() > 0, s.toString());
        assertEquals(
                s.get("skipped_updates").asLong() * 64,
                s.get("untrained").asLong(),
                "a skipped batch is reported untrained, not lost silently");
        List<TrainingMetric> alerts =
                TopicReader.readAll(
                        bootstrap,
                        "it.diverge.metrics",
                        TrainingMetric.class,
                        m -> m.getKind() == MetricKind.ALERT);
        assertEquals(s.get("skipped_updates").asLong(), alerts.size());
        assertTrue(alerts.stream().anyMatch(m -> m.getDetail().contains("restored")));
        ModelSnapshot last =
                TopicReader.readAll(
                                bootstrap, "it.diverge.snapshots", ModelSnapshot.class, x -> true)
                        .stream()
                        .max(Comparator.comparingLong(ModelSnapshot::getVersion))
                        .orElseThrow();
        assertTrue(Snapshots.rebuild(last).parametersFinite(), "the published model is finite");
    }

    @Test
    void trainRefusesAFeatureCountThatDoesNotMatchTheTopic() {
        String bootstrap = broker.bootstrapServers();
        new SyntheticProducer(
                        bootstrap,
                        new SyntheticConfig(
                                "it.other", "m", Task.BINARY, 10, 2, 0.5, 20, 0, 1, 1, 0, false))
                .run(n -> {});
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit =
                Streamgrad.execute(
                        new String[] {
                            "train",
                            "--state-dir",
                            StateDirs.fresh(),
                            "--bootstrap-servers",
                            bootstrap,
                            "--events-topic",
                            "it.other",
                            "--features",
                            "12",
                            "--bounded"
                        },
                        new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, exit);
        assertTrue(
                err.toString(StandardCharsets.UTF_8).contains("pass --features 10"),
                err.toString());

        ByteArrayOutputStream missing = new ByteArrayOutputStream();
        exit =
                Streamgrad.execute(
                        new String[] {
                            "train", "--bootstrap-servers", bootstrap, "--events-topic", "nope"
                        },
                        new PrintStream(missing, true, StandardCharsets.UTF_8));
        assertEquals(2, exit);
        assertTrue(
                missing.toString(StandardCharsets.UTF_8).contains("does not exist"),
                missing.toString());
    }

    private static ModelTrainer replayOffline(SyntheticConfig data) {
        TrainingConfig config =
                new TrainingConfig(
                        ModelSpec.parse("logistic", FEATURES, 3, Activation.RELU),
                        new OptimizerSpec("adam", 0.05),
                        Batching.defaults().withBatchSize(BATCH),
                        5,
                        50,
                        0.05);
        // The events at offsets 0… of the topic's one partition, read again for each epoch and
        // full-pass loss in the replay's block order.
        List<TrainingExample> range = new ArrayList<>();
        for (LabeledEvent e : new SyntheticEvents(data).all()) {
            range.add(EventValidator.validate(e, config.spec()).at(0, range.size()));
        }
        // The topic's range also holds the four bad records after the events: their block counts.
        return OfflineReplay.replayPasses(
                "it-model",
                config,
                null,
                range,
                Map.of(0, new long[] {0, EVENTS + 4}),
                OfflineReplay.ignoring());
    }

    /** Two records that are not Avro, then two events with one feature too many. */
    private static List<byte[]> writeBadRecords(String bootstrap, String topic) {
        List<byte[]> values = new ArrayList<>();
        values.add("garbage".getBytes(StandardCharsets.UTF_8));
        values.add(new byte[] {(byte) 0xC3, 0x01, 1, 2, 3});
        List<Float> eleven = new ArrayList<>();
        for (int i = 0; i <= FEATURES; i++) {
            eleven.add(1f);
        }
        AvroSerde<LabeledEvent> serde = AvroSerde.of(LabeledEvent.class);
        for (int i = 0; i < 2; i++) {
            values.add(
                    serde.serialize(
                            LabeledEvent.newBuilder()
                                    .setModel("it-model")
                                    .setEventId("bad-" + i)
                                    .setEventTime(SyntheticConfig.EPOCH_MS)
                                    .setFeatures(eleven)
                                    .setLabel(1)
                                    .build()));
        }
        try (RecordWriter writer = RecordWriter.to(bootstrap, "it")) {
            for (byte[] v : values) {
                writer.send(new ProducerRecord<>(topic, 0, null, v));
            }
        }
        return values;
    }
}
