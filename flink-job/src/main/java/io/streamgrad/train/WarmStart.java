package io.streamgrad.train;

import io.streamgrad.schema.AvroSerde;
import io.streamgrad.schema.ModelSnapshot;
import java.io.Serializable;
import java.util.Objects;

/**
 * A model key that starts from a snapshot instead of a fresh model. Carried in the job's
 * configuration as the snapshot's Avro bytes (serializable, and the exact record chosen before the
 * job started); {@link Snapshots#warmStartState} turns it into the trainer state.
 *
 * @param modelKey the key it applies to (the snapshot's)
 * @param runId the snapshot's run, for messages and provenance
 * @param version the snapshot's version
 * @param snapshot the snapshot in Avro single-object encoding
 */
public record WarmStart(String modelKey, String runId, long version, byte[] snapshot)
        implements Serializable {

    public WarmStart {
        Objects.requireNonNull(modelKey);
        Objects.requireNonNull(snapshot);
    }

    public static WarmStart of(ModelSnapshot s) {
        return new WarmStart(
                s.getModel(),
                s.getRunId(),
                s.getVersion(),
                AvroSerde.of(ModelSnapshot.class).serialize(s));
    }

    public ModelSnapshot decode() {
        return AvroSerde.of(ModelSnapshot.class).deserialize(snapshot);
    }

    /** The trainer state the key starts from ({@link Snapshots#warmStartState}). */
    public TrainerState state(TrainingConfig config, int epoch) {
        return Snapshots.warmStartState(decode(), config, epoch);
    }

    /** How provenance records it: {@code KEY from run RUN vVERSION}. */
    public String describe() {
        return modelKey + " from run " + runId + " v" + version;
    }
}
