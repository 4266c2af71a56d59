package io.streamgrad.run;

import io.streamgrad.advise.BatchSizeAdvisor;
import io.streamgrad.batch.BatchSize;
import io.streamgrad.batch.TrainingExample;
import io.streamgrad.config.InvalidSettingException;
import io.streamgrad.kafka.KafkaClientConfig;
import io.streamgrad.kafka.Topic;
import io.streamgrad.kafka.TopicAdmin;
import io.streamgrad.model.BackendMemory;
import io.streamgrad.model.ModelSpec;
import io.streamgrad.producers.SyntheticConfig;
import io.streamgrad.producers.SyntheticEvents;
import io.streamgrad.producers.data.CsvOptions;
import io.streamgrad.producers.data.LabelKind;
import io.streamgrad.run.flags.AdviseOptions;
import io.streamgrad.run.flags.KafkaOptions;
import io.streamgrad.schema.LabeledEvent;
import io.streamgrad.train.Batching;
import io.streamgrad.train.EventValidator;
import io.streamgrad.train.InvalidEventException;
import io.streamgrad.train.TrainingConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * What {@code advise} does: takes a sample of the data (synthetic, a data set, or a topic), then
 * lets {@link BatchSizeAdvisor} measure the configured model on it, in this process, with no Flink
 * job: the measurement is of the maths the job runs per batch.
 */
public final class AdviseRun {
    /** The model key of the sampled events (it only labels them). */
    private static final String MODEL_KEY = "advise";

    private AdviseRun() {}

    /**
     * A checked advise run.
     *
     * @param dataName how the summary names the data
     * @param sample the examples, validated against the model
     */
    public record Plan(
            TrainingConfig training,
            String dataName,
            List<TrainingExample> sample,
            BatchSizeAdvisor.Settings settings) {}

    /** What the run measured, and its summary. */
    public record Result(BatchSizeAdvisor.Report report, AdviseSummary summary) {}

    /**
     * Reads the sample and checks every setting, before anything is measured.
     *
     * @throws InvalidSettingException naming the setting to change
     */
    public static Plan plan(AdviseOptions o) {
        BatchSizeAdvisor.Settings settings =
                new BatchSizeAdvisor.Settings(
                        o.minBatchSize,
                        o.maxBatchSize,
                        o.noisePairs,
                        BatchSizeAdvisor.Settings.defaults().warmup(),
                        o.timingRepeats,
                        o.pilotIterations,
                        BatchSizeAdvisor.Settings.defaults().pilotProgress(),
                        o.model.seed);
        if (o.sampleEvents < settings.sampleNeeded()) {
            throw new InvalidSettingException(
                    "{sample-events} "
                            + o.sampleEvents
                            + " is too few: batches of up to {max-batch-size} "
                            + o.maxBatchSize
                            + " need a sample of at least "
                            + settings.sampleNeeded()
                            + " events (two of the largest batch)");
        }
        int reference = BatchSize.parse(o.batchSize);
        if (reference == 0) {
            throw new InvalidSettingException(
                    "{batch-size} is the power of two the learning rate was chosen for; 'full' has"
                            + " no size here");
        }
        Batching batching = Batching.defaults().withBatchSize(reference);
        List<LabeledEvent> events;
        String name;
        requireOneSource(o);
        String dataset = o.dataset == null ? "synthetic" : o.dataset;
        if (o.bootstrapServers != null) {
            String topic = o.eventsTopic == null ? Topic.Names.EVENTS : o.eventsTopic;
            KafkaClientConfig kafka =
                    KafkaOptions.load(
                            o.bootstrapServers,
                            o.commandConfig,
                            o.kafkaTimeoutMs == null
                                    ? KafkaClientConfig.DEFAULT_TIMEOUT_MS
                                    : o.kafkaTimeoutMs);
            // As every command that reads Kafka: unreachable in seconds, a missing topic by name.
            try (TopicAdmin admin = new TopicAdmin(kafka)) {
                admin.requireReachable();
                if (!admin.topicExists(topic)) {
                    throw new InvalidSettingException(
                            "{events-topic} "
                                    + topic
                                    + " does not exist on "
                                    + o.bootstrapServers
                                    + ": name the topic of the events to sample, or produce to it"
                                    + " first (./streamgrad produce ...)");
                }
            }
            events = TopicEvents.first(kafka, topic, o.sampleEvents);
            name = "topic " + topic + " (first " + events.size() + " events)";
            if (!events.isEmpty()) {
                o.model.features = events.get(0).getFeatures().size();
            }
        } else if (dataset.equals("synthetic")) {
            TrainingConfig probe = o.model.toTrainingConfig(batching);
            ModelSpec spec = probe.spec();
            SyntheticConfig c;
            try {
                c =
                        new SyntheticConfig(
                                "advise",
                                MODEL_KEY,
                                spec.task(),
                                spec.inputSize(),
                                Math.max(2, spec.classes()),
                                o.noise,
                                o.sampleEvents,
                                0,
                                1,
                                o.model.seed,
                                0,
                                false);
            } catch (IllegalArgumentException e) {
                throw new InvalidSettingException(e.getMessage());
            }
            events = new SyntheticEvents(c).all();
            name = "synthetic " + spec.task().wireName() + " teacher, noise " + o.noise;
        } else {
            DemoData data =
                    DemoData.load(
                            dataset,
                            MODEL_KEY,
                            new CsvOptions(
                                    o.labelColumn,
                                    LabelKind.forTraining(o.model.task, o.model.model),
                                    false),
                            0.2,
                            o.model.seed,
                            DemoRun.modelTask(o.model),
                            o.model.model);
            DemoRun.adaptModelTo(o.model, data);
            events = draw(data, o.sampleEvents, o.model.seed);
            name = data.name() + " (" + events.size() + " of " + data.trainEvents() + " rows)";
        }
        TrainingConfig training = o.model.toTrainingConfig(batching);
        List<TrainingExample> sample = new ArrayList<>(events.size());
        String firstProblem = null;
        for (LabeledEvent e : events) {
            try {
                sample.add(EventValidator.validate(e, training.spec()));
            } catch (InvalidEventException bad) {
                if (firstProblem == null) {
                    firstProblem = bad.getMessage();
                }
            }
        }
        if (sample.size() < settings.sampleNeeded() && firstProblem != null) {
            throw new InvalidSettingException(
                    "{model} "
                            + training.spec().shorthand()
                            + " does not fit the events: "
                            + (events.size() - sample.size())
                            + " of "
                            + events.size()
                            + " are invalid for it, e.g. "
                            + firstProblem);
        }
        return new Plan(training, name, sample, settings);
    }

