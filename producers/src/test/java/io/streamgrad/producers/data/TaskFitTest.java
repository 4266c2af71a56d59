package io.streamgrad.producers.data;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamgrad.schema.Task;
import java.util.List;
import org.junit.jupiter.api.Test;

class TaskFitTest {
    private static Dataset classes(String... names) {
        double[] y = new double[names.length];
        for (int i = 0; i < y.length; i++) {
            y[i] = i;
        }
        return new Dataset("csv:x.csv", new float[names.length][1], y, List.of(names), true);
    }

    @Test
    void binaryNeedsTwoClassesAndSaysWhatItSaw() {
        TaskFit.require(classes("-1", "1"), Task.BINARY, "logistic");
        IllegalArgumentException three =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> TaskFit.require(classes("a", "b", "c"), Task.BINARY, "logistic"));
        assertTrue(
                three.getMessage()
                        .equals(
                                "csv:x.csv has 3 classes (a, b, c) but --model logistic (binary)"
                                        + " takes two: use --model softmax or --task multiclass"),
                three.getMessage());
        IllegalArgumentException one =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> TaskFit.require(classes("yes"), Task.MULTICLASS, "softmax"));
        assertTrue(one.getMessage().contains("one class only (yes)"), one.getMessage());
    }

    @Test
    void aNumericTargetForAClassifierNamesItsValuesAndTheFlags() {
        double[] y = new double[200];
        for (int i = 0; i < y.length; i++) {
            y[i] = 0.5 + i;
        }
        Dataset target = new Dataset("csv:p.csv", new float[200][1], y, List.of(), false);
        TaskFit.require(target, Task.REGRESSION, "linear");
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> TaskFit.require(target, Task.BINARY, "logistic"));
        assertTrue(
                e.getMessage()
                        .startsWith(
                                "csv:p.csv has a numeric target (200 distinct values: 0.5, 1.5,"
                                        + " 2.5, 3.5, 4.5, … (200 in all)), not classes"),
                e.getMessage());
        assertTrue(e.getMessage().contains("--model linear or --task regression"));
        assertTrue(e.getMessage().length() < 250, e.getMessage());
    }
}
