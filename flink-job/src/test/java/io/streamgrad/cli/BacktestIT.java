package io.streamgrad.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamgrad.kafka.EmbeddedKafkaBroker;
import io.streamgrad.kafka.KafkaClientConfig;
import io.streamgrad.kafka.RawClients;
import io.streamgrad.kafka.TopicAdmin;
import io.streamgrad.producers.SyntheticConfig;
import io.streamgrad.producers.SyntheticProducer;
import io.streamgrad.run.TopicReader;
import io.streamgrad.schema.MetricKind;
import io.streamgrad.schema.Task;
import io.streamgrad.schema.TrainingMetric;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code backtest} end to end on an in-process broker: two variants (SGD and Adam) trained in one
 * job must each end with exactly the model that {@code train --bounded} trains with the variant's
 * flags on the same events (same windows, same seeds, same passes over Kafka: same parameter
 * checksum and iteration count), in one epoch with event-time windows and in two epochs read as
 * shuffled blocks; the report's figures are recomputed from the metrics topic; a sub-range trains
 * exactly its records. Then the bad input refused before anything starts.
 */
class BacktestIT {
    private static final long EVENTS = 4_096;
    private static final ObjectMapper JSON = new ObjectMapper();

    private static EmbeddedKafkaBroker broker;
    private static String bootstrap;

