package io.streamgrad.cli;

import io.streamgrad.config.InvalidSettingException;
import io.streamgrad.kafka.Topic;
import io.streamgrad.run.PredictRun;
import io.streamgrad.run.SnapshotCatalog;
import io.streamgrad.run.flags.KafkaOptions;
import io.streamgrad.schema.ModelSnapshot;
import io.streamgrad.serve.CorruptSnapshotException;
import io.streamgrad.serve.Predictor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "predict",
        mixinStandardHelpOptions = true,
        description = {
            "Predict with a model snapshot: every row of a CSV file, or every event of a topic up"
                    + " to its end offsets at start, to a CSV of predictions"
                    + " (prediction,p0,p1,... with the input's id or offsets and the snapshot"
                    + " version used).",
            "With --snapshot latest the client follows the snapshots topic while it predicts and"
                    + " swaps to each newer snapshot of the key as it arrives; snapshots failing"
                    + " their checksum are refused and counted."
        })
public final class PredictCommand implements Callable<Integer> {
    /** How long to read the snapshots topic for the newest snapshot before giving up. */
    private static final Duration CATCH_UP = Duration.ofSeconds(60);

    @Mixin KafkaOptions kafka = new KafkaOptions();

    @Option(
            names = "--snapshots-topic",
            defaultValue = Topic.Names.SNAPSHOTS,
            description =
                    "Topic of ModelSnapshots, read read_committed (default: ${DEFAULT-VALUE})")
    String snapshotsTopic;

    @Option(
            names = "--snapshot",
            defaultValue = "latest",
            paramLabel = "latest|VERSION|run:ID|file:PATH",
            description =
                    "The newest snapshot of the model key (followed: newer ones replace it as they"
                            + " arrive), a fixed version of it, a run's last (run:ID), or a"
                            + " ModelSnapshot file"
                            + " (default: ${DEFAULT-VALUE})")
    String snapshot;

    @Option(
            names = "--model-key",
            paramLabel = "KEY",
            description =
                    "Model key of the snapshot (default: the topic's only key); topic events of"
                            + " other keys are counted, not predicted")
    String modelKey;

    @Option(
            names = "--input",
            required = true,
            paramLabel = "csv:FILE|topic:TOPIC",
            description =
                    "A CSV file with a header row, every column a feature but --id-column; or a"
                            + " topic of LabeledEvents (all partitions, up to their end offsets at"
                            + " start)")
    String input;

    @Option(
            names = "--id-column",
            paramLabel = "NAME",
            description =
                    "CSV column copied to the output as the row's id, not a feature (default:"
                            + " none; rows are identified by their line number)")
    String idColumn;

    @Option(
            names = "--output",
            required = true,
            paramLabel = "FILE",
            description =
                    "CSV of predictions: id columns (line or --id-column; topic:"
                            + " partition,offset,event_id), snapshot_version, prediction, and for"
                            + " classifiers p0,p1,... (one probability per class)")
    Path output;

    @Override
    public Integer call() throws Exception {
        PredictRun.Input in = PredictRun.parseInput(input, idColumn);
        boolean fromFile = snapshot.startsWith("file:");
        if (!fromFile || in instanceof PredictRun.TopicInput) {
            try (var admin = kafka.admin()) {
                admin.requireReachable();
            }
        }
        ModelSnapshot chosen =
                SnapshotCatalog.find(kafka.client(), snapshotsTopic, snapshot, modelKey);
        Predictor predictor;
        if (snapshot.equals("latest")) {
            predictor = Predictor.follow(kafka.client(), snapshotsTopic, chosen.getModel());
            if (!predictor.awaitCaughtUp(CATCH_UP)) {
                predictor.close();
                throw new InvalidSettingException(
                        "{snapshots-topic} "
                                + snapshotsTopic
                                + " was not read to its end within "
                                + CATCH_UP.toSeconds()
                                + " s");
            }
        } else {
            try {
                predictor = Predictor.of(chosen);
            } catch (CorruptSnapshotException e) {
                throw new InvalidSettingException("{snapshot} " + snapshot + ": " + e.getMessage());
            }
        }
        PredictRun.Summary s;
        try (predictor) {
            s = PredictRun.run(predictor, in, kafka.client(), output);
            System.out.println(
                    String.format("predicted %,d ", s.predicted())
                            + (s.predicted() == 1 ? "row" : "rows")
                            + " with model "
                            + predictor.modelKey()
                            + (s.firstVersion() == s.lastVersion()
                                    ? " v" + s.lastVersion()
                                    : " v" + s.firstVersion() + " to v" + s.lastVersion())
                            // The run, when one model served them all (a follower may have
                            // swapped to another run's).
                            + (predictor.current() == null || predictor.swaps() > 1
                                    ? ""
                                    : " of run " + predictor.current().runId())
                            + " -> "
                            + output);
            if (s.otherKey() + s.wrongFeatures() + s.undecodable() > 0) {
                System.out.println(
                        "not predicted: "
                                + s.otherKey()
                                + " events of other model keys, "
                                + s.wrongFeatures()
                                + " with a feature count the model does not take, "
                                + s.undecodable()
                                + " records that are not LabeledEvents");
            }
            if (predictor.rejected() > 0) {
                System.out.println(
                        "refused "
                                + predictor.rejected()
                                + " snapshots failing their checksum; last: "
                                + predictor.lastRejection());
            }
        }
        return 0;
    }
}
