package io.streamgrad.model;

import io.streamgrad.config.InvalidSettingException;

/**
 * Whether and how long a model standardizes its features: {@code off}, {@code on} (statistics
 * update for as long as the model trains) or {@code frozen-after:N} (they stop after N examples).
 */
public record Standardization(boolean enabled, long freezeAfter) implements java.io.Serializable {
    public static final Standardization OFF = new Standardization(false, 0);
    public static final Standardization ON = new Standardization(true, Long.MAX_VALUE);
    public static final String USAGE = "on, off or frozen-after:N";

    public static Standardization parse(String text) {
        String t = text.strip();
        if (t.equals("on")) {
            return ON;
        }
        if (t.equals("off")) {
            return OFF;
        }
        if (t.startsWith("frozen-after:")) {
            try {
                long n = Long.parseLong(t.substring("frozen-after:".length()));
                if (n >= 2) {
                    return new Standardization(true, n);
                }
            } catch (NumberFormatException e) {
                // fall through to the message
            }
            throw new InvalidSettingException(
                    "{standardize} " + text + ": N must be a whole number of at least 2 examples");
        }
        throw new InvalidSettingException("unknown {standardize} '" + text + "': use " + USAGE);
    }

    public String describe() {
        if (!enabled) {
            return "off";
        }
        return freezeAfter == Long.MAX_VALUE ? "on" : "frozen-after:" + freezeAfter;
    }
}
