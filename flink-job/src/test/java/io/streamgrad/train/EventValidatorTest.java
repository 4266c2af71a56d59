package io.streamgrad.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamgrad.batch.TrainingExample;
import io.streamgrad.model.Activation;
import io.streamgrad.model.ModelSpec;
import io.streamgrad.schema.LabeledEvent;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventValidatorTest {
    private static final ModelSpec SOFTMAX = ModelSpec.parse("softmax", 2, 3, Activation.RELU);
    private static final ModelSpec LINEAR = ModelSpec.parse("linear", 2, 0, Activation.RELU);

    private static LabeledEvent event(List<Float> features, Object label) {
        return LabeledEvent.newBuilder()
                .setModel("m")
                .setEventId("e1")
                .setEventTime(5)
                .setFeatures(features)
                .setLabel(label)
                .build();
    }

    @Test
    void validEventsBecomeExamples() {
        TrainingExample e = EventValidator.validate(event(List.of(1f, 2f), 2), SOFTMAX);
        assertArrayEquals(new float[] {1f, 2f}, e.features());
        assertEquals(2.0, e.label());
        assertEquals(-0.5, EventValidator.validate(event(List.of(1f, 2f), -0.5), LINEAR).label());
    }

    @Test
    void eachDefectHasItsReason() {
        assertEquals("wrong-feature-count", reason(event(List.of(1f), 0), SOFTMAX));
        assertEquals("non-finite-feature", reason(event(List.of(1f, Float.NaN), 0), SOFTMAX));
        assertEquals("class-out-of-range", reason(event(List.of(1f, 2f), 3), SOFTMAX));
        assertEquals("class-out-of-range", reason(event(List.of(1f, 2f), -1), SOFTMAX));
        assertEquals("bad-label", reason(event(List.of(1f, 2f), 1.5), SOFTMAX));
        assertEquals("bad-label", reason(event(List.of(1f, 2f), 1), LINEAR));
        assertEquals("non-finite-label", reason(event(List.of(1f, 2f), Double.NaN), LINEAR));
        assertEquals(
                "non-finite-label",
                reason(event(List.of(1f, 2f), Double.NEGATIVE_INFINITY), LINEAR));
        InvalidEventException e =
                assertThrows(
                        InvalidEventException.class,
                        () -> EventValidator.validate(event(List.of(1f), 0), SOFTMAX));
        assertTrue(e.getMessage().contains("has 1 features, the model expects 2"), e.getMessage());
    }

    private static String reason(LabeledEvent e, ModelSpec spec) {
        return assertThrows(InvalidEventException.class, () -> EventValidator.validate(e, spec))
                .reason()
                .wireName();
    }
}
