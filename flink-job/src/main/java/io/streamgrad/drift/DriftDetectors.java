package io.streamgrad.drift;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Detectors from a one-line spec, as a flag gives it: {@code page-hinkley}, {@code
 * page-hinkley:delta=0.01,lambda=100,min-instances=30}, {@code adwin}, {@code
 * adwin:delta=0.002,buckets=5,clock=32,min-window=5}. Omitted parameters take the defaults shown:
 * on a 0/1 error stream at 20% they raised no false alarm in 1,000,000 values and detected a jump
 * to 50% after 225–410 (Page-Hinkley) and 63–127 (ADWIN) values over five seeds (see
 * DriftDetectorsTest).
 */
public final class DriftDetectors {
    private DriftDetectors() {}

    /**
     * A factory of fresh detectors for the spec (one per model).
     *
     * @throws IllegalArgumentException naming the flag, the spec and what is accepted
     */
    public static Supplier<DriftDetector> parse(String flag, String spec) {
        String s = spec.strip();
        int colon = s.indexOf(':');
        String name = colon < 0 ? s : s.substring(0, colon);
        Map<String, String> params = new HashMap<>();
        if (colon >= 0) {
            for (String kv : s.substring(colon + 1).split(",")) {
                int eq = kv.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException(
                            flag
                                    + " '"
                                    + spec
                                    + "': write parameters as name=value, got '"
                                    + kv
                                    + "'");
                }
                params.put(kv.substring(0, eq).strip(), kv.substring(eq + 1).strip());
            }
        }
        try {
            switch (name) {
                case "page-hinkley" -> {
                    double delta = number(params, "delta", 0.01);
                    double lambda = number(params, "lambda", 100);
                    long min = (long) number(params, "min-instances", 30);
                    known(flag, spec, params);
                    new PageHinkley(delta, lambda, min); // validate now, not at first use
                    return () -> new PageHinkley(delta, lambda, min);
                }
                case "adwin" -> {
                    double delta = number(params, "delta", 0.002);
                    int buckets = (int) number(params, "buckets", 5);
                    int clock = (int) number(params, "clock", 32);
                    int min = (int) number(params, "min-window", 5);
                    known(flag, spec, params);
                    new Adwin(delta, buckets, clock, min);
                    return () -> new Adwin(delta, buckets, clock, min);
                }
                default ->
                        throw new IllegalArgumentException(
                                flag
                                        + " '"
                                        + spec
                                        + "' is not known: use page-hinkley[:delta=..,lambda=..]"
                                        + " or adwin[:delta=..]");
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    flag + " '" + spec + "': a parameter is not a number (" + e.getMessage() + ")");
        } catch (IllegalArgumentException e) {
            if (e.getMessage().startsWith(flag)) {
                throw e;
            }
            throw new IllegalArgumentException(flag + " '" + spec + "': " + e.getMessage());
        }
    }

    private static double number(Map<String, String> params, String key, double fallback) {
        String v = params.remove(key);
        return v == null ? fallback : Double.parseDouble(v);
    }

    private static void known(String flag, String spec, Map<String, String> left) {
        if (!left.isEmpty()) {
            throw new IllegalArgumentException(
                    flag + " '" + spec + "': unknown parameter(s) " + left.keySet());
        }
    }
}
