package io.streamgrad.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamgrad.evaluate.Scorer;
import io.streamgrad.model.Activation;
import io.streamgrad.model.ModelSpec;
import io.streamgrad.schema.ModelSnapshot;
import io.streamgrad.schema.Task;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.Test;

class PredictorTest {
    private static final int FEATURES = 5;

    private static float[][] inputs(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[][] x = new float[n][FEATURES];
        for (float[] row : x) {
            for (int j = 0; j < FEATURES; j++) {
                row[j] = (float) (2 * rng.nextGaussian());
            }
        }
        return x;
    }

    /**
     * For every family and hidden activation, standardized or not, the serving model's
     * probabilities (or regression value) and predicted class are the {@link Scorer}'s, which runs
     * the network with ND4J in float32: the plain-Java forward pass is the same model.
     */
    @Test
    void servingModelPredictsWhatTheScorerPredicts() {
        float[][] x = inputs(32, 11);
        float[] flat = new float[x.length * FEATURES];
        for (int i = 0; i < x.length; i++) {
            System.arraycopy(x[i], 0, flat, i * FEATURES, FEATURES);
        }
        int checked = 0;
        for (ModelSpec spec : TestSnapshots.families(FEATURES)) {
            for (boolean standardized : new boolean[] {false, true}) {
                ModelSnapshot s = TestSnapshots.random("m", spec, 3, 17 + checked, standardized);
                Scorer scorer = new Scorer(s);
                double[] labels = new double[x.length];
                Scorer.Predictions expected =
                        scorer.score(flat, labels, x.length, scorer.newAccumulator());
                ServingModel model = ServingModel.of(s);
                String what = spec.shorthand() + " " + spec.activation() + " " + standardized;
                for (int i = 0; i < x.length; i++) {
                    Prediction p = model.predict(x[i]);
                    assertEquals(3, p.version());
                    if (spec.task() == Task.REGRESSION) {
                        assertEquals(
                                expected.prediction()[i],
                                p.value(),
                                1e-5 * Math.max(1, Math.abs(p.value())),
                                what);
                        assertEquals(0, p.probabilities().length);
                        continue;
                    }
                    int k = spec.classes();
                    assertEquals(k, p.probabilities().length, what);
                    for (int c = 0; c < k; c++) {
                        assertEquals(
                                expected.probabilities()[i * k + c],
                                p.probabilities()[c],
                                1e-5,
                                what + " row " + i + " class " + c);
                    }
                    // The arg-max may differ only between probabilities equal to float precision.
                    int predicted = (int) p.value();
                    int theirs = (int) expected.prediction()[i];
                    assertEquals(
                            p.probabilities()[theirs], p.probabilities()[predicted], 1e-5, what);
                }
                checked++;
            }
        }
        assertEquals(2 * TestSnapshots.families(FEATURES).size(), checked);
    }

