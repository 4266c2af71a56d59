package io.streamgrad.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamgrad.config.InvalidSettingException;
import io.streamgrad.config.RunIds;
import io.streamgrad.job.JobConfig;
import io.streamgrad.plot.LossChart;
import io.streamgrad.run.BacktestReport;
import io.streamgrad.run.BacktestRun;
import io.streamgrad.run.SnapshotExport;
import io.streamgrad.run.flags.RangeOptions;
import io.streamgrad.run.flags.TrainJobOptions;
import io.streamgrad.run.flags.VariantOptions;
import io.streamgrad.train.ModelConfigs;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "backtest",
        mixinStandardHelpOptions = true,
        description = {
            "Train fresh models over a historical range of a Kafka topic of LabeledEvents exactly"
                    + " as train --bounded would (same windows, seeds and passes over Kafka), one"
                    + " per --variant, in one Flink job whose every read of the range serves all"
                    + " variants; then compare their prequential (test-then-train) curves side by"
                    + " side.",
            "The variants must read the range alike: the same --epochs, --full-pass-loss and"
                    + " --shuffle (and, for blocks, --shuffle-block, --shuffle-group, --seed);"
                    + " with --shuffle pass (or --batch-size full) the range is read once, each"
                    + " variant with more than one epoch or the full-pass loss keeps it in state,"
                    + " and their epochs may differ.",
            "Each variant's model of key KEY is model key KEY@NAME on the metrics and snapshots"
                    + " topics."
        })
public final class BacktestCommand implements Callable<Integer> {
    @Mixin TrainJobOptions job = new TrainJobOptions();
    @Mixin RangeOptions range = new RangeOptions();
    @Mixin VariantOptions variants = new VariantOptions();

    @Spec CommandSpec spec;

    @Option(
            names = "--summary-json",
            paramLabel = "FILE",
            description =
                    "Write the range read and every variant's figures (final_smoothed_loss,"
                            + " mean_prequential_loss, accuracy, examples_per_second, ...) here")
    Path summaryJson;

    @Option(
            names = "--plot",
            paramLabel = "PREFIX",
            description =
                    "Draw every variant's smoothed prequential loss against examples trained as"
                            + " PREFIX.png and PREFIX.svg")
    Path plot;

    /**
     * A backtest's consumer group, which also names its Kafka transactions: its own per run unless
     * {@code --group-id} is on its command line. A job file's {@code group-id} does not count: the
     * file is usually the live train job's, and sharing its transactional ids would fence it.
     */
    static String groupId(boolean onCommandLine, String given, String runId) {
        return onCommandLine ? given : "streamgrad-backtest-" + runId;
    }

    @Override
    public Integer call() throws Exception {
        // Checked before the job: a path that cannot be written would throw the run away.
        if (summaryJson != null) {
            SnapshotExport.checkOutput("summary-json", summaryJson);
        }
        if (plot != null) {
            LossChart.Files2 f = LossChart.targets(plot);
            SnapshotExport.checkOutput("plot", f.png());
            SnapshotExport.checkOutput("plot", f.svg());
        }
        if (spec.commandLine().getParseResult().hasMatchedOption("--from")) {
            // A backtest reads a fixed range with a group of its own: --from, where a group with
            // no committed offsets starts, would be ignored. A job file's value is (the file is
            // usually the live train job's).
            throw new InvalidSettingException(
                    "{from} "
                            + job.from
                            + " has no effect on a backtest, which reads the range of"
                            + " {from-offset}, {from-time} or {last} (default: the whole topic)"
                            + " up to {to-offset} or {to-time}: drop {from} (for the newest"
                            + " records, give {last} N)");
        }
        job.bounded = true; // a range ends
        String runId = RunIds.next();
        job.groupId =
                groupId(
                        spec.commandLine().getParseResult().hasMatchedOption("--group-id"),
                        job.groupId,
                        runId);
        JobConfig base = job.toJobConfig(runId).startingOver();
        List<ModelConfigs.Variant> vs = variants.toVariants(spec.commandLine());
        BacktestRun.Plan plan = BacktestRun.plan(base, vs, range.toRequest());
        System.out.printf(
                "streamgrad backtest: %d variant%s (%s) on %s offsets %s (%,d records), run %s%n",
                vs.size(),
                vs.size() == 1 ? "" : "s",
                String.join(", ", vs.stream().map(ModelConfigs.Variant::name).toList()),
                plan.range().topic(),
                plan.range().describe(),
                plan.range().records(),
                base.runId());
        BacktestReport report = BacktestRun.run(plan, new ProgressReporter(System.out));
        print(report, System.out);
        if (summaryJson != null) {
            writeJson(report, summaryJson);
            System.out.println("  summary written to " + summaryJson);
        }
        if (plot != null) {
            LossChart.Files2 f =
                    LossChart.writeComparison(
                            "backtest " + report.runId() + " on " + report.topic(),
                            report.curves(),
                            plot);
            System.out.println("wrote " + f.png() + " and " + f.svg());
        }
        return 0;
    }

