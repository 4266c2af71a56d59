package io.streamgrad.schema;

import java.util.Locale;

/**
 * What a model predicts, and therefore which {@link LabeledEvent} label it accepts: a double for
 * regression, an int class index for binary ({0, 1}) and multi-class ([0, classes)).
 */
public enum Task {
    REGRESSION,
    BINARY,
    MULTICLASS;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean isClassification() {
        return this != REGRESSION;
    }

    public static Task fromWireName(String name) {
        for (Task t : values()) {
            if (t.wireName().equals(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException(
                "unknown task '" + name + "': use regression, binary or multiclass");
    }
}
