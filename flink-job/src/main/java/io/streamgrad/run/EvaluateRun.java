package io.streamgrad.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamgrad.config.InvalidSettingException;
import io.streamgrad.config.RunIds;
import io.streamgrad.evaluate.EvaluationAccumulator;
import io.streamgrad.evaluate.EvaluationMetrics;
import io.streamgrad.evaluate.Scorer;
import io.streamgrad.job.Accumulators;
import io.streamgrad.job.EvaluationConfig;
import io.streamgrad.job.EvaluationJob;
import io.streamgrad.job.PredictionsCsv;
import io.streamgrad.kafka.KafkaClientConfig;
import io.streamgrad.kafka.Topic;
import io.streamgrad.kafka.TopicAdmin;
import io.streamgrad.model.ModelSpec;
import io.streamgrad.schema.AvroDecodeException;
import io.streamgrad.schema.AvroSerde;
import io.streamgrad.schema.LabeledEvent;
import io.streamgrad.schema.ModelSnapshot;
import io.streamgrad.schema.Task;
import io.streamgrad.train.EventValidator;
import io.streamgrad.train.InvalidEventException;
import io.streamgrad.train.Snapshots;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * {@code evaluate} end to end: choose the snapshot, resolve the offset range, check a sample of the
 * range against the snapshot, run the bounded evaluation job in a local MiniCluster, and gather the
 * metrics, the predictions file and the summary.
 */
public final class EvaluateRun {
    /** Events read from the start of the range to check it against the snapshot. */
    static final int SAMPLE = 512;

    private EvaluateRun() {}

    /**
     * What to evaluate.
     *
     * @param snapshot {@code latest}, a version, or {@code file:PATH}
     * @param modelKey the model key, or null for the only one
     * @param predictionsOut the CSV to write, or null
     */
    public record Request(
            KafkaClientConfig kafka,
            String eventsTopic,
            String snapshotsTopic,
            String deadLetterTopic,
            String snapshot,
            String modelKey,
            EvaluationRange.Request range,
            Path predictionsOut) {}

    /** A checked request, ready to run. */
    public record Plan(
            Request request,
            String runId,
            ModelSnapshot snapshot,
            EvaluationRange range,
            int parallelism) {}

    /** What an evaluation measured. */
    public record Result(
            Plan plan,
            EvaluationMetrics metrics,
            long eventsConsumed,
            long deadLettered,
            long otherModel,
            double wallSeconds) {}

    /** Told how far the scoring is (scored of about {@code total} records). */
    public interface Progress {
        void update(long scored, long total);

        default void started(String webUiUrl) {}

        default void ended() {}
    }

    /**
     * The snapshot {@code --snapshot} names (from {@code onTopic}, or its file), once its checksum
     * and its parameters' fit to its architecture are checked.
     *
     * @throws InvalidSettingException naming {@code {snapshot}} as given
     */
    private static ModelSnapshot chosen(Request r, List<ModelSnapshot> onTopic) {
        ModelSnapshot s =
                SnapshotChoice.choose(r.snapshot(), r.modelKey(), r.snapshotsTopic(), onTopic);
        try {
            new Scorer(s);
            return s;
        } catch (IllegalStateException | IllegalArgumentException e) {
            throw new InvalidSettingException("{snapshot} " + r.snapshot() + ": " + e.getMessage());
        }
    }

