package io.streamgrad.cli;

import io.streamgrad.config.InvalidSettingException;
import io.streamgrad.producers.SyntheticConfig;
import io.streamgrad.producers.SyntheticEvents;
import io.streamgrad.producers.data.CsvOptions;
import io.streamgrad.producers.data.CsvReader;
import io.streamgrad.producers.data.Dataset;
import io.streamgrad.producers.data.DatasetEvents;
import io.streamgrad.producers.data.IdxReader;
import io.streamgrad.producers.data.LabelKind;
import io.streamgrad.run.Datasets;
import io.streamgrad.run.Preflight;
import io.streamgrad.run.flags.DriftOptions;
import io.streamgrad.schema.Task;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "produce",
        mixinStandardHelpOptions = true,
        description = "Write LabeledEvents to a Kafka topic.",
        subcommands = {
            ProduceCommand.Synthetic.class,
            ProduceCommand.Idx.class,
            ProduceCommand.Csv.class,
            ProduceDelayedCommand.class
        })
public final class ProduceCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw new InvalidSettingException(
                "name what to produce: ./streamgrad produce synthetic|idx|csv|delayed --help");
    }

    @Command(
            name = "synthetic",
            mixinStandardHelpOptions = true,
            description = {
                "Events drawn from a fixed random teacher model (seeded).",
                "Event i is a function of (seed, i): its features, label, id and event time."
            })
    static final class Synthetic implements Callable<Integer> {
        @Mixin EventTopicOptions out = new EventTopicOptions();
        @Mixin DriftOptions drift = new DriftOptions();

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
                names = "--models",
                defaultValue = "1",
                description =
                        "Spread the events round robin over this many model keys, KEY-0 to"
                                + " KEY-(N-1) (zero-padded), each with its own teacher; one job"
                                + " trains them side by side (default: ${DEFAULT-VALUE}: every"
                                + " event carries --model-key)")
        int models;

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
                                out.topic,
                                out.modelKey,
                                t,
                                features,
                                k,
                                noise,
                                events,
                                out.rate,
                                out.partitions,
                                seed,
                                firstIndex,
                                liveTimestamps);
            } catch (IllegalArgumentException e) {
                throw new InvalidSettingException(e.getMessage());
            }
            SyntheticEvents events;
            try {
                events = new SyntheticEvents(config, drift.spec(seed), models);
            } catch (InvalidSettingException e) {
                throw e;
            } catch (IllegalArgumentException e) {
                throw new InvalidSettingException(e.getMessage());
            }
            Preflight.requireEventFits(events.event(config.firstIndex()), out.modelKey);
            out.produce(config.firstIndex(), config.events(), events::event, task);
            return 0;
        }
    }

    @Command(
            name = "idx",
            mixinStandardHelpOptions = true,
            description = {
                "A split of an IDX data set (MNIST's format) from a directory with the standard"
                        + " file names, raw or .gz: train-images-idx3-ubyte,"
                        + " train-labels-idx1-ubyte, t10k-images-idx3-ubyte,"
                        + " t10k-labels-idx1-ubyte. Pixels are scaled to [0, 1].",
                "scripts/fetch-mnist.sh fetches MNIST to data/mnist."
            })
    static final class Idx implements Callable<Integer> {
        @Mixin EventTopicOptions out = new EventTopicOptions();

        @Option(names = "--dir", required = true, description = "Directory of the IDX files")
        java.nio.file.Path dir;

        @Option(
                names = "--split",
                defaultValue = "train",
                description = "train | test (default: ${DEFAULT-VALUE})")
        String split;

        @Override
        public Integer call() {
            Dataset d = Datasets.load(() -> IdxReader.readSplit(dir, split));
            Preflight.requireEventFits(
                    new DatasetEvents(d, out.modelKey, "idx-" + split).event(0), out.modelKey);
            out.produce(
                    0, d.size(), new DatasetEvents(d, out.modelKey, "idx-" + split)::event, "idx");
            printTrainingFlags(d);
            return 0;
        }
    }

    @Command(
            name = "csv",
            mixinStandardHelpOptions = true,
            description = {
                "A CSV file (gzip recognised by content) of numeric features and a label column."
                        + " Header optional; whole numbers and names are classes mapped to"
                        + " indices 0..K-1 in sorted order (-1/+1 become 0/1), other numbers"
                        + " regression targets (--regression: all numbers are). See the README's"
                        + " Real data for what is refused."
            })
    static final class Csv implements Callable<Integer> {
        @Mixin EventTopicOptions out = new EventTopicOptions();

        @Option(names = "--file", required = true, description = "The CSV file")
        java.nio.file.Path file;

        @Option(
                names = "--label-column",
                description = "Label column: header name or 0-based index (default: the last)")
        String labelColumn;

        @Option(
                names = "--regression",
                description = "Labels are numeric targets, whole numbers included")
        boolean regression;

        @Option(
                names = "--skip-missing-labels",
                description =
                        "Skip and count rows whose label is missing (empty, NA, N/A, NaN, null, ?)"
                                + " instead of refusing the file")
        boolean skipMissingLabels;

        @Override
        public Integer call() {
            Dataset d =
                    Datasets.load(
                            () ->
                                    CsvReader.read(
                                            file,
                                            new CsvOptions(
                                                    labelColumn,
                                                    regression
                                                            ? LabelKind.TARGETS
                                                            : LabelKind.GUESS,
                                                    skipMissingLabels)));
            Preflight.requireEventFits(
                    new DatasetEvents(d, out.modelKey, "csv").event(0), out.modelKey);
            if (d.skippedRows() > 0) {
                System.out.printf("  skipped %,d rows with a missing label%n", d.skippedRows());
            }
            out.produce(0, d.size(), new DatasetEvents(d, out.modelKey, "csv")::event, "csv");
            printTrainingFlags(d);
            return 0;
        }
    }

    /** What a data set needs from {@code train}: its input size and its classes or task. */
    static void printTrainingFlags(Dataset d) {
        if (!d.classification()) {
            System.out.printf(
                    "  %d features, a regression target; train with --features %d --task"
                            + " regression%n",
                    d.featureCount(), d.featureCount());
            return;
        }
        boolean named = false;
        for (int k = 0; k < d.classes(); k++) {
            named |= !d.classNames().get(k).equals(Integer.toString(k));
        }
        System.out.printf(
                "  %d features, %d classes; train with --features %d --classes %d%s%n",
                d.featureCount(),
                d.classes(),
                d.featureCount(),
                d.classes(),
                named ? " --class-names " + String.join(",", d.classNames()) : "");
    }
}
