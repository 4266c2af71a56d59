package io.streamgrad.cli;

import io.streamgrad.evaluate.EvaluationMetrics;
import io.streamgrad.kafka.Topic;
import io.streamgrad.plot.EvaluationCharts;
import io.streamgrad.run.EvaluateRun;
import io.streamgrad.run.flags.KafkaOptions;
import io.streamgrad.run.flags.RangeOptions;
import io.streamgrad.schema.ModelSnapshot;
import io.streamgrad.schema.Task;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "evaluate",
        mixinStandardHelpOptions = true,
        description = {
            "Score a model snapshot on a range of a Kafka topic of LabeledEvents, as a bounded"
                    + " Flink job in this process (parallel scoring, one aggregation).",
            "Classifiers: loss, accuracy, log-loss, per-class precision/recall/F1, confusion"
                    + " matrix, expected calibration error (10 bins); binary also ROC AUC and PR"
                    + " AUC (average precision). Regression: loss, MSE, MAE, R².",
            "Events that do not fit the snapshot go to the dead-letter topic, not scored."
        })
public final class EvaluateCommand implements Callable<Integer> {
    @Mixin KafkaOptions kafka = new KafkaOptions();

    @Option(
            names = "--events-topic",
            defaultValue = Topic.Names.EVENTS,
            description = "Topic of LabeledEvents to score (default: ${DEFAULT-VALUE})")
    String eventsTopic;

    @Option(
            names = "--snapshots-topic",
            defaultValue = Topic.Names.SNAPSHOTS,
            description =
                    "Topic of ModelSnapshots, read read_committed (default: ${DEFAULT-VALUE})")
    String snapshotsTopic;

    @Option(
            names = "--dead-letter-topic",
            defaultValue = Topic.Names.DEAD_LETTER,
            description =
                    "Where events that do not fit the snapshot go (default: ${DEFAULT-VALUE})")
    String deadLetterTopic;

    @Option(
            names = "--snapshot",
            defaultValue = "latest",
            paramLabel = "latest|VERSION|run:ID|file:PATH",
            description =
                    "The newest snapshot of the model key, a version (iteration) of it, a run's"
                            + " last (run:ID), or a ModelSnapshot file (default:"
                            + " ${DEFAULT-VALUE})")
    String snapshot;

    @Option(
            names = "--model-key",
            paramLabel = "KEY",
            description =
                    "Model key of the snapshot (default: the topic's only key); events of other"
                            + " keys are counted, not scored")
    String modelKey;

    @Mixin RangeOptions range = new RangeOptions();

    @Option(
            names = "--summary-json",
            paramLabel = "FILE",
            description =
                    "Write the metrics, the snapshot's version, run id and checksum, and the exact"
                            + " offsets scored to this file")
    Path summaryJson;

    @Option(
            names = "--predictions-out",
            paramLabel = "FILE",
            description =
                    "Write every scored event to this CSV: partition,offset,event_id,label,"
                            + "prediction,p0,p1,... (regression: no p columns); each partition's"
                            + " rows in offset order")
    Path predictionsOut;

    @Option(
            names = "--plot",
            paramLabel = "PREFIX",
            description =
                    "Draw PREFIX-confusion, PREFIX-roc (binary) and PREFIX-reliability as .png and"
                            + " .svg (classifiers)")
    String plot;

    @Override
    public Integer call() throws Exception {
        EvaluateRun.Plan plan =
                EvaluateRun.plan(
                        new EvaluateRun.Request(
                                kafka.client(),
                                eventsTopic,
                                snapshotsTopic,
                                deadLetterTopic,
                                snapshot,
                                modelKey,
                                range.toRequest(),
                                predictionsOut));
        System.out.println("streamgrad evaluate: " + startLine(plan));
        EvaluateRun.Result result = EvaluateRun.run(plan, new EvaluateProgress(System.err));
        print(result, System.out);
        if (summaryJson != null) {
            EvaluateRun.writeSummary(result, summaryJson);
            System.out.println("  summary           " + summaryJson);
        }
        if (predictionsOut != null) {
            System.out.println("  predictions       " + predictionsOut);
        }
        if (plot != null) {
            List<Path> files =
                    EvaluationCharts.write(
                            plot,
                            plan.snapshot().getModel() + " v" + plan.snapshot().getVersion(),
                            result.metrics());
            System.out.println(
                    files.isEmpty()
                            ? "  plots             none (regression, or nothing scored)"
                            : "  plots             " + files);
        }
        return 0;
    }

