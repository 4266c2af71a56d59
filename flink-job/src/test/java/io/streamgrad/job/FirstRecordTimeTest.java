package io.streamgrad.job;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What an attempt of a job carries over of the time its first record was read. */
class FirstRecordTimeTest {
    @Test
    void aJobsFirstAttemptCarriesNothingEvenFromACheckpoint() {
        // A new job on a state directory (train started again) is a run of its own.
        assertEquals(FirstRecordTime.NONE, FirstRecordTime.carried(0, true, List.of(1_000L)));
        assertEquals(List.of(5_000L), FirstRecordTime.NONE.toState(5_000L));
        assertEquals(List.of(), FirstRecordTime.NONE.toState(Long.MAX_VALUE));
    }

    @Test
    void aRestartFromACheckpointKeepsTheEarliestOfEverySubtask() {
        FirstRecordTime t = FirstRecordTime.carried(2, true, List.of(3_000L, 1_000L, 2_000L));
        assertEquals(new FirstRecordTime(1_000L, false), t);
        // Its own first record comes later: the checkpoint keeps the job's.
        assertEquals(List.of(1_000L), t.toState(9_000L));
    }

    @Test
    void aRestartBeforeAnyCheckpointDoesNotKnowTheJobsFirstRecordAndSaysSoOnward() {
        FirstRecordTime first = FirstRecordTime.carried(1, false, List.of());
        assertEquals(new FirstRecordTime(Long.MAX_VALUE, true), first);
        List<Long> state = first.toState(7_000L);
        assertEquals(List.of(7_000L, -1L), state);
        // A later restart from that checkpoint still does not know it.
        assertEquals(new FirstRecordTime(7_000L, true), FirstRecordTime.carried(2, true, state));
    }
}
