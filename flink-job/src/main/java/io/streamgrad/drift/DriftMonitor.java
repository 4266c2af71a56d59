package io.streamgrad.drift;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The drift detectors of one model, fed its prequential (test-then-train) loss one batch at a time,
 * with their state as bytes so that a stateful operator can keep it between calls and in
 * checkpoints.
 *
 * <p>Lifecycle: {@link #fromSpecs}, optionally {@link #restore} the bytes of an earlier {@link
 * #state}, then {@link #observe} each batch loss.
 */
public final class DriftMonitor {
    /** A detector fired at this iteration. */
    public record Alarm(String detector, long iteration, double loss, String detail) {}

    private final List<DriftDetector> detectors;

    private DriftMonitor(List<DriftDetector> detectors) {
        this.detectors = detectors;
    }

    /**
     * @param specs detector specs as {@link DriftDetectors#parse} reads them
     * @throws IllegalArgumentException for a bad spec, naming {@code flag}
     */
    public static DriftMonitor fromSpecs(String flag, List<String> specs) {
        List<DriftDetector> ds = new ArrayList<>();
        for (String s : specs) {
            ds.add(DriftDetectors.parse(flag, s).get());
        }
        return new DriftMonitor(ds);
    }

    public boolean isEmpty() {
        return detectors.isEmpty();
    }

    /**
     * Feeds one batch loss to every detector; non-finite losses (a diverged batch) are skipped.
     * Page-Hinkley restarts after an alarm; ADWIN may fire on a few successive checks of one change
     * while it drops the old regime bucket by bucket.
     *
     * @return the detectors that fired, usually none
     */
    public List<Alarm> observe(long iteration, double loss) {
        if (!Double.isFinite(loss)) {
            return List.of();
        }
        List<Alarm> alarms = new ArrayList<>(0);
        for (DriftDetector d : detectors) {
            if (d.update(loss)) {
                alarms.add(
                        new Alarm(
                                d.describe(),
                                iteration,
                                loss,
                                String.format(
                                        Locale.ROOT,
                                        "%s detected a change in the prequential loss at iteration"
                                                + " %d (batch loss %.4f; detection %d after %d"
                                                + " batches)",
                                        d.describe(),
                                        iteration,
                                        loss,
                                        d.detections(),
                                        d.count())));
            }
        }
        return alarms;
    }

    /** Every detector's state, in order. */
    public byte[] state() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(detectors.size());
            for (DriftDetector d : detectors) {
                out.writeUTF(d.describe());
                d.writeState(out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * Restores the state of a monitor built from the same specs.
     *
     * @throws IllegalStateException if the bytes were written by other detectors (the specs changed
     *     between runs): start the model afresh or keep the specs
     */
    public void restore(byte[] state) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(state))) {
            int n = in.readInt();
            if (n != detectors.size()) {
                throw new IllegalStateException(
                        "the saved drift state has "
                                + n
                                + " detectors, the run "
                                + detectors.size());
            }
            for (DriftDetector d : detectors) {
                String saved = in.readUTF();
                if (!saved.equals(d.describe())) {
                    throw new IllegalStateException(
                            "the saved drift state is of "
                                    + saved
                                    + ", the run has "
                                    + d.describe());
                }
                d.readState(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt drift detector state", e);
        }
    }
}
