package io.streamgrad.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamgrad.batch.Batch;
import io.streamgrad.batch.TrainingExample;
import io.streamgrad.window.WindowSpec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The shuffle modes on a training set sorted by label, the worst order a topic can have: reading
 * blocks of offsets in random order, several at a time, trains about as well as shuffling the whole
 * pass, while shuffling within windows only does not.
 */
class ShuffleModesTest {
    private static final int N = 8_192;
    private static final int BATCH = 32;
    private static final int EPOCHS = 3;

    /** Class 0 first, then class 1, in offset and event-time order (one partition). */
    private static List<TrainingExample> sortedByLabel() {
        List<TrainingExample> raw = new ArrayList<>(TestData.binary(N + 4_096, 41).subList(0, N));
        raw.sort(Comparator.comparingDouble(TrainingExample::label));
        List<TrainingExample> out = new ArrayList<>();
        for (int i = 0; i < raw.size(); i++) {
            TrainingExample e = raw.get(i);
            out.add(new TrainingExample("m", "e" + i, 1_000L + i, e.features(), e.label(), 0, i));
        }
        return out;
    }

    private static TrainingConfig config(ShuffleMode mode) {
        Batching b =
                TestData.batching(BATCH, new WindowSpec.Count(4), EPOCHS)
                        .withShuffle(mode)
                        .withBlocks(256, 8);
        return TestData.config(b, "sgd", 0.5);
    }

    private static double accuracy(ShuffleMode mode, List<TrainingExample> data) {
        ModelTrainer t =
                mode == ShuffleMode.PASS
                        ? OfflineReplay.replay("m", config(mode), data, OfflineReplay.ignoring())
                        : OfflineReplay.replayPasses(
                                "m", config(mode), null, data, null, OfflineReplay.ignoring());
        // The same teacher's examples after the training set's.
        List<TrainingExample> holdout = TestData.binary(N + 4_096, 41).subList(N, N + 4_096);
        Batch h = Batch.of("m", 0, holdout);
        return t.network().evaluate(h.x(), h.labels(), h.size()).accuracy();
    }

    @Test
    void blockShuffleTrainsWithinOneHundredthOfTheWholePassShuffleAndWindowOnlyDoesWorse() {
        List<TrainingExample> data = sortedByLabel();
        double pass = accuracy(ShuffleMode.PASS, data);
        double blocks = accuracy(ShuffleMode.BLOCKS, data);
        double window = accuracy(ShuffleMode.WINDOW, data);
        String all = "pass " + pass + ", blocks " + blocks + ", window " + window;
        System.out.println("accuracy on the holdout: " + all);
        assertEquals(pass, blocks, 0.01, all);
        assertTrue(window < pass - 0.05, "window-only shuffle ends on one class: " + all);
        // The teacher's logit noise 0.5 leaves about 0.9 within reach.
        assertTrue(pass > 0.85, all);
    }

    @Test
    void everyModeTrainsEveryEventOncePerEpochAndReportsTheFullPassLossOverAllOfThem() {
        List<TrainingExample> data = sortedByLabel().subList(0, 1_000);
        for (ShuffleMode mode : ShuffleMode.values()) {
            TestData.Recorder r = new TestData.Recorder();
            ModelTrainer t =
                    mode == ShuffleMode.PASS
                            ? OfflineReplay.replay("m", config(mode), data, r)
                            : OfflineReplay.replayPasses("m", config(mode), null, data, null, r);
            long trained = r.steps.stream().mapToLong(ModelTrainer.Step::batchSize).sum();
            assertEquals((long) EPOCHS * data.size(), trained, mode + ": once per epoch");
            assertEquals(List.of(1, 2, 3), r.epochs.stream().map(EpochEnd::epoch).toList());
            EpochEnd last = r.epochs.get(EPOCHS - 1);
            assertEquals(data.size(), last.examples(), mode.wireName());
            // The last full-pass loss is the final model's mean loss over the pass.
            assertEquals(t.fullPass(data).loss(), last.loss(), 1e-9, mode.wireName());
            assertEquals(t.iteration(), last.iteration(), mode.wireName());
        }
    }
}
