package io.streamgrad.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamgrad.kafka.EmbeddedKafkaBroker;
import io.streamgrad.kafka.RecordWriter;
import io.streamgrad.kafka.TopicAdmin;
import io.streamgrad.producers.EventProducer;
import io.streamgrad.producers.SyntheticConfig;
import io.streamgrad.producers.SyntheticEvents;
import io.streamgrad.producers.SyntheticProducer;
import io.streamgrad.run.Holdout;
import io.streamgrad.run.TopicReader;
import io.streamgrad.schema.AvroSerde;
import io.streamgrad.schema.DeadLetter;
import io.streamgrad.schema.LabeledEvent;
import io.streamgrad.schema.ModelSnapshot;
import io.streamgrad.schema.Task;
import io.streamgrad.train.Snapshots;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code evaluate} end to end on an in-process broker: a model trained by {@code train --bounded},
 * its latest snapshot scored on held-out events by the evaluation job, and every metric computed a
 * second way, independently, from the predictions file; the loss and accuracy also equal what the
 * demo's holdout evaluation ({@link Holdout}) reports for the same events. Then the bad input that
 * must be refused before anything starts.
 */
class EvaluateIT {
    private static final int FEATURES = 8;
    private static final long TRAIN_EVENTS = 4_096;
    private static final int HOLDOUT_EVENTS = 1_500;
    private static final double TOL = 1e-9;

    private static EmbeddedKafkaBroker broker;
    private static String bootstrap;
    private static SyntheticConfig data;