    /**
     * Many threads predict while another swaps through versions 1..V. Every result is exactly (bit
     * for bit) what its version's model computes alone, so no prediction mixes two versions; the
     * versions one thread sees never decrease; and because the swapper waits for every thread to
     * finish a prediction begun after each swap, every thread sees every version. Older versions
     * and corrupt snapshots offered in between change nothing; the corrupt ones are counted.
     */
    @Test
    void swapsUnderConcurrentPredictionsNeverTearAndNeverGoBack() throws Exception {
        int versions = 60;
        int threads = 4;
        ModelSpec spec =
                TestSnapshots.spec(
                        "mlp", Task.MULTICLASS, FEATURES, List.of(16, 8), Activation.TANH, 3);
        List<ModelSnapshot> snapshots = new ArrayList<>();
        snapshots.add(null); // versions count from 1
        for (int v = 1; v <= versions; v++) {
            snapshots.add(TestSnapshots.random("k", spec, v, 1000 + v, true));
        }
        float[][] x = inputs(8, 5);
        // What each version predicts for each input, computed alone.
        Prediction[][] alone = new Prediction[versions + 1][x.length];
        for (int v = 1; v <= versions; v++) {
            ServingModel m = ServingModel.of(snapshots.get(v));
            for (int i = 0; i < x.length; i++) {
                alone[v][i] = m.predict(x[i]);
            }
        }
        // Distinct versions must predict differently, or a torn read could go unseen.
        for (int v = 2; v <= versions; v++) {
            assertTrue(alone[v][0].probabilities()[0] != alone[v - 1][0].probabilities()[0]);
        }

        Predictor predictor = new Predictor("k", "test");
        assertThrows(IllegalStateException.class, () -> predictor.predict(x[0]));
        assertEquals(Predictor.Offer.SWAPPED, predictor.offer(snapshots.get(1)));

        AtomicLongArray done = new AtomicLongArray(threads);
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        List<List<Long>> seen = new ArrayList<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            List<Long> mine = Collections.synchronizedList(new ArrayList<>());
            seen.add(mine);
            Thread w =
                    new Thread(
                            () -> {
                                try {
                                    start.await();
                                } catch (InterruptedException e) {
                                    return;
                                }
                                long last = 0;
                                long n = 0;
                                while (last < versions) {
                                    int i = (int) (n++ % x.length);
                                    Prediction p = predictor.predict(x[i]);
                                    Prediction expected = alone[(int) p.version()][i];
                                    if (p.version() < last) {
                                        failures.add("went back: " + last + " -> " + p.version());
                                    }
                                    if (p.value() != expected.value()
                                            || !java.util.Arrays.equals(
                                                    p.probabilities(), expected.probabilities())) {
                                        failures.add("torn read at v" + p.version() + " row " + i);
                                    }
                                    if (p.version() != last) {
                                        mine.add(p.version());
                                    }
                                    last = p.version();
                                    done.incrementAndGet(id);
                                }
                            },
                            "predict-" + t);
            w.start();
            workers.add(w);
        }
        start.countDown();
        long corruptOffers = 0;
        for (int v = 1; v <= versions; v++) {
            if (v == 1) {
                awaitPredictions(done, workers, new long[threads]);
                continue;
            }
            if (v % 7 == 0) {
                // A corrupt snapshot of a far newer version: refused, not served.
                ModelSnapshot bad = TestSnapshots.corrupted(snapshots.get(v));
                bad.setVersion(v + 10_000);
                assertEquals(Predictor.Offer.CORRUPT, predictor.offer(bad));
                corruptOffers++;
            }
            assertEquals(Predictor.Offer.SWAPPED, predictor.offer(snapshots.get(v)));
            long[] before = new long[threads];
            for (int t = 0; t < threads; t++) {
                before[t] = done.get(t);
            }
            assertEquals(Predictor.Offer.NOT_NEWER, predictor.offer(snapshots.get(v - 1)));
            awaitPredictions(done, workers, before);
        }
        for (Thread w : workers) {
            w.join();
        }
        assertEquals(List.of(), List.copyOf(failures));
        List<Long> all = new ArrayList<>();
        for (long v = 1; v <= versions; v++) {
            all.add(v);
        }
        for (int t = 0; t < threads; t++) {
            assertEquals(all, seen.get(t), "versions seen by thread " + t);
        }
        assertEquals(versions, predictor.current().version());
        assertEquals(versions, predictor.swaps());
        assertEquals(corruptOffers, predictor.rejected());
        assertEquals(versions - 1, predictor.notNewer());
        assertTrue(predictor.lastRejection().contains("checksum"), predictor.lastRejection());
    }

    /**
     * Waits until every live worker has finished two predictions more than {@code before} (counted
     * after the last swap): the second of them began after the swap.
     */
    private static void awaitPredictions(
            AtomicLongArray done, List<Thread> workers, long[] before) {
        for (int t = 0; t < before.length; t++) {
            while (done.get(t) < before[t] + 2 && workers.get(t).isAlive()) {
                Thread.onSpinWait();
            }
        }
    }

    @Test
    void wrongFeatureCountNamesTheVersionAndBothCounts() {
        ModelSnapshot s =
                TestSnapshots.random(
                        "k",
                        TestSnapshots.spec(
                                "logistic",
                                Task.BINARY,
                                FEATURES,
                                List.of(),
                                Activation.IDENTITY,
                                1),
                        42,
                        1,
                        false);
        try (Predictor p = Predictor.of(s)) {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> p.predict(new float[4]));
            assertEquals("model k v42 takes 5 features, got 4", e.getMessage());
            assertNull(p.failure());
            double[] probabilities = p.predict(new float[FEATURES]).probabilities();
            assertEquals(1.0, probabilities[0] + probabilities[1], 1e-12);
        }
    }

    @Test
    void aCorruptFixedSnapshotIsRefused() {
        ModelSnapshot s =
                TestSnapshots.random(
                        "k",
                        TestSnapshots.spec(
                                "softmax",
                                Task.MULTICLASS,
                                FEATURES,
                                List.of(),
                                Activation.IDENTITY,
                                3),
                        7,
                        1,
                        true);
        CorruptSnapshotException e =
                assertThrows(
                        CorruptSnapshotException.class,
                        () -> Predictor.of(TestSnapshots.corrupted(s)));
        assertTrue(
                e.getMessage().startsWith("snapshot k v7 is corrupt: parameter checksum"),
                e.getMessage());
        Predictor other = new Predictor("other", "test");
        assertEquals(Predictor.Offer.OTHER_KEY, other.offer(s));
        assertNull(other.current());
        assertArrayEquals(new long[] {0, 0}, new long[] {other.swaps(), other.rejected()});
    }
}
