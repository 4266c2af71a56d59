package io.streamgrad.cli;

import io.streamgrad.job.JobConfig;
import io.streamgrad.kafka.EmbeddedKafkaBroker;
import io.streamgrad.kafka.RecordWriter;
import io.streamgrad.kafka.TopicAdmin;
import io.streamgrad.model.ModelSpec;
import io.streamgrad.plot.LossChart;
import io.streamgrad.producers.EventProducer;
import io.streamgrad.producers.SyntheticConfig;
import io.streamgrad.schema.AvroSerde;
import io.streamgrad.schema.LabeledEvent;
import io.streamgrad.schema.ModelSnapshot;
import io.streamgrad.train.Snapshots;
import io.streamgrad.train.TrainingConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.producer.ProducerRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = {
            "Everything in one process, nothing to set up: Kafka's own KRaft broker, events"
                    + " (synthetic from a teacher model, or a data set: --dataset), training in a"
                    + " local Flink MiniCluster, and an evaluation of the last snapshot on held-out"
                    + " events the model never saw."
        })
public final class DemoCommand implements Callable<Integer> {
    static final String MODEL_KEY = "demo";

    @Mixin ModelOptions model = new ModelOptions();
    @Mixin BatchingOptions batching = new BatchingOptions();
    @Mixin JobFileOption jobFile = new JobFileOption();

    @Option(
            names = "--dataset",
            defaultValue = "synthetic",
            description =
                    "synthetic | idx:DIR (MNIST format: trains on the train split, evaluates on"
                            + " the test split) | csv:TRAIN[,TEST] (default: ${DEFAULT-VALUE})")
    String dataset;

    @Option(
            names = "--label-column",
            description = "csv: the label column, header name or 0-based index (default: last)")
    String labelColumn;

    @Option(
            names = "--holdout-fraction",
            defaultValue = "0.2",
            description =
                    "csv without TEST: the share of rows held out, drawn with --seed (default:"
                            + " ${DEFAULT-VALUE})")
    double holdoutFraction;

    @Option(
            names = "--events",
            defaultValue = "100000",
            description = "Synthetic data: training events (default: ${DEFAULT-VALUE})")
    long events;

    @Option(
            names = "--holdout-events",
            defaultValue = "10000",
            description =
                    "Synthetic data: held-out events for the final evaluation (default:"
                            + " ${DEFAULT-VALUE})")
    int holdoutEvents;

    @Option(
            names = "--partitions",
            defaultValue = "4",
            description = "Partitions of the events topic (default: ${DEFAULT-VALUE})")
    int partitions;

    @Option(
            names = "--noise",
            defaultValue = "0.5",
            description = "Teacher noise (default: ${DEFAULT-VALUE})")
    double noise;

    @Option(
            names = "--rate",
            defaultValue = "0",
            description =
                    "Producer rate limit, events/s; 0 = unlimited (default: ${DEFAULT-VALUE})")
    double rate;

    @Option(
            names = "--bad-events",
            defaultValue = "0",
            description =
                    "Also write this many malformed records, to see them dead-lettered (default:"
                            + " ${DEFAULT-VALUE})")
    int badEvents;

    @Option(
            names = "--parallelism",
            defaultValue = "1",
            description = "Flink parallelism (default: ${DEFAULT-VALUE})")
    int parallelism;

    @Option(
            names = "--web-ui-port",
            defaultValue = "0",
            description =
                    "Port of the Flink web UI; 0 picks a free one (default: ${DEFAULT-VALUE})")
    int webUiPort;

    @Option(names = "--summary-json", description = "Write the run summary to this file")
    Path summaryJson;

    @Option(
            names = "--plot",
            paramLabel = "FILE",
            description = "Draw the loss curves to FILE.png and FILE.svg")
    Path plot;

