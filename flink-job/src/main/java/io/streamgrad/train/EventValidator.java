package io.streamgrad.train;

import io.streamgrad.batch.TrainingExample;
import io.streamgrad.model.ModelSpec;
import io.streamgrad.schema.DeadLetterReason;
import io.streamgrad.schema.LabeledEvent;
import io.streamgrad.schema.Task;
import java.util.List;

/** Checks a decoded event against the model it trains and turns it into a training example. */
public final class EventValidator {
    private EventValidator() {}

    public static TrainingExample validate(LabeledEvent event, ModelSpec spec) {
        List<Float> f = event.getFeatures();
        if (f.size() != spec.inputSize()) {
            throw new InvalidEventException(
                    DeadLetterReason.WRONG_FEATURE_COUNT,
                    "event "
                            + event.getEventId()
                            + " has "
                            + f.size()
                            + " features, the model expects "
                            + spec.inputSize());
        }
        float[] features = new float[f.size()];
        for (int i = 0; i < features.length; i++) {
            float v = f.get(i);
            if (!Float.isFinite(v)) {
                throw new InvalidEventException(
                        DeadLetterReason.NON_FINITE_FEATURE,
                        "event " + event.getEventId() + " feature " + i + " is " + v);
            }
            features[i] = v;
        }
        return new TrainingExample(
                event.getModel(),
                event.getEventId(),
                event.getEventTime(),
                features,
                label(event, spec),
                -1,
                -1);
    }

    private static double label(LabeledEvent event, ModelSpec spec) {
        Object label = event.getLabel();
        if (spec.task() == Task.REGRESSION) {
            if (!(label instanceof Double d)) {
                throw new InvalidEventException(
                        DeadLetterReason.BAD_LABEL,
                        "event "
                                + event.getEventId()
                                + ": regression needs a finite double label, got "
                                + describe(label));
            }
            if (!Double.isFinite(d)) {
                throw new InvalidEventException(
                        DeadLetterReason.NON_FINITE_LABEL,
                        "event " + event.getEventId() + ": the label is " + d);
            }
            return d;
        }
        if (!(label instanceof Integer k) || k < 0 || k >= spec.classes()) {
            throw new InvalidEventException(
                    label instanceof Integer
                            ? DeadLetterReason.CLASS_OUT_OF_RANGE
                            : DeadLetterReason.BAD_LABEL,
                    "event "
                            + event.getEventId()
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
