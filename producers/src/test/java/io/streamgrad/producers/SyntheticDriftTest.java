package io.streamgrad.producers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamgrad.schema.LabeledEvent;
import io.streamgrad.schema.Task;
import org.junit.jupiter.api.Test;

class SyntheticDriftTest {
    private static final double NOISE = 0.5;

    private static SyntheticConfig config(Task task, int classes) {
        return new SyntheticConfig("t", "m", task, 10, classes, NOISE, 0, 0, 1, 42, 0, false);
    }

    private static float[] x(LabeledEvent e) {
        float[] x = new float[e.getFeatures().size()];
        for (int j = 0; j < x.length; j++) {
            x[j] = e.getFeatures().get(j);
        }
        return x;
    }

    /** Share of events in [from, to) whose label has the sign of the teacher's clean logit. */
    private static double agreement(SyntheticEvents events, Teacher teacher, long from, long to) {
        int agree = 0;
        for (long i = from; i < to; i++) {
            LabeledEvent e = events.event(i);
            int clean = teacher.cleanLogits(x(e))[0] > 0 ? 1 : 0;
            agree += clean == (Integer) e.getLabel() ? 1 : 0;
        }
        return agree / (double) (to - from);
    }

    @Test
    void withoutDriftTheEventsAreTheSameBitForBit() {
        SyntheticEvents plain = new SyntheticEvents(config(Task.MULTICLASS, 4));
        SyntheticEvents none = new SyntheticEvents(config(Task.MULTICLASS, 4), DriftSpec.NONE);
        for (long i = 0; i < 500; i++) {
            assertEquals(plain.event(i), none.event(i));
        }
        // Before the change point a drifting stream is the plain one too (but for its source).
        SyntheticEvents drifting =
                new SyntheticEvents(config(Task.MULTICLASS, 4), new DriftSpec(300, 0, 7, null));
        for (long i = 0; i < 300; i++) {
            assertEquals(plain.event(i).getFeatures(), drifting.event(i).getFeatures());
            assertEquals(plain.event(i).getLabel(), drifting.event(i).getLabel());
        }
        assertEquals(
                "synthetic:multiclass:seed=42:drift=abrupt@300", drifting.event(0).getSource());
    }

    @Test
    void anAbruptChangeSwapsTheTeacherAtTheIndex() {
        SyntheticEvents events =
                new SyntheticEvents(config(Task.BINARY, 2), new DriftSpec(20_000, 0, 7, null));
        Teacher before = events.teacherAt(0);
        Teacher after = events.teacherAt(20_000);
        assertSame(before, events.teacherAt(19_999));
        assertNotEquals(before, after);
        double bayes = Teacher.bayesAccuracyBinary(NOISE); // 0.947
        // n = 20k: binomial standard error ~0.0016; 0.008 is 5 sigma.
        assertEquals(bayes, agreement(events, before, 0, 20_000), 0.008);
        assertEquals(bayes, agreement(events, after, 20_000, 40_000), 0.008);
        // The old teacher explains the new labels far worse: the two weight vectors are random
        // directions in 10 dimensions.
        assertTrue(agreement(events, before, 20_000, 40_000) < 0.8);
    }

    @Test
    void aGradualChangeDrawsTheNewTeacherWithLinearlyGrowingProbability() {
        DriftSpec gradual = new DriftSpec(1_000, 10_000, 7, null);
        int[] fromNew = new int[4];
        for (long i = 1_000; i < 11_000; i++) {
            if (gradual.fromNewTeacher(42, i)) {
                fromNew[(int) ((i - 1_000) / 2_500)]++;
            }
        }
        // Expected share per quarter of the span: 1/8, 3/8, 5/8, 7/8 of 2,500 (sd <= 25).
        assertEquals(312, fromNew[0], 125);
        assertEquals(937, fromNew[1], 125);
        assertEquals(1562, fromNew[2], 125);
        assertEquals(2187, fromNew[3], 125);
        assertTrue(!gradual.fromNewTeacher(42, 999) && gradual.fromNewTeacher(42, 11_000));
    }

    @Test
    void classWeightsSkewTheClassFrequenciesAsStated() {
        int n = 40_000;
        SyntheticEvents plain = new SyntheticEvents(config(Task.BINARY, 2));
        SyntheticEvents skewed =
                new SyntheticEvents(
                        config(Task.BINARY, 2), new DriftSpec(-1, 0, 0, new double[] {1, 9}));
        int plainOnes = 0;
        int skewedOnes = 0;
        for (long i = 0; i < n; i++) {
            plainOnes += (Integer) plain.event(i).getLabel();
            skewedOnes += (Integer) skewed.event(i).getLabel();
        }
        double q = plainOnes / (double) n;
        double expected = 9 * q / (9 * q + (1 - q)); // ~0.9 for q ~ 0.5
        assertEquals(expected, skewedOnes / (double) n, 0.01);
        // Labels still follow the teacher: skew changes priors, not the concept.
        assertEquals(
                Teacher.bayesAccuracyBinary(NOISE),
                agreement(skewed, skewed.teacherAt(0), 0, 20_000),
                0.01);
    }

    @Test
    void badSpecsAreRefusedWithTheFlagName() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                new SyntheticEvents(
                                        config(Task.MULTICLASS, 3),
                                        new DriftSpec(-1, 0, 0, new double[] {1, 2})));
        assertTrue(e.getMessage().contains("--class-weights"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new DriftSpec(-5, 0, 0, null));
        assertThrows(
                IllegalArgumentException.class, () -> new DriftSpec(-1, 0, 0, new double[] {0, 0}));
    }
}