    /**
     * "model M vN (run R, trained on T) on E offsets … (K records), run X": which model, what it
     * learnt from (its lineage's source topic, when it has one: a {@code latest} snapshot may come
     * from another topic than the one scored) and what it is scored on.
     */
    static String startLine(EvaluateRun.Plan plan) {
        ModelSnapshot s = plan.snapshot();
        return String.format(
                "model %s v%d (run %s%s) on %s offsets %s (%,d records), run %s",
                s.getModel(),
                s.getVersion(),
                s.getRunId(),
                s.getLineage() == null ? "" : ", trained on " + s.getLineage().getSourceTopic(),
                plan.range().topic(),
                plan.range().describe(),
                plan.range().records(),
                plan.runId());
    }

    static void print(EvaluateRun.Result r, PrintStream out) {
        EvaluationMetrics m = r.metrics();
        out.printf(
                "%nevaluation %s of model %s v%d (%s)%n",
                r.plan().runId(),
                r.plan().snapshot().getModel(),
                r.plan().snapshot().getVersion(),
                m.task().wireName());
        out.printf(
                "  events scored     %,d (consumed %,d, dead-lettered %,d, other model keys %,d)"
                        + " in %.1f s%n",
                m.events(), r.eventsConsumed(), r.deadLettered(), r.otherModel(), r.wallSeconds());
        out.printf(
                "  loss              %s (the model's own loss, with its L2 penalty)%n",
                f(m.loss()));
        if (m.task() == Task.REGRESSION) {
            out.printf("  MSE               %s%n", f(m.mse()));
            out.printf("  MAE               %s%n", f(m.mae()));
            out.printf("  R²                %s%n", f(m.r2()));
            return;
        }
        out.printf("  accuracy          %s%n", f(m.accuracy()));
        out.printf("  log-loss          %s%n", f(m.logLoss()));
        out.printf("  ECE (10 bins)     %s%n", f(m.ece()));
        if (m.task() == Task.BINARY) {
            out.printf("  ROC AUC           %s%n", f(m.rocAuc()));
            out.printf("  PR AUC            %s (average precision)%n", f(m.prAuc()));
        }
        if (m.perClass().isEmpty()) {
            return;
        }
        out.printf(
                "%n  %-8s %10s %10s %10s %10s%n", "class", "precision", "recall", "F1", "support");
        List<String> names = r.plan().snapshot().getArchitecture().getClassNames();
        for (EvaluationMetrics.ClassMetrics c : m.perClass()) {
            out.printf(
                    "  %-8s %10s %10s %10s %,10d%n",
                    c.label() < names.size() ? names.get(c.label()) : Integer.toString(c.label()),
                    f(c.precision()),
                    f(c.recall()),
                    f(c.f1()),
                    c.support());
        }
        long[][] cm = m.confusionMatrix();
        if (cm.length <= 12) {
            out.printf("%n  confusion matrix (rows: true class, columns: predicted)%n");
            StringBuilder head = new StringBuilder("  " + " ".repeat(8));
            for (int p = 0; p < cm.length; p++) {
                head.append(String.format(" %8d", p));
            }
            out.println(head);
            for (int t = 0; t < cm.length; t++) {
                StringBuilder row = new StringBuilder(String.format("  %-8d", t));
                for (long v : cm[t]) {
                    row.append(String.format(" %8d", v));
                }
                out.println(row);
            }
        }
    }

    private static String f(Double v) {
        return v == null ? "n/a" : String.format("%.4f", v);
    }
}
