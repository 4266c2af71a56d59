package io.streamgrad.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamgrad.job.Accumulators;
import io.streamgrad.job.JobConfig;
import io.streamgrad.job.TrainingJob;
import io.streamgrad.kafka.EmbeddedKafkaBroker;
import io.streamgrad.kafka.KafkaClientConfig;
import io.streamgrad.kafka.RecordWriter;
import io.streamgrad.kafka.Topic;
import io.streamgrad.kafka.TopicAdmin;
import io.streamgrad.model.Activation;
import io.streamgrad.model.ModelSpec;
import io.streamgrad.model.OptimizerSpec;
import io.streamgrad.run.TopicReader;
import io.streamgrad.schema.AvroSerde;
import io.streamgrad.schema.LabeledEvent;
import io.streamgrad.schema.MetricKind;
import io.streamgrad.schema.ModelSnapshot;
import io.streamgrad.schema.TrainingMetric;
import io.streamgrad.train.Batching;
import io.streamgrad.train.TrainingConfig;
import io.streamgrad.window.WindowSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stop with a savepoint, restart at another parallelism: Flink moves each model's keyed state (its
 * parameters and optimizer state, open windows, carried remainder, kept pass and accounting) to the
 * subtask that now owns its key group, and the subtasks' counters with them. Six models,
 * interleaved on four partitions, trained at parallelism 2, stopped mid-stream, resumed at
 * parallelism 3, must end with exactly the models of an uninterrupted run (event-time windows make
 * batch composition a function of the data and the seed), every iteration's metric once and every
 * event counted once.
 */
class RescaleIT {
    private static final int MODELS = 6;
    private static final int FEATURES = 10;
    private static final int EVENTS = 96_000;
    private static final long T0 = 1_767_225_600_000L;
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
    void modelsAndOpenWindowsMoveToTheNewSubtasks(@TempDir Path dir) throws Exception {
        KafkaClientConfig kafka = KafkaClientConfig.plain(broker.bootstrapServers());
        produce(kafka);

        JobConfig reference = config(kafka, "ref", 1);
        JobExecutionResult ref = run(reference, dir.resolve("ref"), null, false).result();

        // Parallelism 2, stopped with a savepoint once a checkpoint shows it is under way.
        JobConfig first = config(kafka, "rescaled", 2);
        Run stopped = run(first, dir.resolve("first"), null, true);
        assertTrue(Files.isDirectory(stopped.savepoint()), "a savepoint: " + stopped.savepoint());
        // Stopped mid-stream: some models had trained (state worth moving), not all of the run.
        long before =
                iterations(kafka, first.runId()).values().stream().mapToLong(List::size).sum();
        long total = Accumulators.Counter.ITERATIONS.in(ref.getAllAccumulatorResults());
        assertTrue(before > 0 && before < total, before + " of " + total + " before the stop");
        // Resumed from it at parallelism 3, same run.
        JobConfig resumed = config(kafka, "rescaled", 3).withRunId(first.runId());
        JobExecutionResult end =
                run(resumed, dir.resolve("second"), stopped.savepoint(), false).result();

        Map<String, ModelSnapshot> refModels = lastSnapshots(kafka, reference.runId());
        Map<String, ModelSnapshot> models = lastSnapshots(kafka, first.runId());
        assertEquals(MODELS, refModels.size());
        assertEquals(refModels.keySet(), models.keySet());
        for (String key : refModels.keySet()) {
            assertEquals(refModels.get(key).getVersion(), models.get(key).getVersion(), key);
            assertEquals(
                    refModels.get(key).getParametersChecksum(),
                    models.get(key).getParametersChecksum(),
                    key + ": the model of the uninterrupted run");
        }

        // Every iteration of every model once on the metrics topic, across both parts of the run.
        Map<String, List<Long>> steps = iterations(kafka, first.runId());
        Map<String, List<Long>> refSteps = iterations(kafka, reference.runId());
        assertEquals(refSteps.keySet(), steps.keySet());
        for (String key : refSteps.keySet()) {
            assertEquals(refSteps.get(key), steps.get(key), key);
            for (int i = 0; i < steps.get(key).size(); i++) {
                assertEquals(i + 1, steps.get(key).get(i), key);
            }
        }

        // The counters moved with the savepoint: the resumed job's totals are the whole run's.
        Map<String, Object> acc = end.getAllAccumulatorResults();
        Map<String, Object> refAcc = ref.getAllAccumulatorResults();
        assertEquals(EVENTS, Accumulators.Counter.EVENTS_CONSUMED.in(acc));
        for (Accumulators.Counter c :
                List.of(
                        Accumulators.Counter.EVENTS_CONSUMED,
                        Accumulators.Counter.EVENTS_TRAINED,
                        Accumulators.Counter.EXAMPLES_TRAINED,
                        Accumulators.Counter.ITERATIONS,
                        Accumulators.Counter.SNAPSHOTS,
                        Accumulators.Counter.DEAD_LETTERED)) {
            assertEquals(c.in(refAcc), c.in(acc), c.accumulatorName());
        }
    }

    /** A finished job's result, or the savepoint a stopped one left. */
    private record Run(JobExecutionResult result, Path savepoint) {}