    /** Measures and advises (the sample size is checked by the advisor). */
    public static Result run(Plan p, Consumer<String> progress) {
        BackendMemory memory = BackendMemory.current();
        BatchSizeAdvisor.Report r =
                BatchSizeAdvisor.advise(p.training(), p.sample(), p.settings(), memory, progress);
        return new Result(r, AdviseSummary.of(p.training(), p.dataName(), memory.backend(), r));
    }

    /** Up to n training rows drawn without replacement with the seed (partial Fisher–Yates). */
    private static List<LabeledEvent> draw(DemoData data, int n, long seed) {
        long total = data.trainEvents();
        if (total <= n) {
            List<LabeledEvent> all = new ArrayList<>((int) total);
            for (long i = 0; i < total; i++) {
                all.add(data.trainEvent().apply(i));
            }
            return all;
        }
        int size = (int) total;
        int[] order = new int[size];
        for (int i = 0; i < size; i++) {
            order[i] = i;
        }
        SplittableRandom rng = new SplittableRandom(seed);
        List<LabeledEvent> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int j = i + rng.nextInt(size - i);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
            out.add(data.trainEvent().apply(order[i]));
        }
        return out;
    }

    /**
     * The sample comes from a data set or a topic, never both: a flag for the other source would be
     * ignored, so it is refused instead.
     *
     * @throws InvalidSettingException naming the flags that do not go together
     */
    static void requireOneSource(AdviseOptions o) {
        if (o.bootstrapServers != null) {
            if (o.dataset != null) {
                throw new InvalidSettingException(
                        "{dataset} "
                                + o.dataset
                                + " and {bootstrap-servers} "
                                + o.bootstrapServers
                                + " are two samples: give one, the data set or the topic");
            }
            return;
        }
        List<String> topicOnly = new ArrayList<>();
        if (o.eventsTopic != null) {
            topicOnly.add("{events-topic}");
        }
        if (o.commandConfig != null) {
            topicOnly.add("{command-config}");
        }
        if (o.kafkaTimeoutMs != null) {
            topicOnly.add("{kafka-timeout-ms}");
        }
        if (!topicOnly.isEmpty()) {
            throw new InvalidSettingException(
                    String.join(", ", topicOnly)
                            + (topicOnly.size() == 1 ? " is" : " are")
                            + " for reading the sample from a topic: give {bootstrap-servers} too,"
                            + " or leave "
                            + (topicOnly.size() == 1 ? "it" : "them")
                            + " out");
        }
    }
}
