package io.streamgrad.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamgrad.model.Activation;
import io.streamgrad.model.ModelSpec;
import io.streamgrad.schema.ModelSnapshot;
import io.streamgrad.schema.Task;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A run started over replaces a longer earlier run at once, for {@code --snapshot latest} and for a
 * following predictor, while a run's own versions never go back.
 */
class SnapshotRecencyTest {
    private static final ModelSpec SPEC =
            TestSnapshots.spec("logistic", Task.BINARY, 4, List.of(), Activation.RELU, 1);

    private static ModelSnapshot of(String run, long version, long createdAt) {
        ModelSnapshot s = TestSnapshots.random("k", SPEC, version, version, false);
        s.setRunId(run);
        s.setCreatedAt(createdAt);
        return s;
    }

    @Test
    void theNewestRunsHighestVersionIsLatestWhateverVersionAnEarlierRunReached() {
        ModelSnapshot longRun = of("a", 3125, 1_000);
        ModelSnapshot longRunEarlier = of("a", 3000, 900);
        ModelSnapshot startedOver = of("b", 100, 2_000);
        ModelSnapshot startedOverLater = of("b", 200, 3_000);
        assertEquals(
                startedOverLater,
                SnapshotRecency.newest(
                                List.of(longRun, startedOverLater, startedOver, longRunEarlier))
                        .orElseThrow());
        // Within the newest run the version decides, not the clock (hosts' clocks may differ).
        ModelSnapshot skewed = of("b", 300, 2_500);
        assertEquals(
                skewed,
                SnapshotRecency.newest(List.of(longRun, startedOverLater, skewed, startedOver))
                        .orElseThrow());
        assertTrue(SnapshotRecency.newest(List.of()).isEmpty());
    }

    @Test
    void aFollowingPredictorSwapsToARunStartedOverAndNeverBackToItsPredecessor() {
        Predictor predictor = new Predictor("k", "test");
        assertEquals(Predictor.Offer.SWAPPED, predictor.offer(of("a", 3125, 1_000)));
        // Before: v100 of a later run was not newer than v3125, and was never served.
        assertEquals(Predictor.Offer.SWAPPED, predictor.offer(of("b", 100, 2_000)));
        assertEquals("b", predictor.current().runId());
        assertEquals(Predictor.Offer.NOT_NEWER, predictor.offer(of("a", 3126, 1_500)));
        assertEquals(Predictor.Offer.NOT_NEWER, predictor.offer(of("b", 99, 2_500)));
        assertEquals(Predictor.Offer.SWAPPED, predictor.offer(of("b", 101, 1_900)));
        assertEquals(101, predictor.current().version());
    }

    @Test
    void twoRunsWritingAtOnceDoNotTakeTurns() {
        // An old live run (a) still writing after a start-over (b): b started later, so a's
        // snapshots, however recently created, no longer replace b's.
        Predictor predictor = new Predictor("k", "test");
        assertEquals(Predictor.Offer.SWAPPED, predictor.offer(of("a", 500, 1_000)));
        assertEquals(Predictor.Offer.SWAPPED, predictor.offer(of("b", 1, 2_000)));
        for (int i = 1; i <= 5; i++) {
            assertEquals(
                    Predictor.Offer.NOT_NEWER, predictor.offer(of("a", 500 + i, 2_000 + 10 * i)));
            assertEquals(Predictor.Offer.SWAPPED, predictor.offer(of("b", 1 + i, 2_005 + 10 * i)));
        }
        assertEquals("b", predictor.current().runId());
        assertEquals(6, predictor.current().version());
        // --snapshot latest agrees, even when the older run wrote last.
        ModelSnapshot newestOfB = of("b", 6, 2_055);
        assertEquals(
                newestOfB,
                SnapshotRecency.newest(
                                List.of(
                                        of("a", 500, 1_000),
                                        of("b", 1, 2_000),
                                        newestOfB,
                                        of("a", 506, 2_060)))
                        .orElseThrow());
    }

    @Test
    void runsThatStartedInTheSameMillisecondAreOrderedByIdNotByTurns() {
        Predictor predictor = new Predictor("k", "test");
        assertEquals(Predictor.Offer.SWAPPED, predictor.offer(of("a", 1, 1_000)));
        assertEquals(Predictor.Offer.SWAPPED, predictor.offer(of("b", 1, 1_000)));
        assertEquals(Predictor.Offer.NOT_NEWER, predictor.offer(of("a", 2, 1_010)));
        assertEquals(Predictor.Offer.SWAPPED, predictor.offer(of("b", 2, 1_011)));
    }

    @Test
    void runsWhoseIdsSayWhenTheyStartedAreOrderedSoOnACompactedTopic() {
        // A (started at 1,000) and B (started at 2,000) write one key; compaction kept B@5,000
        // and the tail holds A@5,001. By the snapshots seen, A would seem to start later; by the
        // ids, B did, and a new follower stays on B.
        String a = io.streamgrad.config.RunIds.at(1_000, new java.util.Random(1)).toString();
        String b = io.streamgrad.config.RunIds.at(2_000, new java.util.Random(2)).toString();
        Predictor predictor = new Predictor("k", "test");
        assertEquals(Predictor.Offer.SWAPPED, predictor.offer(of(b, 70, 5_000)));
        assertEquals(Predictor.Offer.NOT_NEWER, predictor.offer(of(a, 900, 5_001)));
        assertEquals(Predictor.Offer.SWAPPED, predictor.offer(of(b, 71, 5_002)));
        assertEquals(b, predictor.current().runId());
        ModelSnapshot bLast = of(b, 70, 5_000);
        assertEquals(
                bLast, SnapshotRecency.newest(List.of(bLast, of(a, 900, 5_001))).orElseThrow());
    }
}