    private static Run run(JobConfig c, Path dir, Path restoreFrom, boolean stopWithSavepoint)
            throws Exception {
        try (TopicAdmin admin = new TopicAdmin(c.kafka())) {
            admin.ensureTopic(Topic.METRICS, c.topics().metrics(), 1);
            admin.ensureTopic(Topic.SNAPSHOTS, c.topics().snapshots(), 1);
            admin.ensureTopic(Topic.DEAD_LETTER, c.topics().deadLetter(), 1);
        }
        Map<String, String> settings = TrainingJob.settings(c);
        Path checkpoints = Files.createDirectories(dir.resolve("checkpoints"));
        settings.put("execution.checkpointing.storage", "filesystem");
        settings.put("execution.checkpointing.dir", checkpoints.toUri().toString());
        if (restoreFrom != null) {
            settings.put("execution.state-recovery.path", restoreFrom.toUri().toString());
        }
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironment(Configuration.fromMap(settings));
        env.setParallelism(c.parallelism());
        TrainingJob.build(env, c);
        JobClient job = env.executeAsync("rescale " + c.runId());
        if (!stopWithSavepoint) {
            return new Run(job.getJobExecutionResult().get(), null);
        }
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (!hasCompletedCheckpoint(checkpoints)) {
            assertFalse(job.getJobExecutionResult().isDone(), "finished before a checkpoint");
            assertTrue(System.nanoTime() < deadline, "no checkpoint within 2 minutes");
            Thread.sleep(20);
        }
        String savepoint =
                job.stopWithSavepoint(
                                false,
                                dir.resolve("savepoints").toUri().toString(),
                                SavepointFormatType.CANONICAL)
                        .get();
        return new Run(null, Path.of(java.net.URI.create(savepoint)));
    }

    private static boolean hasCompletedCheckpoint(Path checkpoints) throws Exception {
        try (Stream<Path> files = Files.walk(checkpoints)) {
            return files.anyMatch(p -> p.getFileName().toString().equals("_metadata"));
        }
    }

    private static JobConfig config(KafkaClientConfig kafka, String group, int parallelism) {
        Batching batching =
                Batching.defaults().withBatchSize(32).withWindow(new WindowSpec.EventTime(5_000));
        TrainingConfig training =
                new TrainingConfig(
                        ModelSpec.parse("mlp:8", FEATURES, 2, Activation.RELU),
                        new OptimizerSpec("adam", 0.01),
                        batching,
                        3,
                        40,
                        0.05);
        return new JobConfig(
                kafka,
                new JobConfig.Topics(
                        "rescale.events", "rescale.metrics", "rescale.snapshots", "rescale.dead"),
                group,
                java.util.UUID.randomUUID().toString(),
                true,
                true,
                parallelism,
                200,
                training);
    }

    /** Six models interleaved in time order over four partitions, each with its own teacher. */
    private static void produce(KafkaClientConfig kafka) throws Exception {
        try (TopicAdmin admin = new TopicAdmin(kafka)) {
            admin.ensureTopic(Topic.EVENTS, "rescale.events", 4);
        }
        Random random = new Random(3);
        double[][] teachers = new double[MODELS][FEATURES];
        for (double[] t : teachers) {
            for (int j = 0; j < FEATURES; j++) {
                t[j] = random.nextGaussian();
            }
        }
        AvroSerde<LabeledEvent> serde = AvroSerde.of(LabeledEvent.class);
        try (RecordWriter writer = RecordWriter.to(kafka.bootstrapServers(), "rescale")) {
            for (int i = 0; i < EVENTS; i++) {
                int m = i % MODELS;
                List<Float> f = new ArrayList<>(FEATURES);
                double logit = 0;
                for (int j = 0; j < FEATURES; j++) {
                    float x = (float) random.nextGaussian();
                    f.add(x);
                    logit += teachers[m][j] * x;
                }
                long time = T0 + 5L * i;
                LabeledEvent e =
                        LabeledEvent.newBuilder()
                                .setModel("m" + m)
                                .setEventId("e" + i)
                                .setEventTime(time)
                                .setFeatures(f)
                                .setLabel(logit + random.nextGaussian() > 0 ? 1 : 0)
                                .build();
                writer.send(
                        new ProducerRecord<>(
                                "rescale.events",
                                i % 4,
                                time,
                                ("m" + m).getBytes(StandardCharsets.UTF_8),
                                serde.serialize(e)));
            }
        }
    }

    private static Map<String, ModelSnapshot> lastSnapshots(KafkaClientConfig kafka, String runId) {
        Map<String, ModelSnapshot> last = new HashMap<>();
        for (ModelSnapshot s :
                TopicReader.readAll(
                        kafka,
                        "rescale.snapshots",
                        ModelSnapshot.class,
                        s -> runId.equals(s.getRunId()))) {
            last.merge(
                    s.getModel().toString(), s, (a, b) -> a.getVersion() >= b.getVersion() ? a : b);
        }
        return last;
    }

    private static Map<String, List<Long>> iterations(KafkaClientConfig kafka, String runId) {
        return TopicReader.readAll(
                        kafka,
                        "rescale.metrics",
                        TrainingMetric.class,
                        m -> runId.equals(m.getRunId()) && m.getKind() == MetricKind.ITERATION)
                .stream()
                .collect(
                        Collectors.groupingBy(
                                m -> m.getModel().toString(),
                                TreeMap::new,
                                Collectors.mapping(
                                        TrainingMetric::getIteration,
                                        Collectors.collectingAndThen(
                                                Collectors.toList(),
                                                l -> l.stream().sorted().toList()))));
    }
}
