package io.streamgrad.advise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamgrad.batch.Batch;
import io.streamgrad.batch.BatchSize;
import io.streamgrad.batch.TrainingExample;
import io.streamgrad.config.InvalidSettingException;
import io.streamgrad.model.Activation;
import io.streamgrad.model.BackendMemory;
import io.streamgrad.model.DenseNetwork;
import io.streamgrad.model.ModelSpec;
import io.streamgrad.model.OptimizerSpec;
import io.streamgrad.producers.SyntheticConfig;
import io.streamgrad.producers.SyntheticEvents;
import io.streamgrad.schema.LabeledEvent;
import io.streamgrad.schema.Task;
import io.streamgrad.train.Batching;
import io.streamgrad.train.EventValidator;
import io.streamgrad.train.ModelTrainer;
import io.streamgrad.train.TrainingConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** The advisor end to end on the synthetic teacher, without assertions on wall-clock speed. */
class BatchSizeAdvisorTest {
    static final int FEATURES = 10;
    static final BackendMemory PLENTY = new BackendMemory("test", 1L << 34, "test");

    static TrainingConfig config(String model, String optimizer, double lr) {
        ModelSpec spec = ModelSpec.parse(model, FEATURES, 2, Activation.RELU);
        return new TrainingConfig(
                spec, new OptimizerSpec(optimizer, lr), Batching.defaults(), 7, 1_000, 0.05);
    }

    static List<TrainingExample> teacher(Task task, String model, double noise, int n, long seed) {
        SyntheticConfig c =
                new SyntheticConfig("t", "m", task, FEATURES, 2, noise, n, 0, 1, seed, 0, false);
        ModelSpec spec = ModelSpec.parse(model, FEATURES, 2, Activation.RELU);
        List<TrainingExample> out = new ArrayList<>(n);
        for (LabeledEvent e : new SyntheticEvents(c).all()) {
            out.add(EventValidator.validate(e, spec));
        }
        return out;
    }

    static final BatchSizeAdvisor.Settings SMALL =
            new BatchSizeAdvisor.Settings(8, 64, 40, 1, 3, 60, 0.9, 3);

    @Test
    void aSampleSmallerThanTwoOfTheLargestBatchIsRefusedWithTheCountNeeded() {
        InvalidSettingException e =
                assertThrows(
                        InvalidSettingException.class,
                        () ->
                                BatchSizeAdvisor.advise(
                                        config("logistic", "sgd", 0.1),
                                        teacher(Task.BINARY, "logistic", 0.5, 127, 1),
                                        SMALL,
                                        PLENTY,
                                        line -> {}));
        assertEquals("sample-events", e.settings().get(0));
        assertTrue(e.getMessage().contains("at least 128 events"), e.getMessage());
        assertTrue(e.getMessage().contains("there are 127"), e.getMessage());
    }

    @Test
    void measuresEverythingAndRecommendsAPowerOfTwoThatFits() {
        List<String> progress = new ArrayList<>();
        BatchSizeAdvisor.Report r =
                BatchSizeAdvisor.advise(
                        config("logistic", "sgd", 0.5),
                        teacher(Task.BINARY, "logistic", 0.5, 2_000, 2),
                        SMALL,
                        PLENTY,
                        progress::add);
        assertEquals(3, progress.size());
        assertEquals(4, r.timing().size(), "8, 16, 32, 64");
        for (StepTimer.Point p : r.timing()) {
            assertTrue(p.medianSeconds() > 0, "a step takes time: " + p);
            assertEquals(3, p.seconds().length);
        }
        assertTrue(r.noise().noiseScale() > 0);
        assertTrue(r.pilot().iterationsToTarget() >= 1 && r.pilot().iterationsToTarget() <= 60);
        assertTrue(r.pilot().minLoss() < r.pilot().firstLoss(), "the pilot learns");
        BatchSizeAdvice a = r.advice();
        assertTrue(BatchSize.isPowerOfTwo(a.recommendedBatchSize()), "" + a.recommendedBatchSize());
        assertTrue(a.recommendedBatchSize() <= a.largestFittingBatch());
        assertEquals(r.pilot().iterationsToTarget() / (1 + a.noiseScale() / 64), a.nIter(), 1e-9);
        assertEquals(a.nIter() * a.noiseScale(), a.cVar(), 1e-9 * a.cVar());
        assertTrue(Double.isFinite(a.suggestedLearningRate()) && a.suggestedLearningRate() > 0);
        assertTrue(a.reasoning().size() >= 4, a.reasoning().toString());
    }