    @BeforeAll
    static void trainAModel() {
        broker = EmbeddedKafkaBroker.start();
        bootstrap = broker.bootstrapServers();
        data =
                new SyntheticConfig(
                        "ev.events",
                        "ev-model",
                        Task.BINARY,
                        FEATURES,
                        2,
                        1.0,
                        TRAIN_EVENTS,
                        0,
                        2,
                        23,
                        0,
                        false);
        new SyntheticProducer(bootstrap, data).run(n -> {});
        train(
                "ev.events",
                "ev.snapshots",
                "--model",
                "logistic",
                "--learning-rate",
                "0.05",
                "--optimizer",
                "adam",
                "--snapshot-every",
                "16");
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    /** The demo's held-out events: the teacher's next events after the training ones. */
    private static List<LabeledEvent> holdout() {
        return new SyntheticEvents(data.withRange(TRAIN_EVENTS, HOLDOUT_EVENTS)).all();
    }

    @Test
    void metricsEqualASecondComputationFromThePredictionsAndTheDemosHoldout(@TempDir Path dir)
            throws Exception {
        List<LabeledEvent> holdout = holdout();
        new EventProducer(bootstrap, "ev.holdout", 2, 0)
                .run(0, holdout.size(), i -> holdout.get((int) i), n -> {});
        // Records that do not fit: dead-lettered, not scored.
        AvroSerde<LabeledEvent> serde = AvroSerde.of(LabeledEvent.class);
        try (RecordWriter w = RecordWriter.to(bootstrap, "ev-bad")) {
            w.send(new ProducerRecord<>("ev.holdout", 0, null, "garbage".getBytes()));
            w.send(
                    new ProducerRecord<>(
                            "ev.holdout",
                            1,
                            null,
                            serde.serialize(
                                    LabeledEvent.newBuilder(holdout.get(0))
                                            .setEventId("three-features")
                                            .setFeatures(List.of(1f, 2f, 3f))
                                            .build())));
        }

        Path summaryFile = dir.resolve("summary.json");
        Path predictions = dir.resolve("predictions.csv");
        String prefix = dir.resolve("plots/ev").toString();
        String report =
                stdout(
                        "evaluate",
                        "--bootstrap-servers",
                        bootstrap,
                        "--snapshots-topic",
                        "ev.snapshots",
                        "--events-topic",
                        "ev.holdout",
                        "--dead-letter-topic",
                        "ev.holdout.dead",
                        "--summary-json",
                        summaryFile.toString(),
                        "--predictions-out",
                        predictions.toString(),
                        "--plot",
                        prefix);
        System.out.println(report);
        assertTrue(report.contains("ROC AUC"), report);
        // The start line says what the model learnt from as well as what it is scored on.
        assertTrue(
                report.lines()
                        .findFirst()
                        .orElseThrow()
                        .matches(
                                "streamgrad evaluate: model ev-model v[0-9]+ \\(run [-0-9a-f]+,"
                                        + " trained on ev.events\\) on ev.holdout offsets 0:\\[0,"
                                        + " [0-9]+\\), 1:\\[0, [0-9]+\\) .*"),
                report);

        ModelSnapshot latest =
                TopicReader.readAll(bootstrap, "ev.snapshots", ModelSnapshot.class, s -> true)
                        .stream()
                        .max(Comparator.comparingLong(ModelSnapshot::getVersion))
                        .orElseThrow();
        JsonNode s = new ObjectMapper().readTree(summaryFile.toFile());
        assertEquals(latest.getVersion(), s.get("snapshot_version").asLong());
        assertEquals(latest.getRunId(), s.get("snapshot_run_id").asText());
        assertEquals(HOLDOUT_EVENTS, s.get("events").asLong());
        assertEquals(HOLDOUT_EVENTS + 2, s.get("events_consumed").asLong());
        assertEquals(2, s.get("dead_lettered").asLong());
        for (String key : List.of("mse", "mae", "r2")) {
            assertTrue(s.get(key).isNull(), key + " is null for a classifier");
        }
        // The exact range: both partitions from 0 to their end (HOLDOUT/2 events + 1 bad each).
        JsonNode parts = s.get("range").get("partitions");
        assertEquals(2, parts.size());
        for (JsonNode p : parts) {
            assertEquals(0, p.get("from_offset").asLong());
            assertEquals(HOLDOUT_EVENTS / 2 + 1, p.get("end_offset").asLong());
        }
        List<DeadLetter> dead =
                TopicReader.readAll(bootstrap, "ev.holdout.dead", DeadLetter.class, d -> true);
        assertEquals(2, dead.size());

        // The demo's holdout figures for the same snapshot and events. Both compute the loss in
        // double from the same float32 logits (on the CPU backend), summed in another order: equal
        // to float32 rounding; the accuracy is the same count.
        Holdout h = Holdout.evaluate(Snapshots.rebuild(latest), holdout);
        assertEquals(h.accuracy(), s.get("accuracy").asDouble(), 1e-12);
        assertEquals(h.loss(), s.get("loss").asDouble(), 1e-6 * h.loss());

        // A second computation of every metric, from the predictions file alone.
        List<String> lines = Files.readAllLines(predictions);
        assertEquals("partition,offset,event_id,label,prediction,p0,p1", lines.get(0));
        assertEquals(HOLDOUT_EVENTS + 1, lines.size());
        Map<String, LabeledEvent> byId = new HashMap<>();
        holdout.forEach(e -> byId.put(e.getEventId(), e));
        int n = HOLDOUT_EVENTS;
        int[] y = new int[n];
        double[] p1 = new double[n];
        Set<String> seen = new HashSet<>();
        Map<Integer, Long> lastOffset = new HashMap<>();
        double logLoss = 0;
        long[][] cm = new long[2][2];
        for (int i = 0; i < n; i++) {
            String[] f = lines.get(i + 1).split(",");
            int partition = Integer.parseInt(f[0]);
            long offset = Long.parseLong(f[1]);
            assertTrue(offset > lastOffset.getOrDefault(partition, -1L), "offset order");
            lastOffset.put(partition, offset);
            assertTrue(seen.add(f[2]), "each event once");
            y[i] = Integer.parseInt(f[3]);
            assertEquals(byId.get(f[2]).getLabel(), y[i], "the event's own label");
            int predicted = Integer.parseInt(f[4]);
            double q0 = Double.parseDouble(f[5]);
            p1[i] = Double.parseDouble(f[6]);
            assertEquals(1.0, q0 + p1[i], 1e-12);
            assertEquals(p1[i] > q0 ? 1 : 0, predicted);
            logLoss += -Math.log(y[i] == 1 ? p1[i] : q0);
            cm[y[i]][predicted]++;
        }
        logLoss /= n;
        assertEquals(logLoss, s.get("log_loss").asDouble(), TOL);
        // l2 is 0: the model's loss is its binary cross-entropy, the log-loss.
        assertEquals(logLoss, s.get("loss").asDouble(), TOL);
        assertEquals((cm[0][0] + cm[1][1]) / (double) n, s.get("accuracy").asDouble(), TOL);
        for (int t = 0; t < 2; t++) {
            for (int p = 0; p < 2; p++) {
                assertEquals(cm[t][p], s.get("confusion_matrix").get(t).get(p).asLong());
            }
            long support = cm[t][0] + cm[t][1];
            double precision = cm[t][t] / (double) (cm[0][t] + cm[1][t]);
            double recall = cm[t][t] / (double) support;
            JsonNode c = s.get("per_class").get(t);
            assertEquals(support, c.get("support").asLong());
            assertEquals(precision, c.get("precision").asDouble(), TOL);
            assertEquals(recall, c.get("recall").asDouble(), TOL);
            assertEquals(
                    2 * precision * recall / (precision + recall), c.get("f1").asDouble(), TOL);
        }
        assertEquals(rocAucByPairs(y, p1), s.get("roc_auc").asDouble(), TOL);
        assertEquals(averagePrecisionPerPositive(y, p1), s.get("pr_auc").asDouble(), TOL);
        assertEquals(ece(y, p1), s.get("ece").asDouble(), TOL);
        assertTrue(s.get("roc_auc").asDouble() > 0.8, "a model that learned the teacher");

        for (String chart : List.of("confusion", "roc", "reliability")) {
            for (String ext : List.of(".png", ".svg")) {
                Path f = Path.of(prefix + "-" + chart + ext);
                assertTrue(Files.size(f) > 1000, f + " written");
            }
        }
    }

    @Test
    void multiclassWithStandardizationOnOnePartitionsOffsets(@TempDir Path dir) throws Exception {
        SyntheticConfig multi =
                new SyntheticConfig(
                        "ev.multi",
                        "multi",
                        Task.MULTICLASS,
                        FEATURES,
                        3,
                        0.5,
                        2_048,
                        0,
                        2,
                        29,
                        0,
                        false);
        new SyntheticProducer(bootstrap, multi).run(n -> {});
        train(
                "ev.multi",
                "ev.multi.snapshots",
                "--model",
                "softmax",
                "--classes",
                "3",
                "--standardize",
                "on");
        JsonNode s =
                evaluate(
                        dir,
                        "--events-topic",
                        "ev.multi",
                        "--snapshots-topic",
                        "ev.multi.snapshots",
                        "--from-offset",
                        "0:100",
                        "--to-offset",
                        "0:900");
        JsonNode parts = s.get("range").get("partitions");
        assertEquals(1, parts.size(), "naming partition 0 scores only partition 0");
        assertEquals(100, parts.get(0).get("from_offset").asLong());
        assertEquals(900, parts.get(0).get("end_offset").asLong());
        assertEquals(800, s.get("events").asLong());

        ModelSnapshot snap =
                TopicReader.readAll(bootstrap, "ev.multi.snapshots", ModelSnapshot.class, x -> true)
                        .stream()
                        .max(Comparator.comparingLong(ModelSnapshot::getVersion))
                        .orElseThrow();
        assertTrue(snap.getStandardization() != null, "the model standardizes its inputs");
        Map<String, LabeledEvent> byId = new HashMap<>();
        new SyntheticEvents(multi).all().forEach(e -> byId.put(e.getEventId(), e));

        List<String> lines = Files.readAllLines(dir.resolve("predictions.csv"));
        assertEquals("partition,offset,event_id,label,prediction,p0,p1,p2", lines.get(0));
        assertEquals(801, lines.size());
        int k = 3;
        long[][] cm = new long[k][k];
        double logLoss = 0;
        double[] binConf = new double[10];
        double[] binCorrect = new double[10];
        long[] binCount = new long[10];
        for (int i = 1; i < lines.size(); i++) {
            String[] f = lines.get(i).split(",");
            assertEquals(0, Integer.parseInt(f[0]));
            assertEquals(99 + i, Long.parseLong(f[1]), "partition 0's offsets 100..899 in order");
            int y = Integer.parseInt(f[3]);
            int predicted = Integer.parseInt(f[4]);
            double[] p = {
                Double.parseDouble(f[5]), Double.parseDouble(f[6]), Double.parseDouble(f[7])
            };
            // An independent forward pass: standardize with the snapshot's statistics, W·x + b.
            double[] expected = softmaxByHand(snap, byId.get(f[2]).getFeatures());
            for (int c = 0; c < k; c++) {
                assertEquals(expected[c], p[c], 1e-5, "probability " + c + " of " + f[2]);
            }
            cm[y][predicted]++;
            logLoss += -Math.log(p[y]);
            int top = p[1] > p[0] ? (p[2] > p[1] ? 2 : 1) : (p[2] > p[0] ? 2 : 0);
            assertEquals(top, predicted);
            int b = Math.max(0, Math.min(9, (int) Math.ceil(p[top] * 10) - 1));
            binCount[b]++;
            binConf[b] += p[top];
            binCorrect[b] += top == y ? 1 : 0;
        }
        int n = 800;
        assertEquals(logLoss / n, s.get("log_loss").asDouble(), TOL);
        assertEquals(logLoss / n, s.get("loss").asDouble(), TOL);
        long correct = 0;
        for (int t = 0; t < k; t++) {
            correct += cm[t][t];
            long support = 0;
            long predictedAs = 0;
            for (int j = 0; j < k; j++) {
                assertEquals(cm[t][j], s.get("confusion_matrix").get(t).get(j).asLong());
                support += cm[t][j];
                predictedAs += cm[j][t];
            }
            JsonNode c = s.get("per_class").get(t);
            assertEquals(support, c.get("support").asLong());
            assertEquals(cm[t][t] / (double) predictedAs, c.get("precision").asDouble(), TOL);
            assertEquals(cm[t][t] / (double) support, c.get("recall").asDouble(), TOL);
        }
        assertEquals(correct / (double) n, s.get("accuracy").asDouble(), TOL);
        double ece = 0;
        for (int b = 0; b < 10; b++) {
            if (binCount[b] > 0) {
                ece +=
                        binCount[b]
                                / (double) n
                                * Math.abs(binCorrect[b] / binCount[b] - binConf[b] / binCount[b]);
            }
        }
        assertEquals(ece, s.get("ece").asDouble(), TOL);
        assertTrue(s.get("roc_auc").isNull() && s.get("pr_auc").isNull(), "binary only");
        assertTrue(s.get("accuracy").asDouble() > 0.6, "learned more than chance (1/3)");
    }

    @Test
    void regressionOnTheLastEventsOfEachPartition(@TempDir Path dir) throws Exception {
        SyntheticConfig reg =
                new SyntheticConfig(
                        "ev.reg",
                        "reg",
                        Task.REGRESSION,
                        FEATURES,
                        0,
                        0.3,
                        2_048,
                        0,
                        2,
                        31,
                        0,
                        false);
        new SyntheticProducer(bootstrap, reg).run(n -> {});
        train("ev.reg", "ev.reg.snapshots", "--model", "linear");
        JsonNode s =
                evaluate(
                        dir,
                        "--events-topic",
                        "ev.reg",
                        "--snapshots-topic",
                        "ev.reg.snapshots",
                        "--last",
                        "300");
        for (JsonNode p : s.get("range").get("partitions")) {
            assertEquals(1_024 - 300, p.get("from_offset").asLong());
            assertEquals(1_024, p.get("end_offset").asLong());
        }
        List<String> lines = Files.readAllLines(dir.resolve("predictions.csv"));
        assertEquals("partition,offset,event_id,label,prediction", lines.get(0));
        int n = lines.size() - 1;
        assertEquals(600, n);
        assertEquals(600, s.get("events").asLong());
        double[] y = new double[n];
        double[] f = new double[n];
        double mean = 0;
        for (int i = 0; i < n; i++) {
            String[] c = lines.get(i + 1).split(",");
            y[i] = Double.parseDouble(c[3]);
            f[i] = Double.parseDouble(c[4]);
            mean += y[i] / n;
        }
        double sse = 0;
        double sae = 0;
        double sst = 0;
        for (int i = 0; i < n; i++) {
            sse += (f[i] - y[i]) * (f[i] - y[i]);
            sae += Math.abs(f[i] - y[i]);
            sst += (y[i] - mean) * (y[i] - mean);
        }
        assertEquals(sse / n, s.get("mse").asDouble(), TOL);
        assertEquals(sae / n, s.get("mae").asDouble(), TOL);
        assertEquals(1 - sse / sst, s.get("r2").asDouble(), TOL);
        assertEquals(sse / n, s.get("loss").asDouble(), TOL, "the model's loss is its MSE");
        for (String key :
                List.of(
                        "accuracy",
                        "log_loss",
                        "per_class",
                        "confusion_matrix",
                        "ece",
                        "roc_auc",
                        "pr_auc")) {
            assertTrue(s.get(key).isNull(), key + " is null for regression");
        }
    }

    /** Softmax of W·standardize(x) + b, from the snapshot's tensors, in double. */
    private static double[] softmaxByHand(ModelSnapshot snap, List<Float> x) {
        var st = snap.getStandardization();
        int d = x.size();
        double[] xs = new double[d];
        for (int i = 0; i < d; i++) {
            double sd = Math.sqrt(st.getM2().get(i) / (st.getCount() - 1));
            xs[i] = (x.get(i) - st.getMean().get(i)) / (sd > 0 ? sd : 1);
        }
        float[] w = io.streamgrad.schema.Tensors.values(snap.getParameters().get(0));
        float[] b = io.streamgrad.schema.Tensors.values(snap.getParameters().get(1));
        int k = b.length;
        double[] z = new double[k];
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < k; c++) {
            z[c] = b[c];
            for (int i = 0; i < d; i++) {
                z[c] += xs[i] * w[i * k + c];
            }
            max = Math.max(max, z[c]);
        }
        double sum = 0;
        for (int c = 0; c < k; c++) {
            z[c] = Math.exp(z[c] - max);
            sum += z[c];
        }
        for (int c = 0; c < k; c++) {
            z[c] /= sum;
        }
        return z;
    }

