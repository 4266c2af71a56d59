package io.streamgrad.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.streamgrad.advise.BatchSizeAdvice;
import io.streamgrad.advise.BatchSizeAdvisor;
import io.streamgrad.plot.BatchSizeChart;
import io.streamgrad.plot.LossChart;
import io.streamgrad.run.AdviseRun;
import io.streamgrad.run.AdviseSummary;
import io.streamgrad.run.flags.AdviseOptions;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "advise",
        mixinStandardHelpOptions = true,
        description = {
            "Recommends a batch size for this model, data and machine: times training steps at"
                    + " powers of two (T(b) = τ_f + τ_d·b), estimates the gradient noise B_noise ="
                    + " tr(Σ)/|G|² at the initial parameters, counts iterations in a short pilot,"
                    + " and minimises the predicted time (N_iter + C_var/b)·T(b).",
            "The data: --dataset (as in demo) or a topic (--bootstrap-servers, --events-topic)."
        })
public final class AdviseCommand implements Callable<Integer> {
    @Mixin AdviseOptions advise = new AdviseOptions();

    @Option(names = "--summary-json", description = "Write every measured quantity to this file")
    Path summaryJson;

    @Option(
            names = "--plot",
            paramLabel = "FILE",
            description = "Draw predicted time against batch size to FILE.png and FILE.svg")
    Path plot;

    @Override
    public Integer call() throws Exception {
        AdviseRun.Plan plan = AdviseRun.plan(advise);
        PrintStream out = System.out;
        out.printf(
                "streamgrad advise: %s with %s lr %s on %s, %,d events sampled%n",
                plan.training().spec().shorthand(),
                plan.training().optimizer().name(),
                plan.training().optimizer().learningRate(),
                plan.dataName(),
                plan.sample().size());
        AdviseRun.Result result = AdviseRun.run(plan, line -> out.println("  " + line));
        print(result.summary(), out);
        if (summaryJson != null) {
            new ObjectMapper()
                    .enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValue(summaryJson.toFile(), result.summary());
            out.println("  summary written to " + summaryJson);
        }
        if (plot != null) {
            BatchSizeAdvisor.Report r = result.report();
            BatchSizeAdvice a = r.advice();
            int n = r.timing().size();
            double[] b = new double[n];
            double[] t = new double[n];
            for (int i = 0; i < n; i++) {
                b[i] = r.timing().get(i).batchSize();
                t[i] = a.iterations(b[i]) * r.timing().get(i).medianSeconds();
            }
            double from = Math.min(b[0], a.recommendedBatchSize()) / 2.0;
            double to = Math.max(b[n - 1], a.recommendedBatchSize()) * 2.0;
            LossChart.Files2 files =
                    BatchSizeChart.write(
                            BatchSizeChart.chart(
                                    "streamgrad advise: "
                                            + plan.training().spec().shorthand()
                                            + ", recommended batch "
                                            + a.recommendedBatchSize(),
                                    a::predictedSeconds,
                                    Math.max(0.5, from),
                                    to,
                                    b,
                                    t,
                                    a.bOpt(),
                                    a.recommendedBatchSize()),
                            plot);
            out.println("  chart drawn to " + files.png() + " and " + files.svg());
        }
        return 0;
    }

    static void print(AdviseSummary s, PrintStream out) {
        out.printf(
                Locale.ROOT,
                "%n%8s %14s %14s %14s %14s%n",
                "b",
                "T(b) measured",
                "T(b) fitted",
                "iterations",
                "predicted time");
        for (AdviseSummary.Row row : s.table()) {
            out.printf(
                    Locale.ROOT,
                    "%8d %14s %14s %14.1f %14s%s%n",
                    row.batchSize(),
                    row.measuredSeconds() == null ? "-" : seconds(row.measuredSeconds()),
                    seconds(row.fittedSeconds()),
                    row.predictedIterations(),
                    seconds(row.predictedSeconds()),
                    row.recommended() ? "  <- recommended" : "");
        }
        out.printf(
                Locale.ROOT,
                "%n  τ_f %s ± %s per step, τ_d %s per example (fit residual %s RMS, R² %.3f)%n",
                seconds(s.tauFSeconds()),
                s.tauFStdErrorSeconds() == null ? "?" : seconds(s.tauFStdErrorSeconds()),
                seconds(s.tauDSeconds()),
                seconds(s.fitRmsResidualSeconds()),
                s.fitRSquared());
        out.printf(
                Locale.ROOT,
                "  tr(Σ) %.4g ± %.2g, |G|² %.4g ± %.2g, B_noise %.1f; N_iter %.1f, C_var %.4g%n",
                s.traceSigma(),
                s.traceSigmaStdError(),
                s.gradNormSq(),
                s.gradNormSqStdError(),
                s.noiseScale(),
                s.nIter(),
                s.cVar());
        out.printf(
                Locale.ROOT,
                "  b_opt %s -> recommended --batch-size %d, --learning-rate %.4g%n",
                s.bOpt() == null ? "none" : String.format(Locale.ROOT, "%.1f", s.bOpt()),
                s.recommendedBatchSize(),
                s.suggestedLearningRate());
        out.println("\nwhy:");
        for (String line : s.reasoning()) {
            out.println("  - " + line);
        }
    }

    /** Seconds with a unit that keeps three significant digits readable. */
    static String seconds(double s) {
        double a = Math.abs(s);
        if (a >= 1 || a == 0) {
            return String.format(Locale.ROOT, "%.3g s", s);
        }
        if (a >= 1e-3) {
            return String.format(Locale.ROOT, "%.3g ms", s * 1e3);
        }
        if (a >= 1e-6) {
            return String.format(Locale.ROOT, "%.3g µs", s * 1e6);
        }
        return String.format(Locale.ROOT, "%.3g ns", s * 1e9);
    }
}