    @Test
    void tightMemoryCapsTheAdvice() {
        TrainingConfig c = config("logistic", "sgd", 0.5);
        // Enough for a step of 4 examples and no more (the estimate is linear in b).
        long four =
                io.streamgrad.model.StepMemory.estimate(c.spec(), c.optimizer(), 4, Float.BYTES)
                        .total();
        BatchSizeAdvisor.Report r =
                BatchSizeAdvisor.advise(
                        c,
                        teacher(Task.BINARY, "logistic", 0.5, 2_000, 2),
                        SMALL,
                        new BackendMemory("test", four, "test"),
                        line -> {});
        assertEquals(4, r.advice().largestFittingBatch());
        assertTrue(r.advice().recommendedBatchSize() <= 4);
    }

    /**
     * Noisier labels add gradient variance without adding signal: for the linear teacher, label
     * noise s adds 4(D+1)s² to tr(Σ) and nothing to ‖G‖² (see GradientNoiseTest), so B_noise and
     * with it b_opt = √(B_noise·τ_f/τ_d) grow. The step-time line is fixed here (τ_f = 1 ms, τ_d =
     * 1 µs) so that the comparison does not depend on the machine's speed; the noise is measured.
     */
    @Test
    void noisierLabelsOfTheSyntheticTeacherGiveALargerRecommendedBatch() {
        StepTimeFit time = new StepTimeFit(1e-3, 1e-6, 0, 1, 8);
        int[] recommended = new int[2];
        double[] scale = new double[2];
        double[] noises = {0.2, 5.0};
        for (int k = 0; k < 2; k++) {
            TrainingConfig c = config("linear", "sgd", 0.01);
            List<TrainingExample> data = teacher(Task.REGRESSION, "linear", noises[k], 8_192, 4);
            DenseNetwork net =
                    DenseNetwork.create(c.spec(), c.optimizer(), c.seed(), DataType.FLOAT);
            GradientNoise n =
                    GradientNoise.estimate(net, BatchSampler.withReplacement(data, 9), 8, 256, 400);
            BatchSizeAdvice a = BatchSizeAdvice.of(time, n, 100, 65_536, 2_048, c.optimizer(), 64);
            recommended[k] = a.recommendedBatchSize();
            scale[k] = a.noiseScale();
        }
        assertTrue(scale[1] > 2 * scale[0], "B_noise " + scale[0] + " -> " + scale[1]);
        assertTrue(
                recommended[1] > recommended[0],
                "recommended " + recommended[0] + " -> " + recommended[1]);
    }

    @Test
    void theTimerKeepsTheMedianOfTheTimedStepsAfterTheWarmUp() {
        // A clock that advances 1 µs per reading, except a 1 s jump at the 6th reading, the end of
        // the second timed step of size 4 (rounds alternate 4, 8, 4, ...): the median ignores
        // the outlier and each timed step reads 1 µs.
        AtomicLong readings = new AtomicLong();
        AtomicLong now = new AtomicLong();
        List<StepTimer.Point> points =
                StepTimer.measure(
                        ModelTrainer.create("m", config("logistic", "sgd", 0.1)),
                        BatchSampler.withReplacement(
                                teacher(Task.BINARY, "logistic", 0.5, 100, 5), 1),
                        new int[] {4, 8},
                        2,
                        5,
                        () -> {
                            long i = readings.incrementAndGet();
                            return now.addAndGet(i == 6 ? 1_000_000_000L : 1_000L);
                        });
        assertEquals(2, points.size());
        assertEquals(1e-6, points.get(0).medianSeconds(), 1e-15);
        assertEquals(1.0, points.get(0).seconds()[1], 1e-9);
        assertEquals(1e-6, points.get(1).medianSeconds(), 1e-15);
        assertEquals(2.5, StepTimer.median(new double[] {4, 1, 2, 3}), 0);
    }

    @Test
    void aPilotThatCannotLowerTheLossSaysWhatToChange() {
        // One batch over and over and a step too small to move float32 parameters: a flat loss.
        Batch only = Batch.of("m", 0, teacher(Task.BINARY, "logistic", 0.5, 32, 6));
        InvalidSettingException e =
                assertThrows(
                        InvalidSettingException.class,
                        () ->
                                Pilot.run(
                                        ModelTrainer.create("m", config("logistic", "sgd", 1e-30)),
                                        b -> only,
                                        32,
                                        20,
                                        0.9));
        assertEquals("learning-rate", e.settings().get(0));
    }
}
