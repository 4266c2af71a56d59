package io.streamgrad.train;

import io.streamgrad.batch.TrainingExample;
import io.streamgrad.model.ModelSpec;
import io.streamgrad.schema.DeadLetterReason;
import io.streamgrad.schema.LabeledEvent;
import io.streamgrad.schema.LabeledEventDecoder;
import io.streamgrad.schema.Task;

/** Checks a decoded event against the model it trains and turns it into a training example. */
public final class EventValidator {
    private EventValidator() {}

    public static TrainingExample validate(LabeledEvent event, ModelSpec spec) {
        return validate(LabeledEventDecoder.of(event), spec);
    }

    /**
     * @param event as {@link LabeledEventDecoder} decodes it (its features array becomes the
     *     example's, not copied)
     * @throws InvalidEventException with the dead-letter reason, for an event the model cannot
     *     train on
     */
    public static TrainingExample validate(LabeledEventDecoder.Event event, ModelSpec spec) {
        float[] features = event.features();
        if (features.length != spec.inputSize()) {
            throw new InvalidEventException(
                    DeadLetterReason.WRONG_FEATURE_COUNT,
                    "event "
                            + event.eventId()
                            + " has "
                            + features.length
                            + " features, the model expects "
                            + spec.inputSize());
        }
        for (int i = 0; i < features.length; i++) {
            if (!Float.isFinite(features[i])) {
                throw new InvalidEventException(
                        DeadLetterReason.NON_FINITE_FEATURE,
                        "event " + event.eventId() + " feature " + i + " is " + features[i]);
            }
        }
        return new TrainingExample(
                event.model(),
                event.eventId(),
                event.eventTime(),
                features,
                label(event, spec),
                -1,
                -1);
    }

    private static double label(LabeledEventDecoder.Event event, ModelSpec spec) {
        Object label = event.label();
        if (spec.task() == Task.REGRESSION) {
            if (!(label instanceof Double d)) {
                throw new InvalidEventException(
                        DeadLetterReason.BAD_LABEL,
                        "event "
                                + event.eventId()
                                + ": regression needs a finite double label, got "
                                + describe(label));
            }
            if (!Double.isFinite(d)) {
                throw new InvalidEventException(
                        DeadLetterReason.NON_FINITE_LABEL,
                        "event " + event.eventId() + ": the label is " + d);
            }
            return d;
        }
        if (!(label instanceof Integer k) || k < 0 || k >= spec.classes()) {
            throw new InvalidEventException(
                    label instanceof Integer
                            ? DeadLetterReason.CLASS_OUT_OF_RANGE
                            : DeadLetterReason.BAD_LABEL,
                    "event "
                            + event.eventId()
                            + ": "
                            + spec.task().wireName()
                            + " needs an int class index in [0, "
                            + spec.classes()
                            + "), got "
                            + describe(label));
        }
        return k;
    }

    private static String describe(Object label) {
        return label == null ? "null" : label.getClass().getSimpleName() + " " + label;
    }
}
