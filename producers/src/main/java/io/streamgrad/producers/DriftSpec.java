package io.streamgrad.producers;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * How a synthetic stream changes: its teacher is replaced by a second one from event {@code at},
 * abruptly ({@code span} 0) or gradually over {@code span} events, and its class frequencies can be
 * skewed. Terms as in Gama et al., "A survey on concept drift adaptation", ACM Computing Surveys
 * 46(4), 2014, section 2.3: in a gradual drift the new concept is drawn with a probability that
 * grows linearly from 0 at {@code at} to 1 at {@code at + span}.
 *
 * <p>Class skew is rejection sampling: a drawn example of class y is kept with probability {@code
 * w_y / max_k w_k}, so the class frequencies become {@code p(y) w_y / Σ_k p(k) w_k} where p is the
 * teacher's own; features keep their conditional distribution given the class.
 *
 * @param at index of the first event that may come from the new teacher; -1 for no teacher change
 * @param span events over which the change is gradual; 0 for an abrupt change
 * @param newTeacherSeed seed of the second teacher
 * @param classWeights relative class frequencies (null for the teacher's own), one per class
 */
public record DriftSpec(long at, long span, long newTeacherSeed, double[] classWeights) {

    /** No drift: events are exactly those of {@link SyntheticEvents} without a spec. */
    public static final DriftSpec NONE = new DriftSpec(-1, 0, 0, null);

    private static final long CHOICE_SALT = 0xD21F7L;

    public DriftSpec {
        if (at < -1) {
            throw new IllegalArgumentException(
                    "--drift-at must be >= 0 (or -1 for none), got " + at);
        }
        if (span < 0) {
            throw new IllegalArgumentException("--drift-span must be >= 0, got " + span);
        }
        if (classWeights != null) {
            classWeights = classWeights.clone();
            double max = 0;
            for (double w : classWeights) {
                if (!(w >= 0) || Double.isInfinite(w)) {
                    throw new IllegalArgumentException(
                            "--class-weights must be finite and >= 0, got "
                                    + Arrays.toString(classWeights));
                }
                max = Math.max(max, w);
            }
            if (max == 0) {
                throw new IllegalArgumentException(
                        "--class-weights need at least one positive weight, got "
                                + Arrays.toString(classWeights));
            }
        }
    }

    public boolean changesTeacher() {
        return at >= 0;
    }

    public boolean skewsClasses() {
        return classWeights != null;
    }

    public boolean isNone() {
        return !changesTeacher() && !skewsClasses();
    }

    /**
     * True if event {@code index} comes from the new teacher: never before {@code at}, always from
     * {@code at + span}, and in between with probability {@code (index − at + 1) / (span + 1)},
     * drawn from a stream of its own so the features' and labels' stream is untouched.
     */
    public boolean fromNewTeacher(long seed, long index) {
        if (!changesTeacher() || index < at) {
            return false;
        }
        if (index >= at + span) {
            return true;
        }
        double p = (index - at + 1) / (double) (span + 1);
        return new SplittableRandom(SyntheticEvents.mix(seed ^ CHOICE_SALT, index)).nextDouble()
                < p;
    }

    /** Probability of keeping a drawn example of class {@code y} (1 without skew). */
    double keep(int y) {
        if (classWeights == null) {
            return 1;
        }
        double max = Arrays.stream(classWeights).max().orElse(1);
        return y < classWeights.length ? classWeights[y] / max : 0;
    }

    /** For the event's source string, e.g. "drift=abrupt@5000" or "classes=1:9". */
    String describe() {
        StringBuilder b = new StringBuilder();
        if (changesTeacher()) {
            b.append(span == 0 ? "drift=abrupt@" + at : "drift=gradual@" + at + "+" + span);
        }
        if (skewsClasses()) {
            b.append(b.length() > 0 ? ";" : "").append("classes=");
            for (int k = 0; k < classWeights.length; k++) {
                b.append(k > 0 ? ":" : "")
                        .append(String.format(Locale.ROOT, "%s", classWeights[k]));
            }
        }
        return b.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DriftSpec d
                && at == d.at
                && span == d.span
                && newTeacherSeed == d.newTeacherSeed
                && Arrays.equals(classWeights, d.classWeights);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(at) * 31 + Long.hashCode(span) + Arrays.hashCode(classWeights);
    }
}
