package io.streamgrad.serve;

import io.streamgrad.schema.ModelSnapshot;
import java.util.Collection;
import java.util.Comparator;
import java.util.Objects;
import java.util.Optional;

/**
 * Which snapshot of a model key is the newest: the one {@code --snapshot latest} chooses and a
 * following predictor swaps to.
 *
 * <p>Within a run, the higher version (a snapshot's version is its iteration; of equal versions,
 * the later created). Across runs, the later created: a run started over ({@code train
 * --start-over}), or any new run of the key, supersedes its predecessor whatever version that one
 * had reached. By version alone, a predictor would keep serving a long run's v3125 while its
 * replacement trains through v100…v3124; by creation time alone, two hosts' clocks could put a
 * run's versions out of order.
 */
public final class SnapshotRecency {
    private SnapshotRecency() {}

    /**
     * Whether snapshot a (run, version, created at in ms) is newer than snapshot b of the same key.
     */
    static boolean newer(
            String runA, long versionA, long createdA, String runB, long versionB, long createdB) {
        if (Objects.equals(runA, runB)) {
            return versionA > versionB || (versionA == versionB && createdA > createdB);
        }
        return createdA > createdB;
    }

    /** The newest of one key's snapshots: the newest run's highest version; empty for none. */
    public static Optional<ModelSnapshot> newest(Collection<ModelSnapshot> ofKey) {
        Optional<ModelSnapshot> lastCreated =
                ofKey.stream().max(Comparator.comparingLong(ModelSnapshot::getCreatedAt));
        if (lastCreated.isEmpty()) {
            return lastCreated;
        }
        String run = lastCreated.get().getRunId();
        return ofKey.stream()
                .filter(s -> Objects.equals(s.getRunId(), run))
                .max(
                        Comparator.comparingLong(ModelSnapshot::getVersion)
                                .thenComparingLong(ModelSnapshot::getCreatedAt));
    }
}
