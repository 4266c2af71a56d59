package io.streamgrad.train;

import io.streamgrad.batch.TrainingExample;
import java.util.List;

/**
 * The state of one model key as {@link KeyedTrainer} reads and writes it. The Flink operator backs
 * it with keyed state (so it is checkpointed); offline replays and tests back it with lists ({@link
 * InMemoryTrainerStore}).
 */
public interface TrainerStore {
    /** The model and its trainer's counters, null before the first update of this key. */
    TrainerState trainerState() throws Exception;

    void setTrainerState(TrainerState state) throws Exception;

    /** Never null: {@link WindowBookkeeping#INITIAL} for a new key. */
    WindowBookkeeping bookkeeping() throws Exception;

    void setBookkeeping(WindowBookkeeping bookkeeping) throws Exception;

    /** Never null: {@link ModelCounts#ZERO} for a new key. */
    ModelCounts counts() throws Exception;

    void setCounts(ModelCounts counts) throws Exception;

    /** Examples in open windows, in arrival order. */
    List<WindowedExample> openWindows() throws Exception;

    void addToOpenWindows(WindowedExample e) throws Exception;

    void setOpenWindows(List<WindowedExample> examples) throws Exception;

    /** Examples left over from earlier windows (fewer than a batch). */
    List<TrainingExample> carried() throws Exception;

    void setCarried(List<TrainingExample> examples) throws Exception;

    /** Every example of the pass over bounded input, kept for later epochs and full-pass loss. */
    List<TrainingExample> pass() throws Exception;

    void addToPass(TrainingExample e) throws Exception;

    void clearPass() throws Exception;
}