    private static void train(String topic, String snapshots, String... model) {
        List<String> args =
                new java.util.ArrayList<>(
                        List.of(
                                "train",
                                "--state-dir",
                                StateDirs.fresh(),
                                "--bootstrap-servers",
                                bootstrap,
                                "--events-topic",
                                topic,
                                "--metrics-topic",
                                topic + ".metrics",
                                "--snapshots-topic",
                                snapshots,
                                "--dead-letter-topic",
                                topic + ".dead",
                                "--group-id",
                                topic + "-group",
                                "--bounded",
                                "--features",
                                Integer.toString(FEATURES),
                                "--batch-size",
                                "64",
                                "--seed",
                                "3",
                                "--checkpoint-interval-ms",
                                "1000"));
        args.addAll(List.of(model));
        assertEquals(0, Streamgrad.execute(args.toArray(String[]::new), System.err), "train");
    }

    /** Runs evaluate with a summary and predictions in dir; returns the summary. */
    private static JsonNode evaluate(Path dir, String... flags) throws Exception {
        List<String> args =
                new java.util.ArrayList<>(
                        List.of(
                                "evaluate",
                                "--bootstrap-servers",
                                bootstrap,
                                "--dead-letter-topic",
                                "ev.eval.dead",
                                "--summary-json",
                                dir.resolve("summary.json").toString(),
                                "--predictions-out",
                                dir.resolve("predictions.csv").toString()));
        args.addAll(List.of(flags));
        assertEquals(0, Streamgrad.execute(args.toArray(String[]::new), System.err), "evaluate");
        return new ObjectMapper().readTree(dir.resolve("summary.json").toFile());
    }