    @BeforeAll
    static void produce() {
        broker = EmbeddedKafkaBroker.start();
        bootstrap = broker.bootstrapServers();
        new SyntheticProducer(
                        bootstrap,
                        new SyntheticConfig(
                                "bt.events",
                                "m",
                                Task.BINARY,
                                10,
                                2,
                                0.5,
                                EVENTS,
                                0,
                                2,
                                5,
                                0,
                                false))
                .run(n -> {});
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    /** The model and batching flags every run here shares, with event-time windows. */
    private static List<String> modelFlags() {
        List<String> flags = new ArrayList<>(List.of("--window", "event-time:5s"));
        flags.addAll(countWindowFlags());
        return flags;
    }

    /** The model flags with the default window (4 batches) and so the default blocks shuffle. */
    private static List<String> countWindowFlags() {
        return List.of(
                "--model",
                "logistic",
                "--features",
                "10",
                "--batch-size",
                "64",
                "--seed",
                "11",
                "--snapshot-every",
                "1000");
    }

    private static List<String> topics(String name) {
        return List.of(
                "--bootstrap-servers",
                bootstrap,
                "--events-topic",
                "bt.events",
                "--metrics-topic",
                name + ".metrics",
                "--snapshots-topic",
                name + ".snapshots",
                "--dead-letter-topic",
                name + ".dead",
                "--checkpoint-interval-ms",
                "1000",
                "--parallelism",
                "2");
    }

    /**
     * A warning every variant would give (a 10-class softmax on binary events) is said once, and
     * only one sample of the topic is read for all variants: the warning counts the sample's
     * events.
     */
    @Test
    void aWarningEveryVariantGivesIsSaidOnce() {
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream saved = System.err;
        String out;
        try {
            System.setErr(
                    new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
            List<String> args = new ArrayList<>(List.of("backtest"));
            args.addAll(topics("bt-warn"));
            args.addAll(
                    List.of(
                            "--model",
                            "softmax",
                            "--classes",
                            "10",
                            "--features",
                            "10",
                            "--batch-size",
                            "64",
                            "--to-offset",
                            "1024",
                            "--variant",
                            "name=fast,learning-rate=0.1",
                            "--variant",
                            "name=slow,learning-rate=0.01"));
            out = CommandLines.run(0, args.toArray(String[]::new));
        } finally {
            System.setErr(saved);
        }
        String said = err.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(out.contains("fast") && out.contains("slow"), out);
        String warning = "warning: the first 2,048 events of bt.events carry only classes 0 and 1";
        assertEquals(1, said.split(java.util.regex.Pattern.quote(warning), -1).length - 1, said);
    }

    @Test
    void eachVariantTrainsTheModelTrainWouldInOnePass(@TempDir Path dir) throws Exception {
        Path summary = dir.resolve("backtest.json");
        List<String> args = new ArrayList<>(List.of("backtest"));
        args.addAll(topics("bt"));
        args.addAll(modelFlags());
        args.addAll(
                List.of(
                        "--variant",
                        "name=sgd,optimizer=sgd,learning-rate=0.1",
                        "--variant",
                        "name=adam,optimizer=adam,learning-rate=0.01",
                        "--summary-json",
                        summary.toString(),
                        "--plot",
                        dir.resolve("curves").toString()));
        String out = CommandLines.run(0, args.toArray(String[]::new));
        assertTrue(out.contains("sgd") && out.contains("adam"), out);
        JsonNode report = JSON.readTree(summary.toFile());
        assertEquals(EVENTS, report.get("events").asLong(), "one pass: each event read once");
        assertTrue(Files.size(dir.resolve("curves.png")) > 0);
        assertTrue(Files.readString(dir.resolve("curves.svg")).contains("adam"));

        // One job: every variant's metrics carry the same run id.
        List<TrainingMetric> metrics =
                TopicReader.readAll(
                        bootstrap,
                        "bt.metrics",
                        TrainingMetric.class,
                        m -> m.getKind() == MetricKind.ITERATION);
        assertEquals(
                Set.of(report.get("run_id").asText()),
                metrics.stream().map(m -> m.getRunId().toString()).collect(Collectors.toSet()));

        for (JsonNode v : report.get("variants")) {
            String name = v.get("name").asText();
            String[] override =
                    name.equals("sgd")
                            ? new String[] {"--optimizer", "sgd", "--learning-rate", "0.1"}
                            : new String[] {"--optimizer", "adam", "--learning-rate", "0.01"};
            List<String> flags = new ArrayList<>(modelFlags());
            flags.addAll(List.of(override));
            JsonNode train = train("bt-train-" + name, dir, flags);
            assertEquals(
                    train.get("model_checksum").asText(),
                    v.get("model_checksum").asText(),
                    name + ": the model train --bounded trains with the variant's flags");
            assertEquals(train.get("iterations").asLong(), v.get("iterations").asLong(), name);
            assertEquals(EVENTS, v.get("examples").asLong(), name + ": every event once");
            assertEquals(List.of("m@" + name), keys(v));

            // The report's figures, a second way: from the metrics topic.
            List<TrainingMetric> mine =
                    metrics.stream()
                            .filter(m -> m.getModel().toString().equals("m@" + name))
                            .toList();
            double loss = 0;
            double acc = 0;
            long n = 0;
            for (TrainingMetric m : mine) {
                loss += m.getLoss() * m.getBatchSize();
                acc += m.getAccuracy() * m.getBatchSize();
                n += m.getBatchSize();
                assertTrue(m.getStepSeconds() != null && m.getStepSeconds() > 0);
            }
            assertEquals(loss / n, v.get("mean_prequential_loss").asDouble(), 1e-12, name);
            assertEquals(acc / n, v.get("accuracy").asDouble(), 1e-12, name);
            assertTrue(
                    v.get("final_smoothed_loss").asDouble() < Math.log(2),
                    name + " learned (a coin's loss is ln 2): " + v);
        }
        assertNotEquals(
                report.get("variants").get(0).get("model_checksum"),
                report.get("variants").get(1).get("model_checksum"));
    }

    @Test
    void variantsOverSeveralEpochsReadTheRangeFromKafkaOncePerPassAndKeepNothing(@TempDir Path dir)
            throws Exception {
        // Two epochs with the full-pass loss and the default blocks shuffle: four passes over the
        // range, each read from Kafka once for both variants, as train --bounded reads them.
        Path summary = dir.resolve("epochs.json");
        List<String> args = new ArrayList<>(List.of("backtest"));
        args.addAll(topics("bt-epochs"));
        args.addAll(countWindowFlags());
        args.addAll(
                List.of(
                        "--epochs",
                        "2",
                        "--variant",
                        "name=sgd,optimizer=sgd,learning-rate=0.1",
                        "--variant",
                        "name=adam,optimizer=adam,learning-rate=0.01",
                        "--summary-json",
                        summary.toString()));
        CommandLines.run(0, args.toArray(String[]::new));
        JsonNode report = JSON.readTree(summary.toFile());
        String runId = report.get("run_id").asText();
        for (JsonNode v : report.get("variants")) {
            String name = v.get("name").asText();
            List<String> flags = new ArrayList<>(countWindowFlags());
            flags.addAll(List.of("--epochs", "2"));
            flags.addAll(
                    name.equals("sgd")
                            ? List.of("--optimizer", "sgd", "--learning-rate", "0.1")
                            : List.of("--optimizer", "adam", "--learning-rate", "0.01"));
            JsonNode train = train("bt-epochs-train-" + name, dir, flags);
            assertEquals(
                    train.get("model_checksum").asText(),
                    v.get("model_checksum").asText(),
                    name
                            + ": the model train --bounded --epochs 2 trains with the variant's"
                            + " flags");
            assertEquals(train.get("iterations").asLong(), v.get("iterations").asLong(), name);
            assertEquals(2 * EVENTS, v.get("examples").asLong(), name + ": every event twice");
        }
        // Each variant's full-pass loss after each epoch, from the evaluation passes.
        List<TrainingMetric> epochs =
                TopicReader.readAll(
                        bootstrap,
                        "bt-epochs.metrics",
                        TrainingMetric.class,
                        m -> m.getKind() == MetricKind.EPOCH);
        assertEquals(
                Set.of("m@sgd:1", "m@sgd:2", "m@adam:1", "m@adam:2"),
                epochs.stream()
                        .map(m -> m.getModel() + ":" + m.getEpoch())
                        .collect(Collectors.toSet()));
        // The range is the backtest's own: nothing is committed for its consumers.
        try (Admin admin =
                Admin.create(
                        RawClients.adminProps(KafkaClientConfig.plain(bootstrap), "t", 10_000))) {
            assertTrue(
                    admin.listConsumerGroupOffsets("streamgrad-backtest-" + runId)
                            .partitionsToOffsetAndMetadata()
                            .get()
                            .isEmpty(),
                    "offsets committed for the backtest's consumers");
        }
    }

    @Test
    void aSubRangeTrainsExactlyItsRecords(@TempDir Path dir) throws Exception {
        Path summary = dir.resolve("range.json");
        List<String> args = new ArrayList<>(List.of("backtest"));
        args.addAll(topics("bt-range"));
        args.addAll(modelFlags());
        args.addAll(
                List.of(
                        "--from-offset",
                        "0:100,1:0",
                        "--to-offset",
                        "0:1124,1:512",
                        "--summary-json",
                        summary.toString()));
        CommandLines.run(0, args.toArray(String[]::new));
        JsonNode report = JSON.readTree(summary.toFile());
        assertEquals(1024 + 512, report.get("events").asLong());
        assertEquals(100, report.get("offsets").get("0").get("from").asLong());
        assertEquals(512, report.get("offsets").get("1").get("to").asLong());
        JsonNode base = report.get("variants").get(0);
        assertEquals("base", base.get("name").asText());
        assertEquals(1024 + 512, base.get("examples").asLong());
    }

    @Test
    void whatAVariantKeepsIsSizedByTheRangeNotTheTopic(@TempDir Path dir) throws Exception {
        // A full batch of the last 2 × 300 records is within a limit of 1,000; the topic's 4,096
        // records are not (train --bounded over the whole topic refuses them).
        List<String> fullBatch =
                List.of(
                        "--model",
                        "logistic",
                        "--features",
                        "10",
                        "--batch-size",
                        "full",
                        "--full-batch-limit",
                        "1000");
        Path summary = dir.resolve("full.json");
        List<String> args = new ArrayList<>(List.of("backtest"));
        args.addAll(topics("bt-full"));
        args.addAll(fullBatch);
        args.addAll(List.of("--last", "300", "--summary-json", summary.toString()));
        CommandLines.run(0, args.toArray(String[]::new));
        assertEquals(600, JSON.readTree(summary.toFile()).get("events").asLong());

        List<String> train = new ArrayList<>(List.of("train", "--bounded"));
        train.addAll(topics("bt-full-train"));
        train.addAll(fullBatch);
        String e = CommandLines.run(2, train.toArray(String[]::new));
        assertTrue(e.contains("there are 4096 events"), e);
    }

    @Test
    void badVariantsAreRefusedBeforeAnythingStarts() {
        List<String> args = new ArrayList<>(List.of("backtest"));
        args.addAll(topics("bt-bad"));
        args.addAll(modelFlags());
        List<String> unknown = new ArrayList<>(args);
        unknown.addAll(List.of("--variant", "name=a,optimiser=adam"));
        String e = CommandLines.run(2, unknown.toArray(String[]::new));
        assertTrue(e.contains("--variant a: unknown setting 'optimiser'"), e);
        assertTrue(e.contains("optimizer"), "lists what a variant sets: " + e);

        List<String> jobFlag = new ArrayList<>(args);
        jobFlag.addAll(List.of("--variant", "name=a,parallelism=4"));
        e = CommandLines.run(2, jobFlag.toArray(String[]::new));
        assertTrue(e.contains("'parallelism' is the job's"), e);

        List<String> features = new ArrayList<>(args);
        features.addAll(List.of("--variant", "name=a", "--variant", "name=b,features=12"));
        e = CommandLines.run(2, features.toArray(String[]::new));
        assertTrue(e.contains("must") && e.contains("agree on the features"), e);

        List<String> badValue = new ArrayList<>(args);
        badValue.addAll(List.of("--variant", "name=big,batch-size=100"));
        e = CommandLines.run(2, badValue.toArray(String[]::new));
        assertTrue(e.startsWith("streamgrad: --variant big: --batch-size 100"), e);

        // One read of the range serves every variant: their passes must agree.
        List<String> epochs = new ArrayList<>(args);
        epochs.addAll(List.of("--variant", "name=one", "--variant", "name=three,epochs=3"));
        e = CommandLines.run(2, epochs.toArray(String[]::new));
        assertTrue(e.startsWith("streamgrad: --variant three reads the range as --epochs 3,"), e);
        assertTrue(e.contains("but one as --epochs 1,"), e);
        assertTrue(e.contains("--shuffle pass to keep the range in state"), e);

        // train's start for a group without offsets: a backtest's range ignores it, so it is
        // refused rather than ignored.
        List<String> from = new ArrayList<>(args);
        from.addAll(List.of("--variant", "name=a", "--from", "latest"));
        e = CommandLines.run(2, from.toArray(String[]::new));
        assertTrue(e.startsWith("streamgrad: --from latest has no effect on a backtest"), e);
        assertTrue(e.contains("--last N"), e);

        List<String> twice = new ArrayList<>(args);
        twice.addAll(List.of("--variant", "name=a", "--variant", "name=a,seed=3"));
        e = CommandLines.run(2, twice.toArray(String[]::new));
        assertTrue(e.contains("used twice"), e);
        try (TopicAdmin admin = new TopicAdmin(bootstrap)) {
            assertFalse(admin.topicExists("bt-bad.metrics"), "nothing started");
        }
    }

    private static List<String> keys(JsonNode v) {
        List<String> out = new ArrayList<>();
        v.get("model_keys").forEach(k -> out.add(k.asText()));
        return out;
    }

    /** train --bounded with these model flags on the events topic; returns its summary. */
    private static JsonNode train(String name, Path dir, List<String> modelFlags) throws Exception {
        Path summary = dir.resolve(name + ".json");
        List<String> args = new ArrayList<>(List.of("train", "--bounded"));
        args.addAll(topics(name));
        args.addAll(modelFlags);
        args.addAll(
                List.of(
                        "--group-id",
                        name,
                        "--state-dir",
                        StateDirs.fresh(),
                        "--summary-json",
                        summary.toString()));
        CommandLines.run(0, args.toArray(String[]::new));
        return JSON.readTree(summary.toFile());
    }
}
