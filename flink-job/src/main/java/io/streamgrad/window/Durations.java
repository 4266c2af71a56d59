package io.streamgrad.window;

import io.streamgrad.config.InvalidSettingException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as users write them on the command line: {@code 500ms}, {@code 10s}, {@code 2m}. */
public final class Durations {
    private static final Pattern FORM = Pattern.compile("(-?\\d+)\\s*(ms|s|m|h|d)?");

    private Durations() {}

    /**
     * Parses a non-negative duration into milliseconds. A bare number is milliseconds only when it
     * is 0; otherwise a unit is required, so that {@code 10} is not silently 10 ms.
     *
     * @param flag the flag the value came from, named in the error
     */
    public static long parseMillis(String flag, String value) {
        String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        Matcher m = FORM.matcher(v);
        if (!m.matches()) {
            throw new InvalidSettingException(
                    flag
                            + " '"
                            + value
                            + "' is not a duration: write a number and a unit, e.g. 500ms, 10s,"
                            + " 2m, 1h");
        }
        long n;
        try {
            n = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            throw new InvalidSettingException(flag + " '" + value + "' is too large");
        }
        if (n < 0) {
            throw new InvalidSettingException(
                    flag + " " + value + " is negative; give 0 or a positive duration such as 5s");
        }
        String unit = m.group(2);
        if (unit == null && n != 0) {
            throw new InvalidSettingException(
                    flag + " " + value + " has no unit; write e.g. " + n + "ms or " + n + "s");
        }
        long factor =
                unit == null
                        ? 1
                        : switch (unit) {
                            case "ms" -> 1L;
                            case "s" -> 1_000L;
                            case "m" -> 60_000L;
                            case "h" -> 3_600_000L;
                            default -> 86_400_000L;
                        };
        try {
            return Math.multiplyExact(n, factor);
        } catch (ArithmeticException e) {
            throw new InvalidSettingException(flag + " '" + value + "' is too large");
        }
    }

    /**
     * A duration of at least {@code millis} as a person would suggest it: whole units of the
     * largest unit that still counts 10 or more of them, rounded up (113,373,262 ms → "32h", 90,500
     * → "91s", 640 → "640ms"); at most a tenth longer than asked, except below 10 ms.
     */
    public static String formatRoundedUp(long millis) {
        long[] factors = {86_400_000L, 3_600_000L, 60_000L, 1_000L};
        String[] units = {"d", "h", "m", "s"};
        for (int i = 0; i < factors.length; i++) {
            if (millis >= 10 * factors[i]) {
                return (millis + factors[i] - 1) / factors[i] + units[i];
            }
        }
        return format(millis);
    }

    /** The shortest exact spelling of a duration: 10000 → "10s", 1500 → "1500ms". */
    public static String format(long millis) {
        if (millis == 0) {
            return "0";
        }
        long[] factors = {86_400_000L, 3_600_000L, 60_000L, 1_000L};
        String[] units = {"d", "h", "m", "s"};
        for (int i = 0; i < factors.length; i++) {
            if (millis % factors[i] == 0) {
                return millis / factors[i] + units[i];
            }
        }
        return millis + "ms";
    }
}
