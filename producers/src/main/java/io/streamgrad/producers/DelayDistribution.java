package io.streamgrad.producers;

import java.util.Locale;
import java.util.SplittableRandom;

/** How long a label takes to arrive after its event, as a distribution with a given mean. */
public enum DelayDistribution {
    /** Every label exactly the mean after its event. */
    FIXED,
    /** Uniform on [0, 2·mean]. */
    UNIFORM,
    /** Exponential with the mean: a share exp(−w/mean) of labels arrive after a window w. */
    EXPONENTIAL;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * @throws IllegalArgumentException naming the flag and the accepted values
     */
    public static DelayDistribution fromWireName(String name) {
        for (DelayDistribution d : values()) {
            if (d.wireName().equals(name)) {
                return d;
            }
        }
        throw new IllegalArgumentException(
                "--delay-distribution '"
                        + name
                        + "' is not known: use fixed, uniform or exponential");
    }

    /** A delay in milliseconds (>= 0) drawn from {@code rng}. */
    public long sampleMs(SplittableRandom rng, long meanMs) {
        return switch (this) {
            case FIXED -> meanMs;
            case UNIFORM -> (long) Math.floor(rng.nextDouble() * 2 * meanMs);
            // Inverse CDF; 1 - u is in (0, 1], so the log is finite.
            case EXPONENTIAL -> (long) Math.floor(-meanMs * Math.log(1 - rng.nextDouble()));
        };
    }
}
