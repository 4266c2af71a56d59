package io.streamgrad.run;

import io.streamgrad.config.InvalidSettingException;
import io.streamgrad.config.RunIds;
import io.streamgrad.job.JobConfig;
import io.streamgrad.kafka.EmbeddedKafkaBroker;
import io.streamgrad.kafka.KafkaClientConfig;
import io.streamgrad.kafka.RecordWriter;
import io.streamgrad.kafka.Topic;
import io.streamgrad.kafka.TopicAdmin;
import io.streamgrad.model.Activation;
import io.streamgrad.model.ModelSpec;
import io.streamgrad.producers.EventProducer;
import io.streamgrad.producers.SyntheticConfig;
import io.streamgrad.producers.SyntheticEvents;
import io.streamgrad.producers.data.CsvOptions;
import io.streamgrad.producers.data.LabelKind;
import io.streamgrad.run.flags.DemoOptions;
import io.streamgrad.run.flags.ModelOptions;
import io.streamgrad.schema.AvroSerde;
import io.streamgrad.schema.DeadLetter;
import io.streamgrad.schema.LabeledEvent;
import io.streamgrad.schema.ModelSnapshot;
import io.streamgrad.schema.Task;
import io.streamgrad.schema.TrainingMetric;
import io.streamgrad.train.Batching;
import io.streamgrad.train.Snapshots;
import io.streamgrad.train.TrainingConfig;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * What {@code demo} does end to end: Kafka's own broker in this process, the events (synthetic or a
 * data set), the training job in a local MiniCluster, and an evaluation of the last snapshot on
 * held-out events. {@link #plan} checks everything before anything starts.
 */
public final class DemoRun {
    /** The model key of every demo event. */
    public static final String MODEL_KEY = "demo";

    private DemoRun() {}

    /**
     * A checked demo: what to train and on what.
     *
     * @param batchChoice what {@code --batch-size auto} chose and why (null when not auto)
     * @param data the events to stream and the held-out events
     */
    public record Plan(
            String batchChoice,
            String runId,
            TrainingConfig training,
            DemoData data,
            int partitions,
            double rate,
            int badEvents,
            int parallelism) {}

    /** What a demo did: its summary and the metrics it emitted (for charts). */
    public record Result(RunSummary summary, List<TrainingMetric> metrics) {}

    /**
     * Loads the data set, fits the model flags to it, and checks every setting, before anything
     * starts.
     *
     * @throws InvalidSettingException naming the setting to change
     */
    public static Plan plan(DemoOptions o) {
        // Checked whatever the data set, though only a csv without TEST uses it.
        if (!(o.holdoutFraction > 0 && o.holdoutFraction < 1)) {
            throw new InvalidSettingException(
                    "{holdout-fraction} is the share of rows held out, between 0 and 1, got "
                            + o.holdoutFraction);
        }
        DemoData data =
                o.dataset.equals("synthetic")
                        ? null
                        : DemoData.load(
                                o.dataset,
                                MODEL_KEY,
                                new CsvOptions(
                                        o.labelColumn,
                                        LabelKind.forTraining(o.model.task, o.model.model),
                                        o.skipMissingLabels),
                                o.holdoutFraction,
                                o.model.seed,
                                modelTask(o.model),
                                o.model.model);
        if (!o.dataset.equals("synthetic") && (o.drift.at >= 0 || o.drift.classWeights != null)) {
            throw new InvalidSettingException(
                    "{drift-at} and {class-weights} shape synthetic data; {dataset} "
                            + o.dataset
                            + " is a data set as it is");
        }
        if (data != null) {
            adaptModelTo(o.model, data);
        }
        AutoBatchSize.Choice auto = null;
        if (o.batching.auto()) {
            DemoData d =
                    data != null
                            ? data
                            : DemoData.synthetic(
                                    syntheticConfig(
                                            o,
                                            o.model.toTrainingConfig(Batching.defaults()).spec()),
                                    o.events,
                                    1);
            auto =
                    AutoBatchSize.resolve(
                            o.model, o.batching, d.trainEvents(), AutoBatchSize.sampleOf(d));
        }
        TrainingConfig training = o.model.toTrainingConfig(o.batching.toBatching());
        ModelSpec spec = training.spec();
        if (data == null) {
            if (o.holdoutEvents < 1) {
                throw new InvalidSettingException("{holdout-events} must be at least 1");
            }
            SyntheticConfig synthetic = syntheticConfig(o, spec);
            // before the held-out events are made: they are many and as wide
            Preflight.requireEventFits(
                    new SyntheticEvents(synthetic).event(Math.max(0, o.events - 1)), MODEL_KEY);
            data =
                    DemoData.synthetic(
                            synthetic, o.drift.spec(o.model.seed), o.events, o.holdoutEvents);
        }
        Preflight.requireFullBatchFits(training.batching(), data.trainEvents());
        Preflight.requireWindowHoldsABatch(
                training.batching(),
                1000.0 / SyntheticConfig.EVENT_SPACING_MS,
                "at the demo's " + SyntheticConfig.EVENT_SPACING_MS + " ms spacing");
        Preflight.requireStepFits(training);
        Preflight.requireSnapshotFits(training);
        if (o.parallelism < 1) {
            throw new InvalidSettingException("{parallelism} must be at least 1");
        }
        if (o.badEvents < 0) {
            throw new InvalidSettingException("{bad-events} must be >= 0");
        }
        return new Plan(
                auto == null ? null : auto.reason(),
                RunIds.next(),
                training,
                data,
                o.partitions,
                o.rate,
                o.badEvents,
                o.parallelism);
    }

    /**
     * Runs a plan: broker, events, job, holdout evaluation.
     *
     * @param status receives one line per stage ("starting Kafka ...")
     */
    public static Result run(
            Plan p, int webUiPort, JobRunner.Observer observer, Consumer<String> status)
            throws Exception {
        long start = System.nanoTime();
        status.accept("starting Kafka (KRaft, in-process)...");
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
            String bootstrap = broker.bootstrapServers();
            JobConfig.Topics topics = JobConfig.Topics.DEFAULT;
            try (TopicAdmin admin = new TopicAdmin(bootstrap)) {
                admin.ensureTopic(Topic.EVENTS, topics.events(), p.partitions());
            }
            status.accept(
                    String.format(
                            "Kafka at %s; producing %,d events...",
                            bootstrap, p.data().trainEvents()));
            new EventProducer(bootstrap, topics.events(), p.partitions(), p.rate())
                    .run(0, p.data().trainEvents(), p.data().trainEvent(), n -> {});
            if (p.badEvents() > 0) {
                writeBadEvents(
                        bootstrap, topics.events(), p.training().spec().inputSize(), p.badEvents());
                status.accept(
                        String.format(
                                "wrote %d malformed records (they go to the dead-letter topic)",
                                p.badEvents()));
            }
            // Always bounded, so the epoch and full-batch settings checked by JobConfig are valid.
            JobConfig job =
                    new JobConfig(
                            KafkaClientConfig.plain(bootstrap),
                            topics,
                            "streamgrad-demo",
                            p.runId(),
                            true,
                            true,
                            p.parallelism(),
                            2_000,
                            p.training());
            status.accept("training (Flink MiniCluster)...");
            JobRunner.Outcome outcome = JobRunner.runLocally(job, webUiPort, observer);

            ModelSnapshot last =
                    outcome.snapshots().stream()
                            .max(Comparator.comparingLong(ModelSnapshot::getVersion))
                            .orElse(null);
            if (last == null) {
                // Every event dead-lettered (the demo's topics are its own: all letters are ours).
                throw new InvalidSettingException(
                        DeadLetterReport.explain(
                                TopicReader.readAllWritten(
                                        KafkaClientConfig.plain(bootstrap),
                                        topics.deadLetter(),
                                        outcome.outputStart().deadLetters(),
                                        DeadLetter.class,
                                        d -> true,
                                        TopicReader::sayOnStandardError)));
            }
            Holdout holdout = Holdout.evaluate(Snapshots.rebuild(last), p.data().holdout());
            if (holdout.unscored() > 0) {
                status.accept(
                        String.format(
                                "%,d held-out events could not be scored, e.g. %s",
                                holdout.unscored(), holdout.firstUnscored()));
            }
            RunSummary summary =
                    RunSummary.of(
                            p.runId(),
                            p.training(),
                            outcome.accumulators(),
                            outcome.metrics(),
                            outcome.snapshots(),
                            holdout.loss(),
                            holdout.accuracy(),
                            holdout.scored(),
                            holdout.unscored(),
                            (System.nanoTime() - start) / 1e9,
                            outcome.wallSeconds());
            return new Result(summary, outcome.metrics());
        }
    }

    /**
     * A data set decides the input size and, for classification, the classes (whether its labels
     * fit the model's task was checked when it was loaded).
     */
    static void adaptModelTo(ModelOptions m, DemoData data) {
        m.features = data.features();
        if (!data.classNames().isEmpty()) {
            m.classes = data.classNames().size();
            m.classNames = data.classNames();
        }
    }

    /** The model's task: {task}, else the model's own (linear regression, logistic binary...). */
    static Task modelTask(ModelOptions m) {
        try {
            return ModelSpec.parse(
                            m.model,
                            m.task == null ? null : Task.fromWireName(m.task),
                            1,
                            2,
                            Activation.RELU,
                            null,
                            0)
                    .task();
        } catch (InvalidSettingException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException(e.getMessage());
        }
    }

    private static SyntheticConfig syntheticConfig(DemoOptions o, ModelSpec spec) {
        try {
            return new SyntheticConfig(
                    JobConfig.Topics.DEFAULT.events(),
                    MODEL_KEY,
                    spec.task(),
                    spec.inputSize(),
                    Math.max(2, spec.classes()),
                    o.noise,
                    o.events,
                    o.rate,
                    o.partitions,
                    o.model.seed,
                    0,
                    false);
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException(e.getMessage());
        }
    }

    /** Alternately bytes that are not Avro and events with one feature too many. */
    private static void writeBadEvents(String bootstrap, String topic, int features, int count) {
        AvroSerde<LabeledEvent> serde = AvroSerde.of(LabeledEvent.class);
        byte[] key = MODEL_KEY.getBytes(StandardCharsets.UTF_8);
        try (RecordWriter writer = RecordWriter.to(bootstrap, "streamgrad-demo")) {
            for (int i = 0; i < count; i++) {
                byte[] value;
                if (i % 2 == 0) {
                    value = ("not an event #" + i).getBytes(StandardCharsets.UTF_8);
                } else {
                    List<Float> tooMany = new ArrayList<>();
                    for (int j = 0; j <= features; j++) {
                        tooMany.add(0f);
                    }
                    value =
                            serde.serialize(
                                    LabeledEvent.newBuilder()
                                            .setModel(MODEL_KEY)
                                            .setEventId("bad-" + i)
                                            .setEventTime(SyntheticConfig.EPOCH_MS)
                                            .setFeatures(tooMany)
                                            .setLabel(0)
                                            .build());
                }
                writer.send(new ProducerRecord<>(topic, key, value));
            }
        }
    }
}
