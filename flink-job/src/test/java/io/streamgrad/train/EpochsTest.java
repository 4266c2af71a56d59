package io.streamgrad.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamgrad.batch.BatchSize;
import io.streamgrad.batch.TrainingExample;
import io.streamgrad.window.WindowSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Epochs over bounded input: passes, reshuffles, the remainder policy and full-batch descent. */
class EpochsTest {

    @Test
    void everyEventIsTrainedOncePerEpochAndTheRemainderIsCarriedThenTrainedInPieces() {
        List<TrainingExample> data = TestData.binary(1_000, 3);
        TestData.Recorder r = new TestData.Recorder();
        TrainingConfig c =
                TestData.config(TestData.batching(64, new WindowSpec.Count(4), 3), "sgd", 0.1);
        ModelTrainer t = OfflineReplay.replay("m", c, data, r);

        long examples = r.steps.stream().mapToLong(ModelTrainer.Step::batchSize).sum();
        assertEquals(3 * 1_000, examples, "nothing untrained, nothing trained twice per epoch");
        // Epoch 1: three windows of 256 (12 batches), then 232 left: 3 batches, 40 carried.
        // Epoch 2: 40 + 1000 = 1040: 16 batches, 16 carried. Epoch 3: 1016: 15 batches of 64,
        // then the last 56 in pieces 32 + 16 + 8.
        assertEquals(
                List.of(15L, 16L, 18L), r.epochs.stream().map(EpochEnd::epochIterations).toList());
        List<Integer> last =
                r.steps.subList(r.steps.size() - 3, r.steps.size()).stream()
                        .map(ModelTrainer.Step::batchSize)
                        .toList();
        assertEquals(List.of(32, 16, 8), last);
        for (ModelTrainer.Step s : r.steps) {
            assertTrue(BatchSize.isPowerOfTwo(s.batchSize()));
        }
        assertEquals(List.of(1, 2, 3), r.epochs.stream().map(EpochEnd::epoch).toList());
        for (EpochEnd e : r.epochs) {
            assertEquals(1_000, e.examples(), "the full-pass loss is over the whole pass");
        }
        // Steps carry their epoch and count within it from 1.
        assertEquals(2, r.steps.get(15).epoch());
        assertEquals(1, r.steps.get(15).epochIteration());
        assertEquals(49, t.iteration());
        assertEquals(1, r.snapshots, "the final snapshot");

        ModelTrainer again = OfflineReplay.replay("m", c, data, OfflineReplay.ignoring());
        assertArrayEquals(t.network().parameters(), again.network().parameters());
    }

    @Test
    void fullBatchGradientDescentMakesOneUpdatePerEpochAndLowersTheEpochLossEveryEpoch() {
        List<TrainingExample> data = TestData.binary(1_500, 5);
        TestData.Recorder r = new TestData.Recorder();
        TrainingConfig c =
                TestData.config(TestData.batching(0, new WindowSpec.Count(1), 30), "sgd", 0.5);
        OfflineReplay.replay("m", c, data, r);
        assertEquals(30, r.steps.size(), "one update per epoch");
        for (ModelTrainer.Step s : r.steps) {
            assertEquals(1_500, s.batchSize(), "the whole set: not a power of two, by design");
            assertEquals(1, s.epochIteration());
        }
        assertEquals(30, r.epochs.size());
        // Logistic loss is convex and L-smooth with L <= λmax(XᵀX/N)/4 (about 0.3 for these
        // standard-normal features), so a step of 0.5 < 2/L must lower it every epoch.
        for (int i = 1; i < r.epochs.size(); i++) {
            double before = r.epochs.get(i - 1).loss();
            double after = r.epochs.get(i).loss();
            assertTrue(after < before, "epoch " + (i + 1) + ": " + before + " -> " + after);
        }
        // The pre-update loss of epoch e+1's step is the full-pass loss after epoch e.
        for (int i = 1; i < r.steps.size(); i++) {
            assertEquals(r.epochs.get(i - 1).loss(), r.steps.get(i).loss(), 1e-6);
        }
    }
}
