package io.streamgrad.cli;

import io.streamgrad.model.ModelSpec;
import io.streamgrad.plot.LossChart;
import io.streamgrad.run.DemoRun;
import io.streamgrad.run.flags.DemoOptions;
import io.streamgrad.train.TrainingConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
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
    @Mixin DemoOptions demo = new DemoOptions();

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
        DemoRun.Plan plan = DemoRun.plan(demo);
        if (plan.batchChoice() != null) {
            System.out.println("streamgrad demo: " + plan.batchChoice());
        }
        TrainingConfig training = plan.training();
        ModelSpec spec = training.spec();
        System.out.printf(
                "streamgrad demo: %s on %s, %d features%s, %,d events, batch %s, window %s, %d"
                        + " epoch(s), %s lr %s, seed %d%n",
                spec.shorthand(),
                plan.data().name(),
                spec.inputSize(),
                spec.classes() > 0 ? ", " + spec.classes() + " classes" : "",
                plan.data().trainEvents(),
                training.batching().describeBatchSize(),
                training.batching().window().describe(),
                training.batching().epochs(),
                training.optimizer().name(),
                training.optimizer().learningRate(),
                training.seed());
        if (plan.data().skippedRows() > 0) {
            System.out.printf(
                    "  skipped %,d rows with a missing label (--skip-missing-labels)%n",
                    plan.data().skippedRows());
        }
        DemoRun.Result result =
                DemoRun.run(
                        plan,
                        webUiPort,
                        new ProgressReporter(System.out),
                        line -> System.out.println("  " + line));
        RunSummaryOutput.print(result.summary(), System.out);
        if (summaryJson != null) {
            RunSummaryOutput.writeJson(result.summary(), summaryJson);
            System.out.println("  summary written to " + summaryJson);
        }
        if (plot != null) {
            LossChart.Files2 files =
                    LossChart.write(
                            "streamgrad demo: "
                                    + spec.shorthand()
                                    + ", batch "
                                    + training.batching().describeBatchSize(),
                            result.metrics(),
                            plot);
            System.out.println("  loss curves drawn to " + files.png() + " and " + files.svg());
        }
        return 0;
    }
}
