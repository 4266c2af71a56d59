package io.streamgrad.producers.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class LabelKindTest {
    @Test
    void anExplicitTaskWinsThenLinearMeansTargetsOtherwiseGuess() {
        assertEquals(LabelKind.TARGETS, LabelKind.forTraining(null, "linear"));
        assertEquals(LabelKind.TARGETS, LabelKind.forTraining("regression", "mlp:64"));
        assertEquals(LabelKind.CLASSES, LabelKind.forTraining("binary", "linear"));
        assertEquals(LabelKind.CLASSES, LabelKind.forTraining("multiclass", "mlp:8"));
        assertEquals(LabelKind.GUESS, LabelKind.forTraining(null, "logistic"));
        assertEquals(LabelKind.GUESS, LabelKind.forTraining(null, "mlp:8,4"));
    }
}
