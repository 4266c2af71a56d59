package io.streamgrad.cli;

import io.streamgrad.job.JobConfig;
import io.streamgrad.run.JobRunner;
import io.streamgrad.run.TopicFollower;
import io.streamgrad.schema.DeadLetter;
import io.streamgrad.schema.MetricKind;
import io.streamgrad.schema.TrainingMetric;
import io.streamgrad.train.ModelConfigs;
import java.io.PrintStream;

/**
 * Follows the metrics topic while a job runs and prints one progress line: iteration, events
 * trained, events/s, loss, and, once there are any, how many records of the events topic were
 * dead-lettered since the run started (followed on the dead-letter topic). On a terminal the line
 * is rewritten in place; otherwise a line is printed every few seconds. The iteration that ends an
 * epoch, and the run's last one, are always shown, before the epoch's line, however soon after the
 * line before they come. Dead letters committed after the run's last line (with the job's final
 * checkpoint) are counted on a line of their own at the end.
 */
final class ProgressReporter implements JobRunner.Observer {
    private final PrintStream out;
    private final boolean terminal = System.console() != null;
    private TopicFollower<TrainingMetric> follower;
    private TopicFollower<DeadLetter> deadLetterFollower;
    // Dead letters of the events topic committed since this run started (any writer's: an
    // evaluate beside a live run dead-letters the same records).
    private volatile long deadLettered;
    // The count on the last iteration line shown: the letters of a run's last checkpoints are
    // committed with the job's end, after its last line.
    private long deadLetteredShown;

    /** Each model's latest iteration (a backtest's variants interleave), and when it came. */
    private final java.util.Map<String, Latest> latest = new java.util.LinkedHashMap<>();

    private TrainingMetric last;
    // When the job started (wall clock, ms): the first line's rate counts from here.
    private volatile long startMs;
    private long lastPrint;
    private boolean lineOpen;

    private static final class Latest {
        TrainingMetric metric;
        boolean printed;
        // The rate on a line is over the examples since the line before (the first line: since
        // the job started, from what the model had trained before this attempt's first step, so
        // that a resumed run's earlier attempts do not count as this one's).
        long baseExamples = -1;
        long baseAt;
    }

    ProgressReporter(PrintStream out) {
        this.out = out;
    }

    @Override
    public void submitting(JobConfig config) {
        startMs = System.currentTimeMillis();
        String runId = config.runId();
        follower =
                new TopicFollower<>(
                        config.kafka(),
                        config.topics().metrics(),
                        TrainingMetric.class,
                        m -> runId.equals(m.getRunId().toString()),
                        this::onMetric,
                        this::refresh);
        String events = config.topics().events();
        deadLetterFollower =
                new TopicFollower<>(
                        config.kafka(),
                        config.topics().deadLetter(),
                        DeadLetter.class,
                        d -> events.equals(d.getTopic().toString()),
                        d -> onDeadLetter(),
                        () -> {});
    }

    /** One more dead letter of the events topic. */
    synchronized void onDeadLetter() {
        deadLettered++;
    }

    @Override
    public void started(JobConfig config, String webUiUrl) {
        out.printf("  Flink MiniCluster web UI: %s%n", webUiUrl);
        startMs = System.currentTimeMillis();
    }

    /** For tests: the job started at {@code millis} (wall clock). */
    synchronized void startedAt(long millis) {
        startMs = millis;
    }

    synchronized void onMetric(TrainingMetric m) {
        if (m.getKind() == MetricKind.EPOCH) {
            printPending(latest.get(m.getModel().toString()));
            printEpoch(m);
        } else if (m.getKind() == MetricKind.ALERT) {
            out.printf("  ALERT iteration %d: %s%n", m.getIteration(), m.getDetail());
        } else if (m.getKind() == MetricKind.DRIFT) {
            out.printf("  DRIFT iteration %d: %s%n", m.getIteration(), m.getDetail());
        } else if (m.getKind() == MetricKind.ITERATION) {
            Latest l = latest.computeIfAbsent(m.getModel().toString(), k -> new Latest());
            if (l.baseExamples < 0) {
                l.baseExamples = Math.max(0, m.getExamplesSeen() - m.getBatchSize());
                l.baseAt = startMs;
            }
            if (m.getEmittedAt() < startMs) {
                // An earlier attempt's update, committed by this one's recovery: history.
                l.baseExamples = m.getExamplesSeen();
            }
            l.metric = m;
            l.printed = false;
            last = m;
        }
    }