    /** P(s⁺ > s⁻) + ½ P(s⁺ = s⁻) over every pair: O(n²), no sorting. */
    private static double rocAucByPairs(int[] y, double[] s) {
        double wins = 0;
        long pairs = 0;
        for (int i = 0; i < y.length; i++) {
            if (y[i] != 1) {
                continue;
            }
            for (int j = 0; j < y.length; j++) {
                if (y[j] != 0) {
                    continue;
                }
                pairs++;
                wins += s[i] > s[j] ? 1 : s[i] == s[j] ? 0.5 : 0;
            }
        }
        return wins / pairs;
    }

    /**
     * Average precision as the mean over positives of the precision at the threshold of their own
     * score (everything scored at least as high counts): the same sum as Σ (R_n − R_{n−1}) P_n.
     */
    private static double averagePrecisionPerPositive(int[] y, double[] s) {
        double sum = 0;
        int positives = 0;
        for (int i = 0; i < y.length; i++) {
            if (y[i] != 1) {
                continue;
            }
            positives++;
            long tp = 0;
            long all = 0;
            for (int j = 0; j < y.length; j++) {
                if (s[j] >= s[i]) {
                    all++;
                    tp += y[j];
                }
            }
            sum += tp / (double) all;
        }
        return sum / positives;
    }

