package io.streamgrad.model;

import io.streamgrad.config.InvalidSettingException;
import org.nd4j.linalg.schedule.ExponentialSchedule;
import org.nd4j.linalg.schedule.FixedSchedule;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.InverseSchedule;
import org.nd4j.linalg.schedule.RampSchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.linalg.schedule.StepSchedule;

/**
 * How the learning rate changes with the iteration i (0-based, counted over the whole run), as
 * ND4J's schedules compute it:
 *
 * <ul>
 *   <li>{@code constant}: lr
 *   <li>{@code step:N:F}: lr·F^⌊i/N⌋
 *   <li>{@code exponential:G}: lr·G^i
 *   <li>{@code inverse-time:G[:P]}: lr / (1 + G·i)^P, P = 1 by default
 * </ul>
 *
 * and with a linear warm-up over the first W iterations, the rate is multiplied by min(1, (i+1)/W).
 */
public record LrSchedule(String kind, double factor, long every, double power, int warmup)
        implements java.io.Serializable {
    public static final String USAGE = "constant, step:N:F, exponential:G or inverse-time:G[:P]";
    public static final LrSchedule CONSTANT = new LrSchedule("constant", 1, 1, 1, 0);

    public LrSchedule {
        if (warmup < 0) {
            throw new InvalidSettingException("{warmup} must be zero or more, got " + warmup);
        }
    }

    public static LrSchedule parse(String text, int warmup) {
        String[] p = text.strip().split(":");
        try {
            LrSchedule s =
                    switch (p[0]) {
                        case "constant" -> p.length == 1 ? CONSTANT : null;
                        case "step" ->
                                p.length == 3
                                        ? new LrSchedule(
                                                "step",
                                                decay(p[2], text),
                                                positive(Long.parseLong(p[1]), text),
                                                1,
                                                0)
                                        : null;
                        case "exponential" ->
                                p.length == 2
                                        ? new LrSchedule("exponential", decay(p[1], text), 1, 1, 0)
                                        : null;
                        case "inverse-time" ->
                                p.length == 2 || p.length == 3
                                        ? new LrSchedule(
                                                "inverse-time",
                                                nonNegative(p[1], text),
                                                1,
                                                p.length == 3 ? nonNegative(p[2], text) : 1,
                                                0)
                                        : null;
                        default -> null;
                    };
            if (s == null) {
                throw new InvalidSettingException(
                        "unknown {lr-schedule} '" + text + "': use " + USAGE);
            }
            return new LrSchedule(s.kind, s.factor, s.every, s.power, warmup);
        } catch (NumberFormatException e) {
            throw new InvalidSettingException(
                    "{lr-schedule} " + text + ": numbers expected, use " + USAGE);
        }
    }

    private static double decay(String v, String text) {
        double f = Double.parseDouble(v);
        if (!(f > 0 && f <= 1)) {
            throw new InvalidSettingException(
                    "{lr-schedule} " + text + ": the decay factor must be in (0, 1], got " + v);
        }
        return f;
    }

    private static double nonNegative(String v, String text) {
        double f = Double.parseDouble(v);
        if (!(f >= 0) || Double.isInfinite(f)) {
            throw new InvalidSettingException(
                    "{lr-schedule} " + text + ": expected a number >= 0, got " + v);
        }
        return f;
    }

    private static long positive(long n, String text) {
        if (n < 1) {
            throw new InvalidSettingException(
                    "{lr-schedule} " + text + ": the step length must be at least 1 iteration");
        }
        return n;
    }

    /** ND4J's schedule for a base learning rate. */
    public ISchedule toNd4j(double lr) {
        ScheduleType t = ScheduleType.ITERATION;
        ISchedule base =
                switch (kind) {
                    case "step" -> new StepSchedule(t, lr, factor, every);
                    case "exponential" -> new ExponentialSchedule(t, lr, factor);
                    case "inverse-time" -> new InverseSchedule(t, lr, factor, power);
                    default -> new FixedSchedule(lr);
                };
        return warmup > 0 ? new RampSchedule(base, warmup) : base;
    }

    /** The shorthand this schedule parses from. */
    public String describe() {
        String s =
                switch (kind) {
                    case "step" -> "step:" + every + ":" + factor;
                    case "exponential" -> "exponential:" + factor;
                    case "inverse-time" -> "inverse-time:" + factor + ":" + power;
                    default -> "constant";
                };
        return warmup > 0 ? s + ", warm-up " + warmup : s;
    }
}
