package io.streamgrad.cli;

import io.streamgrad.run.EvaluateRun;
import java.io.PrintStream;

/**
 * A progress bar with rate and ETA for {@code evaluate}, on stderr so that stdout stays the report:
 * rewritten in place on a terminal, else a line every few seconds. The total is the range's record
 * count (an upper bound: dead letters and transaction markers are not scored).
 */
final class EvaluateProgress implements EvaluateRun.Progress {
    private static final int WIDTH = 30;
    private final PrintStream out;
    private final boolean terminal = System.console() != null;
    private long lastPrint;
    private boolean printed;
    private long lastScored;
    private long lastTotal;
    // The first update that had scored anything: the rate and ETA count from there, not from the
    // job's start (its first records arrive a second or more after it), which made the first ETA
    // of a 4-s job read 2 minutes.
    private long firstAt;
    private long firstScored = -1;
    private long lastPrinted = -1;

    EvaluateProgress(PrintStream out) {
        this.out = out;
    }

    @Override
    public void started(String webUiUrl) {
        out.printf("  Flink MiniCluster web UI: %s%n", webUiUrl);
    }

    @Override
    public void update(long scored, long total) {
        long now = System.nanoTime();
        lastScored = scored;
        lastTotal = total;
        if (firstScored < 0 && scored > 0) {
            firstScored = scored;
            firstAt = now;
        }
        long interval = terminal ? 200_000_000L : 5_000_000_000L;
        if (now - lastPrint < interval && scored < total) {
            return;
        }
        lastPrint = now;
        lastPrinted = scored;
        out.print(lineAtRate(scored, total, rate(now), terminal));
        out.flush();
        printed = true;
    }

    /**
     * Events per second since the first update that had scored any, once that is at least a second
     * ago; NaN before (too few updates to tell).
     */
    private double rate(long now) {
        return rate(now, 1);
    }

    /** As {@link #rate(long)}, once the first update is {@code atLeastSeconds} ago. */
    private double rate(long now, double atLeastSeconds) {
        double seconds = (now - firstAt) / 1e9;
        return firstScored < 0 || seconds < atLeastSeconds || lastScored == firstScored
                ? Double.NaN
                : (lastScored - firstScored) / seconds;
    }

    /** "[#########.....] 45% 12,345/27,000 events | 8,120 events/s | ETA 2 s". */
    static String line(long scored, long total, double seconds, boolean inPlace) {
        return lineAtRate(scored, total, scored / Math.max(seconds, 1e-3), inPlace);
    }

    /**
     * As {@link #line(long, long, double, boolean)} at a given rate (events/s; NaN: not known yet,
     * shown as "?").
     */
    static String lineAtRate(long scored, long total, double rate, boolean inPlace) {
        double fraction = total <= 0 ? 1 : Math.min(1, scored / (double) total);
        int filled = (int) Math.round(fraction * WIDTH);
        String eta =
                total > 0 && scored >= total
                        ? formatSeconds(0)
                        : scored == 0 || Double.isNaN(rate)
                                ? "?"
                                : formatSeconds(Math.max(0, total - scored) / Math.max(rate, 1e-9));
        return String.format(
                "%s  [%s%s] %3.0f%% %,d/%,d events | %s events/s | ETA %s%s",
                inPlace ? "\r" : "",
                "#".repeat(filled),
                ".".repeat(WIDTH - filled),
                fraction * 100,
                scored,
                total,
                Double.isNaN(rate) ? "?" : String.format("%,.0f", rate),
                eta,
                inPlace ? "   " : "\n");
    }

    static String formatSeconds(double s) {
        if (s < 90) {
            return String.format("%.0f s", s);
        }
        if (s < 5400) {
            return String.format("%.0f min %02.0f s", Math.floor(s / 60), s % 60);
        }
        return String.format("%.1f h", s / 3600);
    }

    @Override
    public void ended() {
        if (terminal && printed) {
            out.println();
        } else if (!terminal && lastScored > 0 && lastScored != lastPrinted) {
            // The last state, whatever the interval: a short run prints at least once, with the
            // rate it had, however short (a tenth of a second at least).
            out.print(lineAtRate(lastScored, lastTotal, rate(System.nanoTime(), 0.1), false));
        }
        out.flush();
    }
}
