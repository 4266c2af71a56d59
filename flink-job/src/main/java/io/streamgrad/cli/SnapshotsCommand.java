package io.streamgrad.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.streamgrad.config.InvalidSettingException;
import io.streamgrad.kafka.Topic;
import io.streamgrad.run.SnapshotCatalog;
import io.streamgrad.run.SnapshotExport;
import io.streamgrad.run.TopicReader;
import io.streamgrad.run.flags.KafkaOptions;
import io.streamgrad.schema.ModelSnapshot;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "snapshots",
        mixinStandardHelpOptions = true,
        description = "Read model snapshots from the snapshots topic (read_committed).",
        subcommands = {
            SnapshotsCommand.ListSnapshots.class,
            SnapshotsCommand.Show.class,
            SnapshotsCommand.Export.class
        })
public final class SnapshotsCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("streamgrad snapshots: choose list, show or export (--help for each)");
        return 2;
    }

    /** Where the snapshots are. */
    static final class Source {
        @Mixin KafkaOptions kafka = new KafkaOptions();

        @Option(
                names = "--snapshots-topic",
                defaultValue = Topic.Names.SNAPSHOTS,
                description = "Topic of ModelSnapshots (default: ${DEFAULT-VALUE})")
        String topic;

        @Option(
                names = "--model-key",
                paramLabel = "KEY",
                description = "Only this model key (show: default the topic's only key)")
        String modelKey;

        /**
         * Kafka answers; and a transaction still open on the topic, which hides the snapshots
         * written after it, is said on standard error.
         */
        void checkKafka() {
            try (var admin = kafka.admin()) {
                admin.requireReachable();
            }
            TopicReader.sayIfHeldBack(kafka.client(), topic);
        }
    }

    /** One snapshot of the topic, or of a file. */
    static final class Choice {
        @Mixin Source source = new Source();

        @Option(
                names = "--snapshot",
                defaultValue = "latest",
                paramLabel = "latest|VERSION|run:ID|file:PATH",
                description = "Which snapshot (default: ${DEFAULT-VALUE})")
        String snapshot;

        ModelSnapshot find() {
            if (!snapshot.startsWith("file:")) {
                source.checkKafka();
            }
            return SnapshotCatalog.find(
                    source.kafka.client(), source.topic, snapshot, source.modelKey);
        }
    }

    @Command(
            name = "list",
            mixinStandardHelpOptions = true,
            description =
                    "One line per snapshot: key, version, time, examples seen, epoch, loss, run and"
                            + " parent snapshot (RUN vVERSION; - none, ? written before lineage).")
    static final class ListSnapshots implements Callable<Integer> {
        @Mixin Source source = new Source();

        @Override
        public Integer call() {
            source.checkKafka();
            List<SnapshotCatalog.Entry> all =
                    SnapshotCatalog.list(source.kafka.client(), source.topic, source.modelKey);
            if (all.isEmpty()) {
                return nothingListed(source);
            }
            System.out.printf(
                    "%-16s %10s  %-24s %14s %6s %10s %10s  %-36s  %s%n",
                    "model",
                    "version",
                    "created",
                    "examples",
                    "epoch",
                    "last loss",
                    "smoothed",
                    "run",
                    "parent");
            for (SnapshotCatalog.Entry e : all) {
                System.out.printf(
                        "%-16s %10d  %-24s %,14d %6d %10.4f %10.4f  %-36s  %s%n",
                        e.model(),
                        e.version(),
                        e.createdIso(),
                        e.examplesSeen(),
                        e.epoch(),
                        e.lastLoss(),
                        e.smoothedLoss(),
                        e.runId(),
                        e.parent());
            }
            return 0;
        }
    }

    /**
     * Why nothing was listed, as a failure: a mistyped model key or topic is refused naming what
     * there is; an existing topic without snapshots exits 1 ("train a model first").
     */
    private static int nothingListed(Source source) {
        if (source.modelKey != null) {
            java.util.Set<String> keys = new java.util.TreeSet<>();
            SnapshotCatalog.list(source.kafka.client(), source.topic, null)
                    .forEach(e -> keys.add(e.model()));
            if (!keys.isEmpty()) {
                throw new InvalidSettingException(
                        "{model-key} "
                                + source.modelKey
                                + " has no snapshot on "
                                + source.topic
                                + "; known keys: "
                                + String.join(", ", keys));
            }
        }
        try (var admin = source.kafka.admin()) {
            if (!admin.topicExists(source.topic)) {
                throw new InvalidSettingException(
                        "{snapshots-topic} "
                                + source.topic
                                + " does not exist on "
                                + source.kafka.client().bootstrapServers()
                                + ": give the topic train wrote its snapshots to (default "
                                + Topic.Names.SNAPSHOTS
                                + ")");
            }
        }
        System.err.println(
                "streamgrad snapshots: no snapshots on "
                        + source.topic
                        + " yet: train a model first");
        return 1;
    }

    @Command(
            name = "show",
            mixinStandardHelpOptions = true,
            description =
                    "Everything a snapshot records but its tensors, as JSON: lineage (source topic,"
                            + " offset ranges trained per partition in its run and inherited"
                            + " through warm starts, parent snapshot, code version and git"
                            + " commit, ND4J backend and device), run id, seed, every setting,"
                            + " architecture, optimizer, progress, tensor names and shapes.")
    static final class Show implements Callable<Integer> {
        @Mixin Choice choice = new Choice();

        @Override
        public Integer call() throws Exception {
            System.out.println(
                    new ObjectMapper()
                            .enable(SerializationFeature.INDENT_OUTPUT)
                            .writeValueAsString(SnapshotCatalog.describe(choice.find())));
            return 0;
        }
    }

    @Command(
            name = "export",
            mixinStandardHelpOptions = true,
            description = {
                "Write a snapshot for use outside streamgrad.",
                "onnx: an ONNX model (IR 8, opset 17) that ONNX Runtime runs: input 'features'"
                        + " float32 [N, F] of raw features (the standardization is in the graph);"
                        + " outputs 'probabilities' float32 [N, C] (binary: p0, p1) and 'label'"
                        + " int64 [N] for classifiers, 'prediction' float32 [N, 1] for regression;"
                        + " the snapshot's identity and lineage in its metadata_props.",
                "json: parameters (values and shapes), standardization (mean, variance, scale),"
                        + " architecture, the forward pass in words, and the snapshot's metadata"
                        + " and provenance (as 'show' prints them).",
                "Refuses a snapshot that fails its parameter checksum."
            })
    static final class Export implements Callable<Integer> {
        @Mixin Choice choice = new Choice();

        @Option(
                names = "--format",
                defaultValue = "json",
                paramLabel = SnapshotExport.FORMATS,
                description = "File format (default: ${DEFAULT-VALUE})")
        String format;

        @Option(
                names = "--output",
                required = true,
                paramLabel = "FILE",
                description = "Where to write it")
        Path output;

        @Override
        public Integer call() throws Exception {
            SnapshotExport.checkFormat(format);
            SnapshotExport.checkOutput(output);
            ModelSnapshot s = choice.find();
            SnapshotExport.write(s, format, output);
            System.out.println(
                    "wrote "
                            + s.getModel()
                            + " v"
                            + s.getVersion()
                            + " as "
                            + format
                            + " to "
                            + output);
            return 0;
        }
    }
}
