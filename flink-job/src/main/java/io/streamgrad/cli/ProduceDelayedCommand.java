package io.streamgrad.cli;

import io.streamgrad.config.InvalidSettingException;
import io.streamgrad.kafka.TopicAdmin;
import io.streamgrad.producers.DelayDistribution;
import io.streamgrad.producers.DelayedLabelProducer;
import io.streamgrad.producers.DelayedLabels;
import io.streamgrad.producers.DriftSpec;
import io.streamgrad.producers.SyntheticConfig;
import io.streamgrad.producers.SyntheticEvents;
import io.streamgrad.run.flags.DriftOptions;
import io.streamgrad.run.flags.KafkaOptions;
import io.streamgrad.schema.Task;
import io.streamgrad.window.Durations;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "delayed",
        mixinStandardHelpOptions = true,
        description = {
            "The two sides of synthetic events whose labels come late: FeatureEvents now, and for a"
                    + " share of them LabelEvents after a random delay, interleaved in time order."
                    + " Join them with ./streamgrad join.",
            "Event i's features, label, event time, whether it gets a label and its delay are"
                    + " functions of (seed, i)."
        })
final class ProduceDelayedCommand implements Callable<Integer> {
    @Mixin KafkaOptions kafka = new KafkaOptions();
    @Mixin DriftOptions drift = new DriftOptions();

    @Mixin JoinTopicOptions join = new JoinTopicOptions();

    @Option(
            names = "--events",
            defaultValue = "10000",
            description = "How many events (default: ${DEFAULT-VALUE})")
    long events;

    @Option(
            names = "--label-rate",
            defaultValue = "0.5",
            description = "Share of events that get a label, in [0, 1] (default: ${DEFAULT-VALUE})")
    double labelRate;

    @Option(
            names = "--delay",
            defaultValue = "2s",
            description =
                    "Mean delay from an event to its label, e.g. 500ms, 2s, 1h (default:"
                            + " ${DEFAULT-VALUE}); events are 10 ms apart")
    String delay;

    @Option(
            names = "--delay-distribution",
            defaultValue = "exponential",
            description =
                    "fixed | uniform (on [0, 2 x delay]) | exponential (default: ${DEFAULT-VALUE})")
    String distribution;

    @Option(
            names = "--task",
            defaultValue = "binary",
            description = "regression | binary | multiclass (default: ${DEFAULT-VALUE})")
    String task;

    @Option(
            names = "--features",
            defaultValue = "20",
            description = "Features per event (default: ${DEFAULT-VALUE})")
    int features;

    @Option(names = "--classes", description = "Classes for multiclass (default: 3)")
    Integer classes;

    @Option(
            names = "--noise",
            defaultValue = "0.5",
            description = "Noise on the teacher's logits (default: ${DEFAULT-VALUE})")
    double noise;

    @Option(
            names = "--seed",
            defaultValue = "42",
            description = "Seed of teacher, events and delays (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(
            names = "--model-key",
            defaultValue = "default",
            description = "The events' model key (default: ${DEFAULT-VALUE})")
    String modelKey;

    @Option(
            names = "--partitions",
            defaultValue = "4",
            description = "Partitions of new topics (default: ${DEFAULT-VALUE})")
    int partitions;

    @Option(
            names = "--rate",
            defaultValue = "0",
            description =
                    "Feature events per second of wall clock, 0 for unlimited (default:"
                            + " ${DEFAULT-VALUE}); event times stay 10 ms apart")
    double rate;

    @Override
    public Integer call() {
        DelayedLabels plan;
        SyntheticConfig config;
        DriftSpec driftSpec = drift.spec(seed);
        try {
            Task t = Task.fromWireName(task);
            int k = classes != null ? classes : (t == Task.MULTICLASS ? 3 : 2);
            config =
                    new SyntheticConfig(
                            join.features,
                            modelKey,
                            t,
                            features,
                            k,
                            noise,
                            events,
                            rate,
                            partitions,
                            seed,
                            0,
                            false);
            plan =
                    new DelayedLabels(
                            config,
                            labelRate,
                            Durations.parseMillis("{delay}", delay),
                            DelayDistribution.fromWireName(distribution));
            new SyntheticEvents(config, driftSpec); // checks the drift flags against the task
        } catch (InvalidSettingException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException(e.getMessage());
        }
        try (TopicAdmin admin = kafka.admin()) {
            admin.requireReachable();
        }
        long start = System.nanoTime();
        DelayedLabelProducer.Result r =
                new DelayedLabelProducer(kafka.client(), join.labels, plan, driftSpec).run();
        System.out.printf(
                "produced %,d feature events to %s and %,d labels to %s (%.1f%%) in %.1f s%n",
                r.features(),
                join.features,
                r.labels(),
                join.labels,
                r.features() == 0 ? 0 : 100.0 * r.labels() / r.features(),
                (System.nanoTime() - start) / 1e9);
        return 0;
    }
}
