package io.streamgrad.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamgrad.batch.Batch;
import io.streamgrad.batch.TrainingExample;
import io.streamgrad.config.InvalidSettingException;
import io.streamgrad.model.OptimizerSpec;
import io.streamgrad.producers.DriftSpec;
import io.streamgrad.producers.SyntheticConfig;
import io.streamgrad.producers.SyntheticEvents;
import io.streamgrad.schema.LabeledEvent;
import io.streamgrad.schema.MetricKind;
import io.streamgrad.schema.Task;
import io.streamgrad.schema.TrainingMetric;
import io.streamgrad.window.WindowSpec;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Drift detection inside the trainer: each applied step's loss goes to the detectors, their state
 * travels in {@link TrainerState} (so a restored trainer raises the same alarms as one that never
 * stopped), and each alarm becomes a DRIFT metric after its step's ITERATION metric.
 */
class DriftWatchTest {
    private static final int BATCH = 64;
    private static final int BATCHES = 256;

    /** The teacher changes at event 8,192: the first batch of the new teacher is iteration 129. */
    private static final int CHANGE_ITERATION = 128;

    private static TrainingConfig config(List<String> detectors) {
        return new TrainingConfig(
                TestData.logistic(),
                new OptimizerSpec("adam", 0.05),
                TestData.batching(BATCH, new WindowSpec.Count(4), 1),
                7,
                1_000,
                0.05,
                TrainingConfig.DEFAULT_DIVERGENCE_PATIENCE,
                detectors);
    }

    /** Binary events whose teacher changes abruptly at event {@code BATCHES * BATCH / 2}. */
    private static List<TrainingExample> drifting() {
        int n = BATCHES * BATCH;
        SyntheticConfig c =
                new SyntheticConfig(
                        "t", "m", Task.BINARY, TestData.FEATURES, 2, 0.1, n, 0, 1, 42, 0, false);
        List<TrainingExample> out = new ArrayList<>(n);
        for (LabeledEvent e : new SyntheticEvents(c, new DriftSpec(n / 2, 0, 99, null)).all()) {
            out.add(EventValidator.validate(e, TestData.logistic()));
        }
        return out;
    }

    private static Batch batch(List<TrainingExample> data, int i) {
        return Batch.of("m", i, data.subList(i * BATCH, (i + 1) * BATCH));
    }

    /** Iterations at which a detector fired, as "iteration:detail". */
    private static List<String> alarms(
            ModelTrainer t, List<TrainingExample> data, int from, int to) {
        List<String> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            ModelTrainer.Step s = t.train(batch(data, i));
            for (String d : s.driftAlarms()) {
                out.add(s.iteration() + ":" + d);
            }
        }
        return out;
    }

    @Test
    void bothDetectorsFireAfterTheChangeAndNeverBefore() {
        List<TrainingExample> data = drifting();
        ModelTrainer t =
                ModelTrainer.create("m", config(List.of("page-hinkley:lambda=2", "adwin")));
        List<String> fired = alarms(t, data, 0, BATCHES);
        for (String name : List.of("page-hinkley", "adwin")) {
            List<Long> at =
                    fired.stream()
                            .filter(a -> a.substring(a.indexOf(':') + 1).startsWith(name))
                            .map(a -> Long.parseLong(a.substring(0, a.indexOf(':'))))
                            .toList();
            assertFalse(at.isEmpty(), name + " fired: " + fired);
            assertTrue(
                    at.get(0) > CHANGE_ITERATION && at.get(0) <= CHANGE_ITERATION + 40,
                    name + " first at " + at);
            assertTrue(at.stream().allMatch(i -> i > CHANGE_ITERATION), name + " at " + at);
        }
    }

    @Test
    void aRestoredTrainerRaisesTheSameAlarmsAsOneThatNeverStopped() {
        List<TrainingExample> data = drifting();
        TrainingConfig config = config(List.of("page-hinkley:lambda=2", "adwin"));
        List<String> straight = alarms(ModelTrainer.create("m", config), data, 0, BATCHES);

        ModelTrainer first = ModelTrainer.create("m", config);
        // Stopped just after the change, inside the detectors' reaction to it.
        List<String> resumed = new ArrayList<>(alarms(first, data, 0, CHANGE_ITERATION + 3));
        TrainerState saved = first.state();
        assertNotNull(saved.driftState());
        ModelTrainer second = ModelTrainer.restore("m", config, saved);
        resumed.addAll(alarms(second, data, CHANGE_ITERATION + 3, BATCHES));
        assertFalse(straight.isEmpty());
        assertEquals(straight, resumed);
    }

    @Test
    void withoutDetectorsThereIsNoDriftStateAndNoAlarm() {
        ModelTrainer t = ModelTrainer.create("m", config(List.of()));
        assertEquals(List.of(), alarms(t, drifting(), 0, BATCHES));
        assertNull(t.state().driftState());
    }

    @Test
    void eachAlarmIsADriftMetricAfterItsIterationMetric() {
        ModelTrainer.Step s =
                new ModelTrainer.Step(
                        "m",
                        130,
                        0,
                        130,
                        32,
                        64,
                        0.9,
                        0.4,
                        0.5,
                        8_320,
                        1,
                        2,
                        true,
                        false,
                        null,
                        1_000,
                        List.of("page-hinkley fired", "adwin fired"));
        List<TrainingMetric> ms = TrainingMetrics.ofStepAndDrift("run", s, 5);
        assertEquals(3, ms.size());
        assertEquals(MetricKind.ITERATION, ms.get(0).getKind());
        assertEquals(MetricKind.DRIFT, ms.get(1).getKind());
        assertEquals("page-hinkley fired", ms.get(1).getDetail());
        assertEquals(130, ms.get(2).getIteration());
        assertEquals(0.9, ms.get(2).getLoss());
        assertEquals("adwin fired", ms.get(2).getDetail());
    }

    @Test
    void aBadSpecIsASettingErrorNamingTheFlag() {
        InvalidSettingException e =
                assertThrows(InvalidSettingException.class, () -> config(List.of("cusum:delta=1")));
        assertEquals(List.of("drift-detector"), e.settings().subList(0, 1), e.getMessage());
    }
}
