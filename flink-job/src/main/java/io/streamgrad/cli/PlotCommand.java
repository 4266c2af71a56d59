package io.streamgrad.cli;

import io.streamgrad.config.InvalidSettingException;
import io.streamgrad.kafka.Topic;
import io.streamgrad.kafka.TopicAdmin;
import io.streamgrad.plot.LossChart;
import io.streamgrad.run.TopicReader;
import io.streamgrad.run.flags.KafkaOptions;
import io.streamgrad.schema.TrainingMetric;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "plot",
        mixinStandardHelpOptions = true,
        description = {
            "Render the loss curves of a run from the metrics topic: per-iteration batch loss,"
                    + " smoothed loss and, for bounded runs, the full-pass loss of each epoch."
                    + " Writes FILE.png and FILE.svg."
        })
public final class PlotCommand implements Callable<Integer> {
    @Mixin KafkaOptions kafka = new KafkaOptions();

    @Option(
            names = "--metrics-topic",
            defaultValue = Topic.Names.METRICS,
            description = "Topic of TrainingMetrics (default: ${DEFAULT-VALUE})")
    String metricsTopic;

    @Option(
            names = "--run-id",
            description = "The run to plot (default: the run of the newest metric on the topic)")
    String runId;

    @Option(
            names = "--model",
            description = "The model key to plot when a run trained several (default: the first)")
    String model;

    @Option(
            names = {"--output", "-o"},
            defaultValue = "streamgrad-loss",
            description =
                    "Output file; .png and .svg are written beside each other (default:"
                            + " ${DEFAULT-VALUE})")
    Path output;

    @Override
    public Integer call() throws Exception {
        try (TopicAdmin admin = kafka.admin()) {
            admin.requireReachable();
            if (!admin.topicExists(metricsTopic)) {
                throw new InvalidSettingException(
                        "topic " + metricsTopic + " does not exist: train something first");
            }
        }
        TopicReader.sayIfHeldBack(kafka.client(), metricsTopic);
        List<TrainingMetric> all =
                TopicReader.readAll(kafka.client(), metricsTopic, TrainingMetric.class, m -> true);
        if (all.isEmpty()) {
            throw new InvalidSettingException("no metrics on " + metricsTopic);
        }
        String run =
                runId != null
                        ? runId
                        : all.stream()
                                .max(Comparator.comparingLong(TrainingMetric::getEmittedAt))
                                .orElseThrow()
                                .getRunId();
        List<TrainingMetric> ofRun = all.stream().filter(m -> run.equals(m.getRunId())).toList();
        if (ofRun.isEmpty()) {
            throw new InvalidSettingException("run " + run + " has no metrics on " + metricsTopic);
        }
        TreeSet<String> models = new TreeSet<>();
        ofRun.forEach(m -> models.add(m.getModel()));
        String key = model != null ? model : models.first();
        if (!models.contains(key)) {
            throw new InvalidSettingException(
                    "run " + run + " trained no model '" + key + "'; it trained " + models);
        }
        List<TrainingMetric> curve = ofRun.stream().filter(m -> key.equals(m.getModel())).toList();
        LossChart.Files2 files = LossChart.write("run " + run + ", model " + key, curve, output);
        System.out.printf(
                "plotted %d metrics of run %s, model %s: %s and %s%n",
                curve.size(), run, key, files.png(), files.svg());
        if (models.size() > 1 && model == null) {
            System.out.println("  the run also trained " + models + ": pick one with --model");
        }
        return 0;
    }
}
