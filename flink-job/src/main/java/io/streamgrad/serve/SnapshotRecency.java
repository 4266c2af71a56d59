package io.streamgrad.serve;

import io.streamgrad.config.RunIds;
import io.streamgrad.schema.ModelSnapshot;
import java.util.Collection;
import java.util.Comparator;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which snapshot of a model key is the newest: the one {@code --snapshot latest} chooses and a
 * following predictor swaps to.
 *
 * <p>Within a run, the higher version (a snapshot's version is its iteration; of equal versions,
 * the later created). Across runs, the run that started later: a run started over ({@code train
 * --start-over}), or any new run of the key, supersedes its predecessor whatever version that one
 * had reached. A run's start is the time in its id ({@link RunIds#startedAt}, ids made since Dec 2
 * 2026), else the earliest {@code created_at} of its snapshots seen (which a compacted topic can
 * make later than it was). By version alone, a predictor would keep serving a long run's v3125
 * while its replacement trains through v100…v3124; by each snapshot's own creation time, two runs
 * writing at once (two group ids, or an old live run still going after a start-over) would take
 * turns on every snapshot; by creation time within a run, two hosts' clocks could put a run's
 * versions out of order.
 *
 * <p>An instance remembers the runs it has seen (one entry per run id); thread-safe.
 */
public final class SnapshotRecency {
    private final Map<String, Long> runStarts = new ConcurrentHashMap<>();

    /**
     * Notes a snapshot: its run started no later than {@code createdAt} (ms). Every snapshot of the
     * key should be seen before it is compared, so that runs are ordered by their starts.
     */
    void see(String run, long createdAt) {
        long start = RunIds.startedAt(run).orElse(createdAt);
        runStarts.merge(String.valueOf(run), start, Math::min);
    }

    /**
     * Whether snapshot a (run, version, created at in ms) is newer than snapshot b of the same key:
     * the higher version of one run, else the run that started later (of two that started in the
     * same millisecond, the greater run id, so that the answer never alternates).
     */
    boolean newer(
            String runA, long versionA, long createdA, String runB, long versionB, long createdB) {
        if (Objects.equals(runA, runB)) {
            return versionA > versionB || (versionA == versionB && createdA > createdB);
        }
        long startA =
                runStarts.getOrDefault(
                        String.valueOf(runA), RunIds.startedAt(runA).orElse(createdA));
        long startB =
                runStarts.getOrDefault(
                        String.valueOf(runB), RunIds.startedAt(runB).orElse(createdB));
        return startA != startB
                ? startA > startB
                : String.valueOf(runA).compareTo(String.valueOf(runB)) > 0;
    }

    /**
     * The newest of one key's snapshots: the latest-started run's highest version; empty for none.
     */
    public static Optional<ModelSnapshot> newest(Collection<ModelSnapshot> ofKey) {
        SnapshotRecency recency = new SnapshotRecency();
        for (ModelSnapshot s : ofKey) {
            recency.see(s.getRunId(), s.getCreatedAt());
        }
        // The order newer() defines, as keys: the run's start, its id, then version and time.
        return ofKey.stream()
                .max(
                        Comparator.comparingLong(
                                        (ModelSnapshot s) ->
                                                recency.runStarts.get(String.valueOf(s.getRunId())))
                                .thenComparing(s -> String.valueOf(s.getRunId()))
                                .thenComparingLong(ModelSnapshot::getVersion)
                                .thenComparingLong(ModelSnapshot::getCreatedAt));
    }
}
