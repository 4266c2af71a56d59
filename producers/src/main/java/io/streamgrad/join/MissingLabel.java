package io.streamgrad.join;

import java.util.Locale;

/** What the joiner writes for an event whose label has not come when its window closes. */
public enum MissingLabel {
    /** A LabeledEvent with class 0, as for clicks: no click within the window is a negative. */
    NEGATIVE,
    /** Nothing: the event is counted as dropped. */
    DROP;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * @throws IllegalArgumentException naming the flag and the accepted values
     */
    public static MissingLabel fromWireName(String name) {
        for (MissingLabel m : values()) {
            if (m.wireName().equals(name)) {
                return m;
            }
        }
        throw new IllegalArgumentException(
                "--missing-label '" + name + "' is not known: use negative or drop");
    }
}
