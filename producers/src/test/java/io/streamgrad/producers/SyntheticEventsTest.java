package io.streamgrad.producers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamgrad.schema.LabeledEvent;
import io.streamgrad.schema.Task;
import org.junit.jupiter.api.Test;

class SyntheticEventsTest {

    private static SyntheticConfig config(Task task, int classes, double noise) {
        return new SyntheticConfig("t", "m", task, 10, classes, noise, 1000, 0, 1, 42, 0, false);
    }

    @Test
    void anEventIsAFunctionOfSeedAndIndexOnly() {
        SyntheticEvents a = new SyntheticEvents(config(Task.BINARY, 2, 0.5));
        SyntheticEvents b = new SyntheticEvents(config(Task.BINARY, 2, 0.5));
        assertEquals(a.event(123), b.event(123));
        assertEquals("syn-42-123", a.event(123).getEventId());
        assertEquals(SyntheticConfig.EPOCH_MS + 1230, a.event(123).getEventTime());
        assertNotEquals(a.event(123).getFeatures(), a.event(124).getFeatures());
        SyntheticEvents otherSeed =
                new SyntheticEvents(
                        new SyntheticConfig(
                                "t", "m", Task.BINARY, 10, 2, 0.5, 1000, 0, 1, 43, 0, false));
        assertNotEquals(a.event(5).getFeatures(), otherSeed.event(5).getFeatures());
    }

    @Test
    void manyModelsTakeTurnsAndEachFollowsItsOwnTeacher() {
        SyntheticConfig c = config(Task.BINARY, 2, 0.1);
        SyntheticEvents one = new SyntheticEvents(c);
        SyntheticEvents single = new SyntheticEvents(c, DriftSpec.NONE, 1);
        SyntheticEvents many = new SyntheticEvents(c, DriftSpec.NONE, 1000);
        // One model: the same events as before the option existed.
        assertEquals(one.event(77), single.event(77));
        assertEquals(java.util.List.of("m"), single.modelKeys());
        // 1,000 models: keys m-000..m-999 round robin, features unchanged, ids unique per event.
        assertEquals(1000, many.modelKeys().size());
        assertEquals("m-000", many.event(0).getModel().toString());
        assertEquals("m-007", many.event(2007).getModel().toString());
        assertEquals("m-999", many.event(999).getModel().toString());
        assertEquals(one.event(2007).getFeatures(), many.event(2007).getFeatures());
        assertEquals(one.event(2000).getLabel(), many.event(2000).getLabel(), "model 0 = seed's");
        // Model m's labels agree with its own teacher (noise 0.1: Bayes accuracy 0.99), and
        // only at chance level with model 0's teacher: the models really differ.
        int own = 0;
        int other = 0;
        int n = 0;
        for (long i = 1; i < 200_000; i += 1000) { // model 1's events
            LabeledEvent e = many.event(i);
            assertEquals("m-001", e.getModel().toString());
            float[] x = new float[10];
            for (int j = 0; j < 10; j++) {
                x[j] = e.getFeatures().get(j);
            }
            int y = (Integer) e.getLabel();
            own += (many.teacherAt(i).cleanLogits(x)[0] > 0 ? 1 : 0) == y ? 1 : 0;
            other += (many.teacher().cleanLogits(x)[0] > 0 ? 1 : 0) == y ? 1 : 0;
            n++;
        }
        assertTrue(own > 0.95 * n, own + " of " + n);
        assertTrue(other < 0.85 * n, other + " of " + n);
        assertThrows(
                IllegalArgumentException.class, () -> new SyntheticEvents(c, DriftSpec.NONE, 0));
    }

    @Test
    void labelTypesFollowTheTask() {
        assertEquals(
                Double.class,
                new SyntheticEvents(config(Task.REGRESSION, 2, 0.1))
                        .event(0)
                        .getLabel()
                        .getClass());
        for (int i = 0; i < 200; i++) {
            int y =
                    (Integer)
                            new SyntheticEvents(config(Task.MULTICLASS, 5, 0.1))
                                    .event(i)
                                    .getLabel();
            assertTrue(y >= 0 && y < 5);
        }
    }

    @Test
    void binaryLabelNoiseMatchesTheClosedFormBayesAccuracy() {
        double noise = 0.5;
        SyntheticEvents events = new SyntheticEvents(config(Task.BINARY, 2, noise));
        int n = 40_000;
        int agree = 0;
        int ones = 0;
        for (int i = 0; i < n; i++) {
            LabeledEvent e = events.event(i);
            float[] x = new float[10];
            for (int j = 0; j < 10; j++) {
                x[j] = e.getFeatures().get(j);
            }
            int clean = events.teacher().cleanLogits(x)[0] > 0 ? 1 : 0;
            int noisy = (Integer) e.getLabel();
            agree += clean == noisy ? 1 : 0;
            ones += noisy;
        }
        double expected = Teacher.bayesAccuracyBinary(noise); // 0.947 for noise 0.5
        // Binomial standard error at n = 40k is ~0.0011; 0.006 is > 5 sigma.
        assertEquals(expected, agree / (double) n, 0.006);
        assertTrue(ones > 0.3 * n && ones < 0.7 * n, "classes roughly balanced: " + ones);
    }

    @Test
    void regressionNoiseHasTheConfiguredVariance() {
        double noise = 0.3;
        SyntheticEvents events = new SyntheticEvents(config(Task.REGRESSION, 2, noise));
        int n = 20_000;
        double sum = 0;
        double sumSq = 0;
        for (int i = 0; i < n; i++) {
            LabeledEvent e = events.event(i);
            float[] x = new float[10];
            for (int j = 0; j < 10; j++) {
                x[j] = e.getFeatures().get(j);
            }
            double r = (Double) e.getLabel() - events.teacher().cleanLogits(x)[0];
            sum += r;
            sumSq += r * r;
        }
        double mean = sum / n;
        double variance = sumSq / n - mean * mean;
        assertEquals(0, mean, 0.02);
        assertEquals(noise * noise, variance, 0.1 * noise * noise);
    }

    @Test
    void badConfigIsRefusedWithTheFlagName() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                new SyntheticConfig(
                                        "t",
                                        "m",
                                        Task.MULTICLASS,
                                        10,
                                        1,
                                        0.5,
                                        1,
                                        0,
                                        1,
                                        1,
                                        0,
                                        false));
        assertTrue(e.getMessage().contains("--classes"), e.getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () -> new SyntheticConfig("t", "m", Task.BINARY, 0, 2, 0.5, 1, 0, 1, 1, 0, false));
    }
}
