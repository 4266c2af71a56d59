package io.streamgrad.train;

/**
 * Where a model's training came from, kept in its {@link TrainerState} (so in every checkpoint, and
 * right after a failover): the Kafka offsets it trained in this run, those its warm-start ancestors
 * trained, and the snapshot it was warm-started from.
 *
 * @param parentRunId run of the snapshot this model was warm-started from, null for a fresh model
 * @param parentVersion that snapshot's version, -1 for a fresh model
 * @param inherited offsets the ancestors trained (their own and their inherited ranges)
 * @param trained offsets of the examples this run trained (later epochs over bounded input reread
 *     the same offsets, and count their examples again)
 * @param complete false when the state was written before offsets were kept (a run resumed from an
 *     older checkpoint): {@code trained} then starts at that resume
 */
public record ModelLineage(
        String parentRunId,
        long parentVersion,
        OffsetRanges inherited,
        OffsetRanges trained,
        boolean complete) {

    /** A fresh model: no parent, nothing trained yet. */
    public static final ModelLineage FRESH =
            new ModelLineage(null, -1, OffsetRanges.NONE, OffsetRanges.NONE, true);

    /** A model restored from state written before lineage was kept. */
    static final ModelLineage ADOPTED =
            new ModelLineage(null, -1, OffsetRanges.NONE, OffsetRanges.NONE, false);

    /**
     * A warm start from snapshot {@code (runId, version)}: what it trained and inherited becomes
     * this model's inheritance.
     */
    public static ModelLineage warmStart(
            String runId,
            long version,
            OffsetRanges parentInherited,
            OffsetRanges parentTrained,
            boolean parentComplete) {
        return new ModelLineage(
                runId,
                version,
                parentInherited.followedBy(parentTrained),
                OffsetRanges.NONE,
                parentComplete);
    }

    /** The same lineage after training examples at these coordinates. */
    ModelLineage trainedAlso(int[] partitions, long[] offsets) {
        OffsetRanges t = trained.including(partitions, offsets);
        return t == trained
                ? this
                : new ModelLineage(parentRunId, parentVersion, inherited, t, complete);
    }

    /** Everything trained, ancestors included: inherited ranges followed by this run's. */
    public OffsetRanges all() {
        return inherited.followedBy(trained);
    }
}
