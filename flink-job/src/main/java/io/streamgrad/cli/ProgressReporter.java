package io.streamgrad.cli;

import io.streamgrad.job.JobConfig;
import io.streamgrad.run.JobRunner;
import io.streamgrad.run.MetricsFollower;
import io.streamgrad.schema.MetricKind;
import io.streamgrad.schema.TrainingMetric;
import io.streamgrad.train.ModelConfigs;
import java.io.PrintStream;

/**
 * Follows the metrics topic while a job runs and prints one progress line: iteration, events
 * trained, events/s, loss. On a terminal the line is rewritten in place; otherwise a line is
 * printed every few seconds. The iteration that ends an epoch, and the run's last one, are always
 * shown, before the epoch's line, however soon after the line before they come.
 */
final class ProgressReporter implements JobRunner.Observer {
    private final PrintStream out;
    private final boolean terminal = System.console() != null;
    private MetricsFollower follower;
    private volatile TrainingMetric last;
    private volatile long lastAt;
    private TrainingMetric printed;
    private long start;
    private long lastPrint;

    ProgressReporter(PrintStream out) {
        this.out = out;
    }

    @Override
    public void submitting(JobConfig config) {
        start = System.nanoTime();
        follower =
                new MetricsFollower(
                        config.kafka(),
                        config.topics().metrics(),
                        config.runId(),
                        this::onMetric,
                        this::refresh);
    }

    @Override
    public void started(JobConfig config, String webUiUrl) {
        out.printf("  Flink MiniCluster web UI: %s%n", webUiUrl);
        start = System.nanoTime();
    }

    void onMetric(TrainingMetric m) {
        if (m.getKind() == MetricKind.EPOCH) {
            printPending();
            printEpoch(m);
        } else if (m.getKind() == MetricKind.ALERT) {
            out.printf("  ALERT iteration %d: %s%n", m.getIteration(), m.getDetail());
        } else if (m.getKind() == MetricKind.DRIFT) {
            out.printf("  DRIFT iteration %d: %s%n", m.getIteration(), m.getDetail());
        } else if (m.getKind() == MetricKind.ITERATION) {
            lastAt = System.nanoTime();
            last = m;
        }
    }

    /** The latest iteration's line if the throttle held it back, timed when it arrived. */
    private void printPending() {
        TrainingMetric current = last;
        if (current != null && current != printed) {
            print(current, (lastAt - start) / 1e9);
            lastPrint = System.nanoTime();
            printed = current;
        }
    }

    private void refresh() {
        long now = System.nanoTime();
        long interval = terminal ? 500_000_000L : 5_000_000_000L;
        TrainingMetric current = last;
        if (current != null && current != printed && now - lastPrint > interval) {
            print(current, (now - start) / 1e9);
            lastPrint = now;
            printed = current;
        }
    }

    private void printEpoch(TrainingMetric m) {
        out.printf(
                "%s  %sepoch %d done after %,d updates (%,d in it) | full-pass loss %.4f%s%n",
                terminal ? "\r" : "",
                variantOf(m),
                m.getEpoch(),
                m.getIteration(),
                m.getEpochIteration(),
                m.getLoss(),
                m.getAccuracy() == null
                        ? ""
                        : String.format(" | full-pass accuracy %.4f", m.getAccuracy()));
        out.flush();
    }

    /**
     * "default@adam | " for a backtest variant's model (key@variant), so that the variants' lines
     * tell apart; "" for a job's own models.
     */
    private static String variantOf(TrainingMetric m) {
        String model = m.getModel().toString();
        return model.indexOf(ModelConfigs.VARIANT_SEPARATOR) >= 0 ? model + " | " : "";
    }

    private void print(TrainingMetric m, double seconds) {
        String line = line(m, seconds);
        if (terminal) {
            out.print("\r" + line + "   ");
        } else {
            out.println(line);
        }
        out.flush();
    }

    @Override
    public void ended() {
        if (follower != null) {
            follower.close();
        }
        printPending();
        if (terminal && last != null) {
            out.println();
        }
    }

    /**
     * " default@adam | epoch 1 | iteration 226 | 14,464 examples | …": a backtest's line names its
     * variant's model, as its epoch lines do; a train job's does not.
     */
    static String line(TrainingMetric m, double seconds) {
        return String.format(
                "  %s%siteration %,d | %,d examples | %,.0f examples/s | loss %.4f"
                        + " (smoothed %.4f)%s",
                variantOf(m),
                m.getEpoch() > 0 ? "epoch " + m.getEpoch() + " | " : "",
                m.getIteration(),
                m.getExamplesSeen(),
                m.getExamplesSeen() / Math.max(seconds, 1e-3),
                m.getLoss(),
                m.getSmoothedLoss(),
                m.getAccuracy() == null
                        ? ""
                        : String.format(" | batch accuracy %.3f", m.getAccuracy()));
    }
}
