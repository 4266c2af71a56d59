package io.streamgrad.job;

import java.util.ArrayList;
import java.util.List;

/**
 * When a job read its first record, carried across the restarts Flink makes within the job, so that
 * a run's start-up and rate span the whole job ({@link Accumulators#FIRST_RECORD_MILLIS}). A
 * restart restores what the last completed checkpoint held; a restart before a checkpoint held this
 * job's first record restores nothing of it, and then the first record's time is unknown: the
 * attempt knows only its own.
 *
 * <p>State entries are {@code JOBID=MILLIS} or {@code JOBID=unknown}, so that a checkpoint of an
 * earlier job (a run resumed by a new job, whose first attempt restores it and may fail before its
 * own first checkpoint) is never taken for this job's.
 *
 * @param millis the earliest first record's wall-clock time (ms since the epoch) known, {@link
 *     Long#MAX_VALUE} for none
 * @param unknown whether an earlier attempt may have read records before that, when no checkpoint
 *     kept
 */
record FirstRecordTime(long millis, boolean unknown) {
    /** A job's first attempt: nothing carried. */
    static final FirstRecordTime NONE = new FirstRecordTime(Long.MAX_VALUE, false);

    private static final String UNKNOWN = "unknown";

    /**
     * What an attempt carries over from the ones before it.
     *
     * @param attempt the attempt number: 0 for a job's first (also a new job restored from an
     *     earlier job's checkpoint, a run of its own whose rate spans its own records), 1, 2... for
     *     restarts
     * @param job this job's id
     * @param stored the operator state's entries (every subtask's, union state); empty when nothing
     *     was restored
     */
    static FirstRecordTime carried(int attempt, String job, Iterable<String> stored) {
        long min = Long.MAX_VALUE;
        boolean unknown = false;
        boolean any = false;
        for (String entry : stored) {
            int eq = entry.lastIndexOf('=');
            if (eq < 0 || !entry.substring(0, eq).equals(job)) {
                continue; // another job's
            }
            any = true;
            String value = entry.substring(eq + 1);
            try {
                min = value.equals(UNKNOWN) ? min : Math.min(min, Long.parseLong(value));
                unknown |= value.equals(UNKNOWN);
            } catch (NumberFormatException e) {
                unknown = true; // what it said cannot be read: not a time to report
            }
        }
        if (!any) {
            // Nothing of this job restored: its first attempt starts the count; a later attempt
            // follows one that may have read records no checkpoint kept (it failed before one
            // completed, or after one taken before its first record).
            return attempt == 0 ? NONE : new FirstRecordTime(Long.MAX_VALUE, true);
        }
        // This job's own entries, whatever the attempt (after a JobManager failover the attempt
        // numbers start again at 0, the job id stays).
        return new FirstRecordTime(min, unknown || min == Long.MAX_VALUE);
    }

    /**
     * The state's entries for this job once this attempt's own first record ({@code own}, ms;
     * {@link Long#MAX_VALUE} for none yet) is known.
     */
    List<String> toState(String job, long own) {
        List<String> out = new ArrayList<>();
        long first = Math.min(millis, own);
        if (first != Long.MAX_VALUE) {
            out.add(job + "=" + first);
        }
        if (unknown) {
            out.add(job + "=" + UNKNOWN);
        }
        return out;
    }
}
