package io.streamgrad.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamgrad.kafka.EmbeddedKafkaBroker;
import io.streamgrad.kafka.KafkaClientConfig;
import io.streamgrad.kafka.RecordWriter;
import io.streamgrad.producers.SyntheticConfig;
import io.streamgrad.producers.SyntheticEvents;
import io.streamgrad.producers.SyntheticProducer;
import io.streamgrad.run.TopicReader;
import io.streamgrad.schema.AvroSerde;
import io.streamgrad.schema.LabeledEvent;
import io.streamgrad.schema.ModelSnapshot;
import io.streamgrad.schema.Task;
import io.streamgrad.schema.Tensor;
import io.streamgrad.schema.Tensors;
import io.streamgrad.serve.Prediction;
import io.streamgrad.serve.Predictor;
import io.streamgrad.serve.ServingModel;
import io.streamgrad.train.Snapshots;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The prediction client on an in-process broker: it follows a snapshots topic written by {@code
 * train --bounded}, serves the newest snapshot, picks up a newer one written while it runs, refuses
 * a corrupt one and ignores an older one; then {@code predict --input topic:...} scores the events
 * topic with the newest.
 */
class PredictIT {
    private static final int FEATURES = 8;
    private static final long EVENTS = 2_048;
    private static final String EVENTS_TOPIC = "pr.events";
    private static final String SNAPSHOTS = "pr.snapshots";
    private static final String KEY = "pr-model";

    private static EmbeddedKafkaBroker broker;
    private static String bootstrap;

    @BeforeAll
    static void trainAModel() {
        broker = EmbeddedKafkaBroker.start();
        bootstrap = broker.bootstrapServers();
        SyntheticConfig data = data(EVENTS);
        new SyntheticProducer(bootstrap, data).run(n -> {});
        List<String> args =
                List.of(
                        "train",
                        "--state-dir",
                        StateDirs.fresh(),
                        "--bootstrap-servers",
                        bootstrap,
                        "--events-topic",
                        EVENTS_TOPIC,
                        "--metrics-topic",
                        "pr.metrics",
                        "--snapshots-topic",
                        SNAPSHOTS,
                        "--dead-letter-topic",
                        "pr.dead",
                        "--group-id",
                        "pr-group",
                        "--bounded",
                        "--features",
                        Integer.toString(FEATURES),
                        "--batch-size",
                        "64",
                        "--seed",
                        "3",
                        "--checkpoint-interval-ms",
                        "1000",
                        "--model",
                        "logistic",
                        "--learning-rate",
                        "0.05",
                        "--snapshot-every",
                        "8");
        assertEquals(0, Streamgrad.execute(args.toArray(String[]::new), System.err), "train");
    }

