package io.streamgrad.job;

import java.util.ArrayList;
import java.util.List;

/**
 * When a job read its first record, carried across the restarts Flink makes within the job, so that
 * a run's start-up and rate span the whole job ({@link Accumulators#FIRST_RECORD_MILLIS}). A
 * restart restores what the last completed checkpoint held; a restart before any checkpoint
 * restores nothing, and then the first record's time is unknown: the attempt knows only its own.
 *
 * @param millis the earliest first record's wall-clock time (ms since the epoch) known, {@link
 *     Long#MAX_VALUE} for none
 * @param unknown whether an earlier attempt may have read records before that, when no checkpoint
 *     kept
 */
record FirstRecordTime(long millis, boolean unknown) {
    /** A job's first attempt: nothing carried. */
    static final FirstRecordTime NONE = new FirstRecordTime(Long.MAX_VALUE, false);

    /** The state's mark for {@link #unknown}; times are never negative. */
    private static final long UNKNOWN = -1;

    /**
     * What an attempt carries over from the ones before it.
     *
     * @param attempt the attempt number: 0 for a job's first (also a new job restored from a
     *     checkpoint, a run of its own whose rate spans its own records), 1, 2... for restarts
     * @param restored whether the attempt restored a checkpoint
     * @param stored the operator state's entries (every subtask's, union state)
     */
    static FirstRecordTime carried(int attempt, boolean restored, Iterable<Long> stored) {
        if (attempt == 0) {
            return NONE;
        }
        if (!restored) {
            return new FirstRecordTime(Long.MAX_VALUE, true);
        }
        long min = Long.MAX_VALUE;
        boolean unknown = false;
        for (Long t : stored) {
            if (t == UNKNOWN) {
                unknown = true;
            } else {
                min = Math.min(min, t);
            }
        }
        return new FirstRecordTime(min, unknown);
    }

    /** The state's entries once this attempt's own first record ({@code own}, ms) is known. */
    List<Long> toState(long own) {
        List<Long> out = new ArrayList<>();
        long first = Math.min(millis, own);
        if (first != Long.MAX_VALUE) {
            out.add(first);
        }
        if (unknown) {
            out.add(UNKNOWN);
        }
        return out;
    }
}
