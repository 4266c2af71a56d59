package io.streamgrad.cli;

import io.streamgrad.kafka.TopicAdmin;
import io.streamgrad.producers.SyntheticConfig;
import io.streamgrad.producers.SyntheticProducer;
import io.streamgrad.schema.Task;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "produce",
        mixinStandardHelpOptions = true,
        description = "Write LabeledEvents to a Kafka topic.",
        subcommands = {ProduceCommand.Synthetic.class})
public final class ProduceCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw new UsageException("name what to produce: ./streamgrad produce synthetic --help");
    }

    @Command(
            name = "synthetic",
            mixinStandardHelpOptions = true,
            description = {
                "Events drawn from a fixed random teacher model (seeded).",
                "Event i is a function of (seed, i): its features, label, id and event time."
            })
    static final class Synthetic implements Callable<Integer> {
        @Mixin KafkaOptions kafka = new KafkaOptions();

        @Option(
                names = "--topic",
                defaultValue = "streamgrad.events",
                description = "Topic, created if missing (default: ${DEFAULT-VALUE})")
        String topic;

        @Option(
                names = "--model-key",
                defaultValue = "default",
                description = "The events' model key (default: ${DEFAULT-VALUE})")
        String modelKey;

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

        @Option(
                names = "--classes",
                description = "Classes for multiclass (default: 3; binary has 2)")
        Integer classes;

        @Option(
                names = "--noise",
                defaultValue = "0.5",
                description =
                        "Std. dev. of the noise added to the teacher's logits or targets (default:"
                                + " ${DEFAULT-VALUE})")
        double noise;

        @Option(
                names = "--events",
                defaultValue = "10000",
                description = "How many events (default: ${DEFAULT-VALUE})")
        long events;

        @Option(
                names = "--rate",
                defaultValue = "0",
                description = "Events per second, 0 for unlimited (default: ${DEFAULT-VALUE})")
        double rate;

        @Option(
                names = "--partitions",
                defaultValue = "4",
                description =
                        "Partitions of a new topic; event i goes to partition i mod P (default:"
                                + " ${DEFAULT-VALUE})")
        int partitions;

        @Option(
                names = "--seed",
                defaultValue = "42",
                description = "Seed of teacher and events (default: ${DEFAULT-VALUE})")
        long seed;

        @Option(
                names = "--first-index",
                defaultValue = "0",
                description =
                        "Index of the first event, e.g. to continue a stream (default:"
                                + " ${DEFAULT-VALUE})")
        long firstIndex;

        @Option(
                names = "--live-timestamps",
                description = "Event time = wall clock instead of one derived from the index")
        boolean liveTimestamps;

        @Override
        public Integer call() {
            SyntheticConfig config;
            try {
                Task t = Task.fromWireName(task);
                int k = classes != null ? classes : (t == Task.MULTICLASS ? 3 : 2);
                config =
                        new SyntheticConfig(
                                topic,
                                modelKey,
                                t,
                                features,
                                k,
                                noise,
                                events,
                                rate,
                                partitions,
                                seed,
                                firstIndex,
                                liveTimestamps);
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage());
            }
            try (TopicAdmin admin = kafka.admin()) {
                admin.requireReachable();
            }
            long start = System.nanoTime();
            long n =
                    new SyntheticProducer(kafka.bootstrapServers, config)
                            .run(sent -> System.out.printf("  %,d events sent%n", sent));
            System.out.printf(
                    "produced %,d %s events to %s in %.1f s%n",
                    n, task, topic, (System.nanoTime() - start) / 1e9);
            return 0;
        }
    }
}