    /** The first {@code events} of the teacher's binary stream. */
    private static SyntheticConfig data(long events) {
        return new SyntheticConfig(
                EVENTS_TOPIC, KEY, Task.BINARY, FEATURES, 2, 1.0, events, 0, 2, 31, 0, false);
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    /** The snapshot with every parameter negated: a binary model's p0 and p1 trade places. */
    private static ModelSnapshot negated(ModelSnapshot s, long version) {
        List<Tensor> tensors = new ArrayList<>();
        for (Tensor t : s.getParameters()) {
            float[] v = Tensors.values(t);
            for (int i = 0; i < v.length; i++) {
                v[i] = -v[i];
            }
            tensors.add(Tensors.of(t.getName(), Tensors.shape(t), v));
        }
        ModelSnapshot copy = ModelSnapshot.newBuilder(s).build();
        copy.setParameters(tensors);
        copy.setVersion(version);
        copy.setCreatedAt(s.getCreatedAt() + 1);
        copy.setParametersChecksum(Tensors.checksum(Snapshots.flatParameters(copy)));
        return copy;
    }

    @Test
    void followsTheTopicAndSwapsToANewerSnapshotWhileServing(@TempDir Path dir) throws Exception {
        ModelSnapshot latest =
                TopicReader.readAll(bootstrap, SNAPSHOTS, ModelSnapshot.class, s -> true).stream()
                        .max(Comparator.comparingLong(ModelSnapshot::getVersion))
                        .orElseThrow();
        LabeledEvent event = new SyntheticEvents(data(1)).all().get(0);
        float[] x = new float[FEATURES];
        for (int j = 0; j < FEATURES; j++) {
            x[j] = event.getFeatures().get(j);
        }

        AvroSerde<ModelSnapshot> serde = AvroSerde.of(ModelSnapshot.class);
        long v = latest.getVersion();
        try (Predictor predictor =
                Predictor.follow(KafkaClientConfig.plain(bootstrap), SNAPSHOTS, KEY)) {
            assertTrue(predictor.awaitCaughtUp(Duration.ofSeconds(60)));
            assertEquals(v, predictor.current().version(), "the newest snapshot at start");
            Prediction before = predictor.predict(x);
            assertEquals(v, before.version());
            assertArrayEquals(
                    ServingModel.of(latest).predict(x).probabilities(), before.probabilities());

            // While it runs: a newer snapshot, a corrupt even newer one, an older one, and the
            // newest; all in one partition, so they arrive in this order.
            ModelSnapshot newer = negated(latest, v + 1_000);
            ModelSnapshot corrupt = negated(latest, v + 2_000);
            corrupt.setParametersChecksum(latest.getParametersChecksum());
            ModelSnapshot older = negated(latest, v - 1);
            ModelSnapshot newest = negated(newer, v + 3_000);
            try (RecordWriter w = RecordWriter.to(bootstrap, "pr-writer")) {
                w.send(record(serde, newer));
            }
            ServingModel served = predictor.awaitVersion(v + 1_000, Duration.ofSeconds(60));
            assertNotNull(served, "the newer snapshot is picked up");
            Prediction after = predictor.predict(x);
            assertEquals(v + 1_000, after.version());
            // Negated parameters negate the logit: σ(−z) is computed the same way both times.
            assertEquals(before.probabilities()[0], after.probabilities()[1], 0);
            assertEquals(before.probabilities()[1], after.probabilities()[0], 0);

            try (RecordWriter w = RecordWriter.to(bootstrap, "pr-writer")) {
                w.send(record(serde, corrupt));
                w.send(record(serde, older));
                w.send(record(serde, newest));
            }
            assertNotNull(predictor.awaitVersion(v + 3_000, Duration.ofSeconds(60)));
            assertEquals(v + 3_000, predictor.current().version(), "never the corrupt v+2000");
            assertEquals(1, predictor.rejected());
            assertTrue(predictor.notNewer() >= 1, "the older one is not served");
            assertArrayEquals(before.probabilities(), predictor.predict(x).probabilities());
            assertNull(predictor.failure());
        }

        // The command line on the events topic: every event, all with the newest snapshot.
        Path out = dir.resolve("predictions.csv");
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        PrintStream saved = System.out;
        try {
            System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
            assertEquals(
                    0,
                    Streamgrad.execute(
                            new String[] {
                                "predict",
                                "--bootstrap-servers",
                                bootstrap,
                                "--snapshots-topic",
                                SNAPSHOTS,
                                "--input",
                                "topic:" + EVENTS_TOPIC,
                                "--output",
                                out.toString()
                            },
                            System.err));
        } finally {
            System.setOut(saved);
        }
        String report = stdout.toString(StandardCharsets.UTF_8);

        // The trainer's own snapshot exported from the topic by version.
        Path json = dir.resolve("export/m.json");
        assertEquals(
                0,
                Streamgrad.execute(
                        new String[] {
                            "snapshots",
                            "export",
                            "--bootstrap-servers",
                            bootstrap,
                            "--snapshots-topic",
                            SNAPSHOTS,
                            "--snapshot",
                            Long.toString(v),
                            "--output",
                            json.toString()
                        },
                        System.err));
        var exported = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json.toFile());
        assertEquals(v, exported.get("version").asLong());
        assertEquals(latest.getRunId(), exported.get("run_id").asText());
        assertEquals(FEATURES, exported.get("parameters").get(0).get("values").size());
        assertTrue(report.contains(String.format("predicted %,d rows", EVENTS)), report);
        assertTrue(report.contains("refused 1 snapshots failing their checksum"), report);
        List<String> rows = Files.readAllLines(out);
        assertEquals("partition,offset,event_id,snapshot_version,prediction,p0,p1", rows.get(0));
        assertEquals(EVENTS + 1, rows.size());
        ServingModel newestModel =
                ServingModel.of(
                        TopicReader.readAll(
                                        bootstrap,
                                        SNAPSHOTS,
                                        ModelSnapshot.class,
                                        s -> s.getVersion() == v + 3_000)
                                .get(0));
        Map<String, LabeledEvent> byId = new HashMap<>();
        for (LabeledEvent e :
                TopicReader.readAll(bootstrap, EVENTS_TOPIC, LabeledEvent.class, e -> true)) {
            byId.put(e.getEventId(), e);
        }
        for (String row : rows.subList(1, rows.size())) {
            String[] f = row.split(",");
            assertEquals(Long.toString(v + 3_000), f[3]);
            List<Float> features = byId.get(f[2]).getFeatures();
            float[] fx = new float[FEATURES];
            for (int j = 0; j < FEATURES; j++) {
                fx[j] = features.get(j);
            }
            Prediction p = newestModel.predict(fx);
            assertEquals(p.probabilities()[1], Double.parseDouble(f[6]), 0, row);
            assertEquals((long) p.value(), Long.parseLong(f[4]), row);
        }
    }

    private static ProducerRecord<byte[], byte[]> record(
            AvroSerde<ModelSnapshot> serde, ModelSnapshot s) {
        return new ProducerRecord<>(
                SNAPSHOTS, 0, KEY.getBytes(StandardCharsets.UTF_8), serde.serialize(s));
    }
}