    /**
     * Checks everything before a job starts: the flags and a snapshot file first, without Kafka;
     * then Kafka reachable, a snapshot of the topic (exists, checksum), the range (inside the
     * topic), and a sample of the range against the snapshot's shape.
     *
     * @throws InvalidSettingException naming the flag and the values that would work
     */
    public static Plan plan(Request r) {
        boolean fromFile = r.snapshot().startsWith("file:");
        // A snapshot file is read before Kafka is asked anything: a bad one is refused offline.
        ModelSnapshot snapshot = fromFile ? chosen(r, List.of()) : null;
        try (TopicAdmin admin = new TopicAdmin(r.kafka())) {
            admin.requireReachable();
            if (!admin.topicExists(r.eventsTopic())) {
                throw new InvalidSettingException(
                        "{events-topic} "
                                + r.eventsTopic()
                                + " does not exist on "
                                + r.kafka().bootstrapServers()
                                + ": name the topic the model's events are on, or produce to it"
                                + " first (./streamgrad produce ...)");
            }
        }
        if (!fromFile) {
            TopicReader.sayIfHeldBack(r.kafka(), r.snapshotsTopic());
            List<ModelSnapshot> onTopic =
                    TopicReader.readAll(
                            r.kafka(), r.snapshotsTopic(), ModelSnapshot.class, s -> true);
            snapshot = chosen(r, onTopic);
        }
        EvaluationRange range;
        try (KafkaConsumer<byte[], byte[]> consumer = TopicReader.consumer(r.kafka())) {
            range =
                    EvaluationRange.resolve(
                            r.eventsTopic(),
                            r.range(),
                            offsets(consumer, r.eventsTopic(), r.kafka().timeoutMs()));
            checkSample(r.eventsTopic(), snapshot, sample(consumer, range));
        }
        int parallelism =
                Math.max(
                        1,
                        Math.min(
                                range.offsets().size(),
                                Runtime.getRuntime().availableProcessors()));
        return new Plan(r, RunIds.next(), snapshot, range, parallelism);
    }

    /** What the consumer can tell about a topic's partitions (evaluate, backtest, warm start). */
    static EvaluationRange.Offsets offsets(
            KafkaConsumer<?, ?> consumer, String topic, long kafkaTimeoutMs) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (PartitionInfo p : consumer.partitionsFor(topic, Duration.ofMillis(kafkaTimeoutMs))) {
            partitions.add(new TopicPartition(topic, p.partition()));
        }
        return new EvaluationRange.Offsets() {
            @Override
            public SortedMap<Integer, long[]> bounds() {
                Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions);
                Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
                SortedMap<Integer, long[]> b = new TreeMap<>();
                for (TopicPartition tp : partitions) {
                    b.put(tp.partition(), new long[] {begin.get(tp), end.get(tp)});
                }
                return b;
            }

