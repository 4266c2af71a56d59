package io.streamgrad.train;

import io.streamgrad.batch.TrainingExample;
import java.util.ArrayList;
import java.util.List;

/** A {@link TrainerStore} in plain lists: one model key, outside Flink. */
public final class InMemoryTrainerStore implements TrainerStore {
    private TrainerState trainerState;
    private WindowBookkeeping bookkeeping = WindowBookkeeping.INITIAL;
    private ModelCounts counts = ModelCounts.ZERO;
    private List<WindowedExample> open = new ArrayList<>();
    private List<TrainingExample> carried = new ArrayList<>();
    private final List<TrainingExample> pass = new ArrayList<>();

    @Override
    public TrainerState trainerState() {
        return trainerState;
    }

    @Override
    public void setTrainerState(TrainerState state) {
        this.trainerState = state;
    }

    @Override
    public WindowBookkeeping bookkeeping() {
        return bookkeeping;
    }

    @Override
    public void setBookkeeping(WindowBookkeeping bookkeeping) {
        this.bookkeeping = bookkeeping;
    }

    @Override
    public ModelCounts counts() {
        return counts;
    }

    @Override
    public void setCounts(ModelCounts counts) {
        this.counts = counts;
    }

    @Override
    public List<WindowedExample> openWindows() {
        return new ArrayList<>(open);
    }

    @Override
    public void addToOpenWindows(WindowedExample e) {
        open.add(e);
    }

    @Override
    public void setOpenWindows(List<WindowedExample> examples) {
        open = new ArrayList<>(examples);
    }

    @Override
    public List<TrainingExample> carried() {
        return new ArrayList<>(carried);
    }

    @Override
    public void setCarried(List<TrainingExample> examples) {
        carried = new ArrayList<>(examples);
    }

    @Override
    public List<TrainingExample> pass() {
        return new ArrayList<>(pass);
    }

    @Override
    public void addToPass(TrainingExample e) {
        pass.add(e);
    }

    @Override
    public void clearPass() {
        pass.clear();
    }
}