    @Override
    public Integer call() throws Exception {
        DemoData data =
                dataset.equals("synthetic")
                        ? null
                        : DemoData.load(
                                dataset,
                                MODEL_KEY,
                                labelColumn,
                                holdoutFraction,
                                model.seed,
                                "regression".equals(model.task));
        if (data != null) {
            adaptModelTo(data);
        }
        TrainingConfig training = model.toTrainingConfig(batching.toBatching());
        ModelSpec spec = training.model();
        if (data == null) {
            if (holdoutEvents < 1) {
                throw new UsageException("--holdout-events must be at least 1");
            }
            data = DemoData.synthetic(syntheticConfig(spec), events, holdoutEvents);
        }
        long trainEvents = data.trainEvents();
        Preflight.requireFullBatchFits(training.batching(), trainEvents);
        Preflight.requireWindowHoldsABatch(
                training.batching(),
                1000.0 / SyntheticConfig.EVENT_SPACING_MS,
                "at the demo's " + SyntheticConfig.EVENT_SPACING_MS + " ms spacing");
        Preflight.requireStepFits(training);
        Preflight.requireSnapshotFits(training);
        if (parallelism < 1) {
            throw new UsageException("--parallelism must be at least 1");
        }
        if (badEvents < 0) {
            throw new UsageException("--bad-events must be >= 0");
        }
        String runId = UUID.randomUUID().toString();
        System.out.printf(
                "streamgrad demo: %s on %s, %d features%s, %,d events, batch %s, window %s, %d"
                        + " epoch(s), %s lr %s, seed %d%n",
                spec.shorthand(),
                data.name(),
                spec.inputSize(),
                spec.classes() > 0 ? ", " + spec.classes() + " classes" : "",
                trainEvents,
                training.batching().describeBatchSize(),
                training.batching().window().describe(),
                training.batching().epochs(),
                training.optimizer().name(),
                training.optimizer().learningRate(),
                training.seed());
        long start = System.nanoTime();
        System.out.println("  starting Kafka (KRaft, in-process)...");
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
            String bootstrap = broker.bootstrapServers();
            JobConfig.Topics topics = JobConfig.Topics.DEFAULT;
            try (TopicAdmin admin = new TopicAdmin(bootstrap)) {
                admin.ensureTopic(topics.events(), partitions, TopicAdmin.Retention.UNLIMITED);
            }
            System.out.printf("  Kafka at %s; producing %,d events...%n", bootstrap, trainEvents);
            new EventProducer(bootstrap, topics.events(), partitions, rate)
                    .run(0, trainEvents, data.trainEvent(), n -> {});
            if (badEvents > 0) {
                writeBadEvents(bootstrap, topics.events(), spec.inputSize());
            }
            // Always bounded, so the epoch and full-batch settings checked by JobConfig are valid.
            JobConfig job =
                    new JobConfig(
                            bootstrap,
                            topics,
                            "streamgrad-demo",
                            runId,
                            true,
                            true,
                            parallelism,
                            2_000,
                            training);
            System.out.println("  training (Flink MiniCluster)...");
            JobRunner.Outcome outcome = JobRunner.runLocally(job, webUiPort, System.out);

            ModelSnapshot last =
                    outcome.snapshots().stream()
                            .max(Comparator.comparingLong(ModelSnapshot::getVersion))
                            .orElseThrow(
                                    () -> new IllegalStateException("the job emitted no snapshot"));
            Holdout holdout = Holdout.evaluate(Snapshots.rebuild(last), data.holdout());
            RunSummary summary =
                    RunSummary.of(
                            runId,
                            training,
                            outcome.accumulators(),
                            outcome.metrics(),
                            outcome.snapshots(),
                            holdout.loss(),
                            holdout.accuracy(),
                            data.holdout().size(),
                            (System.nanoTime() - start) / 1e9,
                            outcome.wallSeconds());
            summary.print(System.out);
            if (summaryJson != null) {
                summary.writeJson(summaryJson);
                System.out.println("  summary written to " + summaryJson);
            }
            if (plot != null) {
                LossChart.Files2 files =
                        LossChart.write(
                                "streamgrad demo: "
                                        + spec.shorthand()
                                        + ", batch "
                                        + training.batching().describeBatchSize(),
                                outcome.metrics(),
                                plot);
                System.out.println("  loss curves drawn to " + files.png() + " and " + files.svg());
            }
        }
        return 0;
    }

    /**
     * A data set decides the input size and, for classification, the classes; a model whose task
     * cannot fit the labels is refused.
     */
    private void adaptModelTo(DemoData data) {
        model.features = data.features();
        if (data.classNames().isEmpty()) {
            if (model.task == null && !model.model.equals("linear")) {
                throw new UsageException(
                        data.name()
                                + " has a numeric target: use --model linear or --task regression"
                                + " with --model mlp:H");
            }
            return;
        }
        int k = data.classNames().size();
        model.classes = k;
        model.classNames = data.classNames();
        if (model.model.equals("logistic") && k > 2) {
            throw new UsageException(
                    data.name()
                            + " has "
                            + k
                            + " classes; --model logistic is binary: use --model softmax or"
                            + " mlp:H");
        }
    }

    private SyntheticConfig syntheticConfig(ModelSpec spec) {
        try {
            return new SyntheticConfig(
                    JobConfig.Topics.DEFAULT.events(),
                    MODEL_KEY,
                    spec.task(),
                    spec.inputSize(),
                    Math.max(2, spec.classes()),
                    noise,
                    events,
                    rate,
                    partitions,
                    model.seed,
                    0,
                    false);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    /** Alternately bytes that are not Avro and events with one feature too many. */
    private void writeBadEvents(String bootstrap, String topic, int features) {
        AvroSerde<LabeledEvent> serde = AvroSerde.of(LabeledEvent.class);
        byte[] key = MODEL_KEY.getBytes(StandardCharsets.UTF_8);
        try (RecordWriter writer = RecordWriter.to(bootstrap, "streamgrad-demo")) {
            for (int i = 0; i < badEvents; i++) {
                byte[] value;
                if (i % 2 == 0) {
                    value = ("not an event #" + i).getBytes(StandardCharsets.UTF_8);
                } else {
                    List<Float> tooMany = new java.util.ArrayList<>();
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
        System.out.printf(
                "  wrote %d malformed records (they go to the dead-letter topic)%n", badEvents);
    }
}
