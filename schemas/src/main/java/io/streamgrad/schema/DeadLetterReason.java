package io.streamgrad.schema;

/**
 * Why a record went to the dead-letter topic: the {@code reason} field of a {@link DeadLetter}. The
 * wire names are a contract with the tools that read dead letters (README, "Topics and records").
 */
public enum DeadLetterReason {
    /** The bytes are not a record of the expected schema (not Avro single-object encoding). */
    UNDECODABLE("undecodable"),
    /**
     * Single-object encoding whose schema fingerprint is neither the current schema nor one in the
     * bundled history: written by a newer or foreign producer.
     */
    UNKNOWN_SCHEMA("unknown-schema"),
    /**
     * The record is larger than the topic's record limit; the dead letter carries only its first
     * bytes (the coordinates find the rest).
     */
    RECORD_TOO_LARGE("record-too-large"),
    /** The event has a different number of features from the model's input size. */
    WRONG_FEATURE_COUNT("wrong-feature-count"),
    /** The label does not fit the task: missing or of the wrong type. */
    BAD_LABEL("bad-label"),
    /** A regression label that is NaN or infinite. */
    NON_FINITE_LABEL("non-finite-label"),
    /** A class index outside [0, classes). */
    CLASS_OUT_OF_RANGE("class-out-of-range"),
    /** A feature is NaN or infinite. */
    NON_FINITE_FEATURE("non-finite-feature"),
    /** The event arrived after its event-time window had closed. */
    LATE("late"),
    /**
     * Label joiner: a label for an event whose attribution window had already closed (the event was
     * emitted with its missing-label decision).
     */
    LATE_LABEL("late-label"),
    /** Label joiner: a label for an event id the joiner has not seen (or no longer remembers). */
    UNKNOWN_EVENT("unknown-event"),
    /** Label joiner: a label of the wrong type for the task (or a class out of range). */
    WRONG_LABEL_TYPE("wrong-label-type"),
    /** Label joiner: features for an event id seen before; the first features are kept. */
    DUPLICATE_EVENT("duplicate-event");

    private final String wireName;

    DeadLetterReason(String wireName) {
        this.wireName = wireName;
    }

    /** The value written to {@link DeadLetter#getReason()}. */
    public String wireName() {
        return wireName;
    }

    /**
     * The reason a dead letter carries.
     *
     * @throws IllegalArgumentException for a name no streamgrad version wrote
     */
    public static DeadLetterReason fromWireName(String name) {
        for (DeadLetterReason r : values()) {
            if (r.wireName.equals(name)) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown dead-letter reason '" + name + "'");
    }
}