    /**
     * A model's latest iteration if the throttle held it back, timed when it arrived, on a line of
     * its own (a terminal's line is not left open for the next to overwrite).
     */
    private void printPending(Latest l) {
        if (l != null && !l.printed) {
            print(l.metric, rateSinceLastLine(l));
            if (terminal) {
                out.println();
                lineOpen = false;
            }
            lastPrint = System.nanoTime();
            l.printed = true;
        }
    }

    private synchronized void refresh() {
        long now = System.nanoTime();
        long interval = terminal ? 500_000_000L : 5_000_000_000L;
        TrainingMetric current = last;
        if (current != null && now - lastPrint > interval) {
            Latest l = latest.get(current.getModel().toString());
            if (!l.printed) {
                print(current, rateSinceLastLine(l));
                lastPrint = now;
                l.printed = true;
            }
        }
    }

    /** Examples per second since the model's line before, up to its latest metric's arrival. */
    private static double rateSinceLastLine(Latest l) {
        // By the updates' own times (emitted_at, wall clock): metrics reach the follower in bursts,
        // one per checkpoint's commit, so their arrival times say nothing of the rate.
        long at = Math.max(l.metric.getEmittedAt(), l.baseAt);
        if (at - l.baseAt < 50) {
            // Too short a span to say a rate (two lines in one burst of updates).
            return Double.NaN;
        }
        double seconds = (at - l.baseAt) / 1e3;
        double rate = (l.metric.getExamplesSeen() - l.baseExamples) / seconds;
        l.baseExamples = l.metric.getExamplesSeen();
        l.baseAt = at;
        return rate;
    }

    private void printEpoch(TrainingMetric m) {
        lineOpen = false;
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

    private void print(TrainingMetric m, double examplesPerSecond) {
        deadLetteredShown = deadLettered;
        String line = line(m, examplesPerSecond, deadLetteredShown);
        if (terminal) {
            out.print("\r" + line + "   ");
            lineOpen = true;
        } else {
            out.println(line);
        }
        out.flush();
    }

    @Override
    public void ended() {
        if (deadLetterFollower != null) {
            deadLetterFollower.close();
        }
        if (follower != null) {
            follower.close();
        }
        synchronized (this) {
            // Every model's last iteration, however soon after its line before it came.
            for (Latest l : latest.values()) {
                printPending(l);
            }
            if (terminal && lineOpen) {
                out.println();
                lineOpen = false;
            }
            if (deadLettered != deadLetteredShown) {
                // The follower read the topic to its end when the job ended: the whole count.
                out.printf("  %,d dead-lettered by the end of the run%n", deadLettered);
                deadLetteredShown = deadLettered;
                out.flush();
            }
        }
    }

    /**
     * " default@adam | epoch 1 | iteration 226 | 14,464 examples | …": a backtest's line names its
     * variant's model, as its epoch lines do; a train job's does not. "| 12 dead-lettered" ends it
     * once records were dead-lettered ({@code dead-letters} says which and why).
     */
    static String line(TrainingMetric m, double examplesPerSecond, long deadLettered) {
        return String.format(
                "  %s%siteration %,d | %,d examples | %s examples/s | loss %.4f"
                        + " (smoothed %.4f)%s%s",
                variantOf(m),
                m.getEpoch() > 0 ? "epoch " + m.getEpoch() + " | " : "",
                m.getIteration(),
                m.getExamplesSeen(),
                Double.isNaN(examplesPerSecond) ? "–" : String.format("%,.0f", examplesPerSecond),
                m.getLoss(),
                m.getSmoothedLoss(),
                m.getAccuracy() == null
                        ? ""
                        : String.format(" | batch accuracy %.3f", m.getAccuracy()),
                deadLettered == 0 ? "" : String.format(" | %,d dead-lettered", deadLettered));
    }
}