    /** Top-label ECE over 10 bins ((m−1)/10, m/10] (Guo et al. 2017, eq. 3). */
    private static double ece(int[] y, double[] p1) {
        double[] conf = new double[10];
        double[] correct = new double[10];
        long[] count = new long[10];
        for (int i = 0; i < y.length; i++) {
            int predicted = p1[i] > 1 - p1[i] ? 1 : 0;
            double c = predicted == 1 ? p1[i] : 1 - p1[i];
            int b = Math.max(0, Math.min(9, (int) Math.ceil(c * 10) - 1));
            count[b]++;
            conf[b] += c;
            correct[b] += predicted == y[i] ? 1 : 0;
        }
        double e = 0;
        for (int b = 0; b < 10; b++) {
            if (count[b] > 0) {
                e +=
                        count[b]
                                / (double) y.length
                                * Math.abs(correct[b] / count[b] - conf[b] / count[b]);
            }
        }
        return e;
    }

    @Test
    void badInputIsRefusedBeforeAnythingStarts(@TempDir Path dir) throws Exception {
        String[] base = {
            "evaluate",
            "--bootstrap-servers",
            bootstrap,
            "--snapshots-topic",
            "ev.snapshots",
            "--events-topic",
            "ev.events"
        };
        String unknownVersion = fails(base, "--snapshot", "7");
        assertTrue(unknownVersion.contains("known versions: 16, 32"), unknownVersion);
        String unknownKey = fails(base, "--model-key", "nope");
        assertTrue(unknownKey.contains("known keys: ev-model"), unknownKey);
        String outside = fails(base, "--to-offset", "0:99999");
        assertTrue(
                outside.contains("partition 0 offsets [0, 2048), partition 1 offsets [0, 2048)"),
                outside);
        String unknownPartition = fails(base, "--from-offset", "5:0");
        assertTrue(unknownPartition.contains("the topic has 2 partitions: 0, 1"), unknownPartition);
        String badTime = fails(base, "--from-time", "yesterday");
        assertTrue(badTime.contains("--from-time must be ISO-8601"), badTime);

        Path corrupt = dir.resolve("corrupt.snapshot");
        Files.write(corrupt, "not a snapshot".getBytes(StandardCharsets.UTF_8));
        String corruptFile = fails(base, "--snapshot", "file:" + corrupt);
        assertTrue(corruptFile.contains("is not a ModelSnapshot"), corruptFile);

        // A snapshot whose parameters were changed after the checksum: refused.
        ModelSnapshot good =
                TopicReader.readAll(bootstrap, "ev.snapshots", ModelSnapshot.class, x -> true)
                        .get(0);
        ModelSnapshot tampered = ModelSnapshot.newBuilder(good).build();
        var w0 = tampered.getParameters().get(0);
        java.nio.ByteBuffer values = w0.getValues().duplicate();
        values.put(0, (byte) (values.get(0) ^ 0x40));
        w0.setValues(values);
        Path tamperedFile = dir.resolve("tampered.snapshot");
        Files.write(tamperedFile, AvroSerde.of(ModelSnapshot.class).serialize(tampered));
        String checksum = fails(base, "--snapshot", "file:" + tamperedFile);
        assertTrue(checksum.contains("is corrupt: parameter checksum"), checksum);

        // A topic whose events have another feature count than the snapshot's.
        SyntheticConfig wide =
                new SyntheticConfig(
                        "ev.wide",
                        "ev-model",
                        Task.BINARY,
                        FEATURES + 4,
                        2,
                        1.0,
                        64,
                        0,
                        1,
                        5,
                        0,
                        false);
        new SyntheticProducer(bootstrap, wide).run(n -> {});
        String[] onWide = base.clone();
        onWide[onWide.length - 1] = "ev.wide";
        String shape = fails(onWide);
        assertTrue(
                shape.contains("(" + FEATURES + " features, binary with classes 0-1) fits none"),
                shape);
        assertFalse(shape.contains("\n"), "one line: " + shape);
    }

