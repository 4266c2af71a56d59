package io.streamgrad.join;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the joiner did, shared by all its tasks and read by the status line and the summary.
 *
 * <p>Identities once every window has closed: {@code features = joined + negatives + dropped};
 * accepted labels {@code labels = joined + late_labels + duplicate_labels + unknown_events}. {@code
 * dead_lettered} counts every record written to the dead-letter topic (late labels, labels for
 * unknown events, wrong label types, undecodable records, duplicate feature records).
 *
 * <p>These are counts of what this process did: after a crash, Kafka Streams reprocesses from the
 * last commit and they can exceed the exactly-once output by what was replayed.
 */
public final class JoinCounters {
    final AtomicLong featureRecords = new AtomicLong();
    final AtomicLong labelRecords = new AtomicLong();
    final AtomicLong featuresForwarded = new AtomicLong();
    final AtomicLong labelsForwarded = new AtomicLong();
    final AtomicLong featuresArrived = new AtomicLong();
    final AtomicLong labelsArrived = new AtomicLong();
    final AtomicLong features = new AtomicLong();
    final AtomicLong labels = new AtomicLong();
    final AtomicLong joined = new AtomicLong();
    final AtomicLong negatives = new AtomicLong();
    final AtomicLong dropped = new AtomicLong();
    final AtomicLong lateLabels = new AtomicLong();
    final AtomicLong duplicateLabels = new AtomicLong();
    final AtomicLong unknownEvents = new AtomicLong();
    final AtomicLong wrongLabelTypes = new AtomicLong();
    final AtomicLong undecodable = new AtomicLong();
    final AtomicLong duplicateFeatures = new AtomicLong();
    final AtomicLong deadLettered = new AtomicLong();
    final AtomicLong earlyLabelsPending = new AtomicLong();
    private final AtomicBoolean closeAll = new AtomicBoolean();
    private final java.util.Set<String> tasksClosedAll =
            java.util.concurrent.ConcurrentHashMap.newKeySet();

    public long features() {
        return features.get();
    }

    public long labels() {
        return labels.get();
    }

    public long joined() {
        return joined.get();
    }

    public long negatives() {
        return negatives.get();
    }

    public long dropped() {
        return dropped.get();
    }

    public long lateLabels() {
        return lateLabels.get();
    }

    public long duplicateLabels() {
        return duplicateLabels.get();
    }

    public long unknownEvents() {
        return unknownEvents.get();
    }

    public long deadLettered() {
        return deadLettered.get();
    }

    /** Records read from the features and labels topics, decodable or not. */
    public long recordsRead() {
        return featureRecords.get() + labelRecords.get();
    }

    /** Features whose window is still open. */
    public long pendingFeatures() {
        return features.get() - joined.get() - negatives.get() - dropped.get();
    }

    /** Labels held for features that have not arrived yet. */
    public long pendingLabels() {
        return earlyLabelsPending.get();
    }

    /** True when every decoded record has also reached the join step (nothing in repartition). */
    public boolean repartitionDrained() {
        return featuresForwarded.get() == featuresArrived.get()
                && labelsForwarded.get() == labelsArrived.get();
    }

    /** Asks every join task to close all windows now (the end of a bounded run). */
    public void requestCloseAll() {
        closeAll.set(true);
    }

    boolean closeAllRequested() {
        return closeAll.get();
    }

    void taskClosedAll(String taskId) {
        tasksClosedAll.add(taskId);
    }

    /**
     * Join tasks that have closed every window since {@link #requestCloseAll}: a bounded run is
     * done when all have (the pending counts cannot say so after a restart, when this process did
     * not see the features it restored).
     */
    public int tasksClosedAll() {
        return tasksClosedAll.size();
    }

    /** The summary's fields, in a stable order. */
    public Map<String, Long> toMap() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("features", features.get());
        m.put("labels", labels.get());
        m.put("joined", joined.get());
        m.put("negatives", negatives.get());
        m.put("dropped", dropped.get());
        m.put("late_labels", lateLabels.get());
        m.put("duplicate_labels", duplicateLabels.get());
        m.put("unknown_events", unknownEvents.get());
        m.put("wrong_label_types", wrongLabelTypes.get());
        m.put("undecodable", undecodable.get());
        m.put("duplicate_features", duplicateFeatures.get());
        m.put("dead_lettered", deadLettered.get());
        m.put("pending_features", pendingFeatures());
        m.put("pending_labels", pendingLabels());
        return m;
    }

    /** One line for the console, e.g. while a live join runs. */
    public String statusLine() {
        return String.format(
                "join: features %,d  labels %,d  joined %,d  negatives %,d  dropped %,d  late %,d"
                        + "  duplicate %,d  dead-lettered %,d  open windows %,d",
                features.get(),
                labels.get(),
                joined.get(),
                negatives.get(),
                dropped.get(),
                lateLabels.get(),
                duplicateLabels.get(),
                deadLettered.get(),
                pendingFeatures());
    }
}