            @Override
            public Map<Integer, Long> offsetsAt(long epochMillis) {
                Map<TopicPartition, Long> query = new HashMap<>();
                partitions.forEach(tp -> query.put(tp, epochMillis));
                Map<Integer, Long> out = new HashMap<>();
                for (Map.Entry<TopicPartition, OffsetAndTimestamp> e :
                        consumer.offsetsForTimes(query).entrySet()) {
                    if (e.getValue() != null) {
                        out.put(e.getKey().partition(), e.getValue().offset());
                    }
                }
                return out;
            }
        };
    }

    /** Up to {@link #SAMPLE} decodable events from the start of the range's partitions. */
    private static List<LabeledEvent> sample(
            KafkaConsumer<byte[], byte[]> consumer, EvaluationRange range) {
        AvroSerde<LabeledEvent> serde = AvroSerde.of(LabeledEvent.class);
        List<TopicPartition> partitions = new ArrayList<>();
        for (Map.Entry<Integer, long[]> e : range.offsets().entrySet()) {
            TopicPartition tp = new TopicPartition(range.topic(), e.getKey());
            partitions.add(tp);
        }
        consumer.assign(partitions);
        for (TopicPartition tp : partitions) {
            consumer.seek(tp, range.offsets().get(tp.partition())[0]);
        }
        List<LabeledEvent> out = new ArrayList<>();
        long deadline = System.currentTimeMillis() + 3_000;
        while (out.size() < SAMPLE && System.currentTimeMillis() < deadline) {
            boolean more = false;
            for (TopicPartition tp : partitions) {
                more |= consumer.position(tp) < range.offsets().get(tp.partition())[1];
            }
            if (!more) {
                break;
            }
            for (ConsumerRecord<byte[], byte[]> rec : consumer.poll(Duration.ofMillis(200))) {
                if (rec.offset() >= range.offsets().get(rec.partition())[1]) {
                    continue;
                }
                try {
                    out.add(serde.deserialize(rec.value()));
                } catch (AvroDecodeException bad) {
                    // the job dead-letters it
                }
            }
        }
        return out;
    }

    /**
     * Refuses a snapshot that fits none of the sampled events of its key (wrong feature count or
     * labels outside its classes): a wrong topic or snapshot, not a few bad events.
     */
    static void checkSample(String topic, ModelSnapshot snapshot, List<LabeledEvent> sample) {
        ModelSpec spec = Snapshots.spec(snapshot);
        String first = null;
        int ofKey = 0;
        for (LabeledEvent e : sample) {
            if (!e.getModel().equals(snapshot.getModel())) {
                continue;
            }
            ofKey++;
            try {
                EventValidator.validate(e, spec);
                return;
            } catch (InvalidEventException bad) {
                if (first == null) {
                    first = bad.getMessage();
                }
            }
        }
        if (ofKey > 0) {
            throw new InvalidSettingException(
                    "snapshot "
                            + snapshot.getModel()
                            + " v"
                            + snapshot.getVersion()
                            + " ("
                            + describeShape(spec)
                            + ") fits none of the first "
                            + ofKey
                            + " events of its key in the range of "
                            + topic
                            + ", e.g. "
                            + first
                            + ": check {snapshot} and {events-topic}");
        }
    }

    static String describeShape(ModelSpec spec) {
        return spec.inputSize()
                + " features, "
                + (spec.task() == Task.REGRESSION
                        ? "regression"
                        : spec.task().wireName() + " with classes 0-" + (spec.classes() - 1));
    }

    /** Runs the evaluation job in a local MiniCluster. */
    public static Result run(Plan p, Progress progress) throws Exception {
        Request r = p.request();
        try (TopicAdmin admin = new TopicAdmin(r.kafka())) {
            admin.ensureTopic(Topic.DEAD_LETTER, r.deadLetterTopic(), 1);
        }
        Path parts = null;
        if (r.predictionsOut() != null) {
            Path parent = r.predictionsOut().toAbsolutePath().getParent();
            Files.createDirectories(parent);
            parts = Files.createTempDirectory(parent, ".streamgrad-predictions-");
        }
        try {
            return run(p, progress, parts);
        } finally {
            if (parts != null) {
                JobRunner.deleteRecursively(parts);
            }
        }
    }

    private static Result run(Plan p, Progress progress, Path parts) throws Exception {
        Request r = p.request();
        EvaluationRange range = p.range();
        EvaluationConfig c =
                new EvaluationConfig(
                        r.kafka(),
                        r.eventsTopic(),
                        r.deadLetterTopic(),
                        p.runId(),
                        AvroSerde.of(ModelSnapshot.class).serialize(p.snapshot()),
                        p.snapshot().getModel(),
                        range.from(),
                        range.to(),
                        p.parallelism(),
                        parts == null ? null : parts.toString());
        Map<String, String> settings = EvaluationJob.settings();
        int port = JobRunner.freePort();
        settings.put("rest.port", Integer.toString(port));
        settings.put("rest.bind-address", "localhost");
        settings.put("rest.address", "localhost");
        settings.put("slot.request.timeout", "20 s");
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironment(Configuration.fromMap(settings));
        env.setParallelism(p.parallelism());
        long start = System.nanoTime();
        EvaluationAccumulator merged = null;
        JobExecutionResult result;
        progress.started("http://localhost:" + port);
        try {
            CloseableIterator<Tuple2<Long, byte[]>> out =
                    EvaluationJob.build(env, c).collectAsync();
            JobClient job = env.executeAsync("streamgrad evaluate " + p.runId());
            long scored = 0;
            try (out) {
                while (out.hasNext()) {
                    Tuple2<Long, byte[]> t = out.next();
                    if (EvaluationJob.isResult(t)) {
                        merged = EvaluationAccumulator.fromBytes(t.f1);
                    } else {
                        scored += t.f0;
                        progress.update(scored, range.records());
                    }
                }
            }
            try {
                result = job.getJobExecutionResult().get();
            } catch (java.util.concurrent.ExecutionException e) {
                throw e.getCause() instanceof Exception cause ? cause : e;
            }
        } finally {
            progress.ended();
        }
        double wall = (System.nanoTime() - start) / 1e9;
        if (parts != null) {
            int classes = Snapshots.spec(p.snapshot()).classes();
            concatenate(
                    parts,
                    p.parallelism(),
                    PredictionsCsv.header(Snapshots.spec(p.snapshot()).task(), classes),
                    r.predictionsOut());
        }
        Map<String, Object> acc = result.getAllAccumulatorResults();
        EvaluationMetrics metrics =
                merged != null
                        ? merged.result()
                        : new Scorer(p.snapshot()).newAccumulator().result();
        return new Result(
                p,
                metrics,
                Accumulators.Counter.EVENTS_CONSUMED.in(acc),
                Accumulators.Counter.DEAD_LETTERED.in(acc),
                acc.get(EvaluationJob.OTHER_MODEL) instanceof Number n ? n.longValue() : 0,
                wall);
    }

    /** The header and each subtask's part, in subtask order. */
    private static void concatenate(Path parts, int subtasks, String header, Path target)
            throws IOException {
        try (OutputStream out = Files.newOutputStream(target)) {
            out.write((header + "\n").getBytes(StandardCharsets.UTF_8));
            for (int i = 0; i < subtasks; i++) {
                Path part = parts.resolve("part-" + i + ".csv");
                if (Files.exists(part)) {
                    Files.copy(part, out);
                }
            }
        }
    }

    /**
     * The {@code --summary-json} document: the metrics under the keys the issue names (null where
     * they do not apply), the snapshot's identity, and the exact offsets scored.
     */
    public static ObjectNode summary(Result res) {
        ObjectMapper json = new ObjectMapper();
        EvaluationMetrics m = res.metrics();
        ModelSnapshot s = res.plan().snapshot();
        ObjectNode o = json.createObjectNode();
        o.put("run_id", res.plan().runId());
        o.put("model", s.getModel());
        o.put("task", m.task().wireName());
        o.put("snapshot_version", s.getVersion());
        o.put("snapshot_run_id", s.getRunId());
        o.put("snapshot_checksum", s.getParametersChecksum());
        o.put("events", m.events());
        o.put("events_consumed", res.eventsConsumed());
        o.put("dead_lettered", res.deadLettered());
        o.put("other_model_events", res.otherModel());
        o.put("loss", m.loss());
        o.put("accuracy", m.accuracy());
        o.put("log_loss", m.logLoss());
        if (m.task() == Task.REGRESSION) {
            o.putNull("per_class");
            o.putNull("confusion_matrix");
        } else {
            List<String> names = s.getArchitecture().getClassNames();
            ArrayNode perClass = o.putArray("per_class");
            for (EvaluationMetrics.ClassMetrics c : m.perClass()) {
                ObjectNode n = perClass.addObject();
                n.put("class", c.label());
                if (c.label() < names.size()) {
                    n.put("name", names.get(c.label()));
                }
                n.put("precision", c.precision());
                n.put("recall", c.recall());
                n.put("f1", c.f1());
                n.put("support", c.support());
            }
            if (m.confusionMatrix() == null) {
                o.putNull("confusion_matrix");
            } else {
                ArrayNode rows = o.putArray("confusion_matrix");
                for (long[] row : m.confusionMatrix()) {
                    ArrayNode a = rows.addArray();
                    for (long v : row) {
                        a.add(v);
                    }
                }
            }
        }
        o.put("ece", m.ece());
        if (m.reliability().isEmpty()) {
            o.putNull("reliability");
        } else {
            ArrayNode bins = o.putArray("reliability");
            for (EvaluationMetrics.ReliabilityBin b : m.reliability()) {
                ObjectNode n = bins.addObject();
                n.put("lower", b.lower());
                n.put("upper", b.upper());
                n.put("count", b.count());
                n.put("confidence", b.confidence());
                n.put("accuracy", b.accuracy());
            }
        }
        o.put("roc_auc", m.rocAuc());
        o.put("pr_auc", m.prAuc());
        o.put("mse", m.mse());
        o.put("mae", m.mae());
        o.put("r2", m.r2());
        ObjectNode range = o.putObject("range");
        range.put("topic", res.plan().range().topic());
        ArrayNode partitions = range.putArray("partitions");
        for (Map.Entry<Integer, long[]> e : res.plan().range().offsets().entrySet()) {
            ObjectNode n = partitions.addObject();
            n.put("partition", e.getKey());
            n.put("from_offset", e.getValue()[0]);
            n.put("end_offset", e.getValue()[1]);
        }
        o.put("wall_seconds", res.wallSeconds());
        return o;
    }

    public static void writeSummary(Result res, Path file) {
        try {
            new ObjectMapper()
                    .enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValue(file.toFile(), summary(res));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the summary to " + file, e);
        }
    }
}
