package io.streamgrad.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.streamgrad.run.RunSummary;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/** A run summary for people (the console) and for scripts ({@code --summary-json}). */
final class RunSummaryOutput {
    private RunSummaryOutput() {}

    static void writeJson(RunSummary s, Path file) {
        try {
            new ObjectMapper()
                    .enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValue(file.toFile(), s);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the summary to " + file, e);
        }
    }

    static void print(RunSummary s, PrintStream out) {
        out.printf(
                "%nsummary of run %s (model %s, backend %s, device %s)%n",
                s.runId(), s.model(), s.backend(), s.device());
        out.printf(
                "  events consumed   %,d (trained %,d, dead-lettered %,d)%n",
                s.eventsConsumed(), s.eventsTrained(), s.deadLettered());
        if (s.lateDeadLettered() + s.lateNextWindow() > 0) {
            out.printf(
                    "  late events       %,d dead-lettered, %,d moved to the next window%n",
                    s.lateDeadLettered(), s.lateNextWindow());
        }
        if (s.skippedUpdates() > 0) {
            out.printf(
                    "  divergence guard  %,d updates skipped (non-finite loss or gradient), %,d"
                            + " restores of the last good parameters%n",
                    s.skippedUpdates(), s.divergenceRestores());
        }
        out.printf(
                "  iterations        %,d at batch size %s, window %s, %d epoch%s (%s per epoch),"
                        + " untrained %d%n",
                s.iterations(),
                s.batchSize(),
                s.window(),
                s.epochs(),
                s.epochs() == 1 ? "" : "s",
                s.epochIterations(),
                s.untrained());
        out.printf(
                "  loss              %s -> %s (mean of first and last %d iterations, before"
                        + " update)%n",
                fmt(s.initialLoss()), fmt(s.finalLoss()), RunSummary.LOSS_WINDOW);
        if (!s.epochLosses().isEmpty()) {
            out.printf("  full-pass loss    %s (after each epoch)%n", fmtAll(s.epochLosses()));
        }
        if (s.holdoutEvents() > 0) {
            out.printf(
                    "  holdout           loss %s, accuracy %s on %,d events never trained on%n",
                    fmt(s.holdoutLoss()),
                    s.holdoutAccuracy() == null
                            ? "n/a (regression)"
                            : String.format("%.4f", s.holdoutAccuracy()),
                    s.holdoutEvents());
        }
        if (s.holdoutUnscored() > 0) {
            out.printf(
                    "  holdout unscored  %,d events the model could not score (left out above)%n",
                    s.holdoutUnscored());
        }
        out.printf(
                "  snapshots         %d emitted, last version %s, checksum %s%n",
                s.snapshotsEmitted(),
                s.lastSnapshotVersion() == null ? "none" : s.lastSnapshotVersion().toString(),
                s.modelChecksum());
        out.printf(
                "  throughput        %,.0f examples/s from the first record to the last update"
                        + " (%s); start-up %s; %.1f s wall in all%n",
                s.eventsPerSecond(),
                s.rateSpanSeconds() == null
                        ? "no update"
                        : String.format("%.1f s", s.rateSpanSeconds()),
                s.startupSeconds() == null
                        ? "unknown"
                        : String.format("%.1f s", s.startupSeconds()),
                s.wallSeconds());
        if (s.epochEventsPerSecond().size() > 1) {
            out.printf(
                    "  per epoch         %s examples/s (each from the previous epoch's last update:"
                            + " the first with the JVM's warm-up, later ones warm)%n",
                    s.epochEventsPerSecond().stream()
                            .map(r -> String.format("%,.0f", r))
                            .collect(Collectors.joining(", ")));
        }
        if (s.meanStepSeconds() != null && s.meanIterationSeconds() != null) {
            out.printf(
                    "  per iteration     %s in the training step (τ_f + τ_d·b: forward, backward,"
                            + " update), %s of job time (with reading, decoding, windowing)%n",
                    AdviseCommand.seconds(s.meanStepSeconds()),
                    AdviseCommand.seconds(s.meanIterationSeconds()));
        }
    }

    private static String fmtAll(List<Double> values) {
        return values.stream().map(RunSummaryOutput::fmt).collect(Collectors.joining(", "));
    }

    private static String fmt(Double d) {
        return d == null ? "n/a" : String.format("%.4f", d);
    }
}
