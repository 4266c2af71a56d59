package io.streamgrad.job;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What an attempt of a job carries over of the time its first record was read. */
class FirstRecordTimeTest {
    private static final String JOB = "a1";

    @Test
    void aJobsFirstAttemptCarriesNothingEvenFromACheckpoint() {
        // A new job on a state directory (train started again) is a run of its own.
        assertEquals(FirstRecordTime.NONE, FirstRecordTime.carried(0, JOB, List.of("z9=1000")));
        assertEquals(FirstRecordTime.NONE, FirstRecordTime.carried(0, JOB, List.of()));
        assertEquals(List.of("a1=5000"), FirstRecordTime.NONE.toState(JOB, 5_000L));
        assertEquals(List.of(), FirstRecordTime.NONE.toState(JOB, Long.MAX_VALUE));
    }

    @Test
    void aRestartFromACheckpointKeepsTheEarliestOfEverySubtask() {
        FirstRecordTime t =
                FirstRecordTime.carried(2, JOB, List.of("a1=3000", "a1=1000", "a1=2000"));
        assertEquals(new FirstRecordTime(1_000L, false), t);
        // Its own first record comes later: the checkpoint keeps the job's.
        assertEquals(List.of("a1=1000"), t.toState(JOB, 9_000L));
    }

    @Test
    void aRestartBeforeAnyCheckpointDoesNotKnowTheJobsFirstRecordAndSaysSoOnward() {
        FirstRecordTime first = FirstRecordTime.carried(1, JOB, List.of());
        assertEquals(new FirstRecordTime(Long.MAX_VALUE, true), first);
        List<String> state = first.toState(JOB, 7_000L);
        assertEquals(List.of("a1=7000", "a1=unknown"), state);
        // A later restart from that checkpoint still does not know it.
        assertEquals(new FirstRecordTime(7_000L, true), FirstRecordTime.carried(2, JOB, state));
    }

    @Test
    void anEarlierJobsCheckpointIsNotThisJobsFirstRecord() {
        // A resumed run's new job restores the old job's checkpoint; failing before its own first
        // checkpoint, its restart restores the same one: the old job's time is not this job's.
        assertEquals(
                new FirstRecordTime(Long.MAX_VALUE, true),
                FirstRecordTime.carried(1, JOB, List.of("old=1000")));
        // Nor is a checkpoint taken before this job read anything.
        assertEquals(
                new FirstRecordTime(Long.MAX_VALUE, true),
                FirstRecordTime.carried(1, JOB, List.of()));
        assertEquals(
                new FirstRecordTime(4_000L, false),
                FirstRecordTime.carried(1, JOB, List.of("old=1000", "a1=4000")));
    }

    @Test
    void thisJobsEntriesCountWhateverTheAttemptAndAnUnreadableOneIsUnknown() {
        // After a JobManager failover the attempt numbers start again; the job id stays.
        assertEquals(
                new FirstRecordTime(4_000L, false),
                FirstRecordTime.carried(0, JOB, List.of("a1=4000")));
        assertEquals(
                new FirstRecordTime(4_000L, true),
                FirstRecordTime.carried(3, JOB, List.of("a1=4000", "a1=garbled")));
    }
}