    static void print(BacktestReport r, PrintStream out) {
        out.printf(
                "%nbacktest %s: %,d events of %s, %.1f s%n",
                r.runId(), r.events(), r.topic(), r.wallSeconds());
        out.printf(
                "  %-12s %10s %12s %12s %10s %12s %12s  %s%n",
                "variant",
                "iterations",
                "final loss",
                "mean loss",
                "accuracy",
                "examples/s",
                "checksum",
                "settings");
        for (BacktestReport.Row v : r.variants()) {
            out.printf(
                    "  %-12s %,10d %12.4f %12.4f %10s %,12.0f %12s  %s%n",
                    v.name(),
                    v.iterations(),
                    v.finalSmoothedLoss(),
                    v.meanPrequentialLoss(),
                    v.accuracy() == null ? "n/a" : String.format("%.4f", v.accuracy()),
                    v.examplesPerSecond(),
                    v.checksum(),
                    v.settings().isEmpty() ? "(the flags as given)" : v.settings());
        }
        out.println(
                "  final loss: smoothed prequential loss after the last update; mean loss and"
                        + " accuracy: over every batch, before its update; examples/s: examples"
                        + " over the updates' compute time");
    }

    static void writeJson(BacktestReport r, Path file) {
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = json.createObjectNode();
        root.put("run_id", r.runId());
        root.put("events_topic", r.topic());
        ObjectNode offsets = root.putObject("offsets");
        for (Map.Entry<Integer, long[]> e : r.offsets().entrySet()) {
            ObjectNode p = offsets.putObject(Integer.toString(e.getKey()));
            p.put("from", e.getValue()[0]);
            p.put("to", e.getValue()[1]);
        }
        root.put("events", r.events());
        root.put("wall_seconds", r.wallSeconds());
        ArrayNode rows = root.putArray("variants");
        for (BacktestReport.Row v : r.variants()) {
            ObjectNode o = rows.addObject();
            o.put("name", v.name());
            o.put("settings", v.settings());
            ArrayNode keys = o.putArray("model_keys");
            v.modelKeys().forEach(keys::add);
            o.put("iterations", v.iterations());
            o.put("examples", v.examples());
            o.put("final_smoothed_loss", v.finalSmoothedLoss());
            o.put("mean_prequential_loss", v.meanPrequentialLoss());
            if (v.accuracy() == null) {
                o.putNull("accuracy");
            } else {
                o.put("accuracy", v.accuracy());
            }
            o.put("step_seconds", v.stepSeconds());
            o.put("examples_per_second", v.examplesPerSecond());
            o.put("last_snapshot_version", v.lastVersion());
            o.put("model_checksum", v.checksum());
        }
        try {
            json.writeValue(file.toFile(), root);
        } catch (IOException e) {
            throw new InvalidSettingException(
                    "cannot write {summary-json} " + file + ": " + e.getMessage());
        }
    }
}
