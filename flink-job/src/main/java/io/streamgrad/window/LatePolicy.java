package io.streamgrad.window;

import io.streamgrad.config.InvalidSettingException;
import java.util.Locale;

/** What happens to an event whose event-time window has already closed. */
public enum LatePolicy {
    /** To the dead-letter topic with reason {@code late}. */
    DEADLETTER,
    /** Into the earliest window that is still open. */
    NEXT_WINDOW;

    public static final String USAGE = "deadletter or next-window";

    public String wireName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static LatePolicy fromWireName(String name) {
        for (LatePolicy p : values()) {
            if (p.wireName().equals(name)) {
                return p;
            }
        }
        throw new InvalidSettingException(
                "{late-events} '" + name + "' is not a policy; use " + USAGE);
    }
}