    @Test
    void snapshotsListAndShowReadTheLineage() throws Exception {
        String list =
                stdout(
                        "snapshots",
                        "list",
                        "--bootstrap-servers",
                        bootstrap,
                        "--snapshots-topic",
                        "ev.snapshots");
        for (int v : new int[] {16, 32, 48, 64}) {
            assertTrue(list.matches("(?s).*\\nev-model +" + v + " .*"), v + " listed:\n" + list);
        }
        // Nothing listed is a failure that says why: a mistyped key or topic, or no model yet.
        String[] listing = {"snapshots", "list", "--bootstrap-servers", bootstrap};
        assertEquals(
                "streamgrad: --model-key nope has no snapshot on ev.snapshots; known keys:"
                        + " ev-model",
                fails(listing, "--snapshots-topic", "ev.snapshots", "--model-key", "nope"));
        assertTrue(
                fails(listing, "--snapshots-topic", "ev.snapshot")
                        .startsWith("streamgrad: --snapshots-topic ev.snapshot does not exist on "),
                "a mistyped topic");
        try (TopicAdmin admin = new TopicAdmin(bootstrap)) {
            admin.ensureTopic(io.streamgrad.kafka.Topic.SNAPSHOTS, "ev.empty.snapshots", 1);
        }
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] empty = {
            "snapshots",
            "list",
            "--bootstrap-servers",
            bootstrap,
            "--snapshots-topic",
            "ev.empty.snapshots"
        };
        PrintStream savedErr = System.err;
        try {
            // The command's own lines go to standard error, not through execute's stream.
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            assertEquals(1, Streamgrad.execute(empty, System.err));
        } finally {
            System.setErr(savedErr);
        }
        assertEquals(
                "streamgrad snapshots: no snapshots on ev.empty.snapshots yet: train a model first",
                err.toString(StandardCharsets.UTF_8).strip());
        JsonNode show =
                new ObjectMapper()
                        .readTree(
                                stdout(
                                        "snapshots",
                                        "show",
                                        "--bootstrap-servers",
                                        bootstrap,
                                        "--snapshots-topic",
                                        "ev.snapshots",
                                        "--snapshot",
                                        "32"));
        assertEquals(32, show.get("version").asLong());
        assertEquals(3, show.get("seed").asLong());
        assertEquals(32 * 64, show.get("examples_seen").asLong());
        assertEquals("[8, 1]", show.get("parameters").get(0).get("shape").asText());
        assertFalse(show.get("parameters").get(0).has("values"), "no tensors");
        assertEquals("ev.events", show.get("provenance").get("topics.events").asText());
        assertTrue(show.get("provenance").has("code_version"));
        assertEquals("adam", show.get("optimizer").get("name").asText());
    }

    private static String stdout(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(
                0,
                CliRun.capturingStdout(out, () -> Streamgrad.execute(args, System.err)),
                String.join(" ", args));
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Runs a command line that must fail with a usage error; returns its message. */
    private static String fails(String[] base, String... more) {
        String[] args = new String[base.length + more.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(more, 0, args, base.length, more.length);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Streamgrad.execute(args, new PrintStream(err, true, StandardCharsets.UTF_8));
        String message = err.toString(StandardCharsets.UTF_8).trim();
        assertEquals(2, exit, String.join(" ", args) + " -> " + message);
        assertTrue(message.startsWith("streamgrad: "), message);
        return message;
    }
}
