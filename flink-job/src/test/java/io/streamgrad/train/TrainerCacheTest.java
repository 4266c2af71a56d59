package io.streamgrad.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamgrad.batch.TrainingExample;
import io.streamgrad.window.WindowSpec;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The trainer kept live between a key's windows trains exactly the model that rebuilding it from
 * its state at every window trains (what a backend that copies state, or a restore, does): the same
 * losses at every step and the same parameters, bit for bit, across count windows, the carried
 * remainder, a second epoch and Adam's optimizer state.
 */
class TrainerCacheTest {

    @Test
    void aLiveTrainerEqualsOneRebuiltFromStateAtEveryWindow() throws Exception {
        TrainingConfig c =
                TestData.config(TestData.batching(32, new WindowSpec.Count(3), 2), "adam", 0.01);
        List<TrainingExample> data = TestData.binary(1_000, 9);
        Run live = run(c, data, false);
        Run rebuilt = run(c, data, true);
        assertTrue(live.losses.size() > 50, "enough windows: " + live.losses.size());
        assertEquals(rebuilt.losses, live.losses);
        assertArrayEquals(rebuilt.state.parameters(), live.state.parameters());
        assertArrayEquals(rebuilt.state.optimizerState(), live.state.optimizerState());
        assertTrue(rebuilt.restores >= 10, "a rebuild per window: " + rebuilt.restores);
    }

    private record Run(List<Double> losses, TrainerState state, int restores) {}

    private static Run run(TrainingConfig c, List<TrainingExample> data, boolean copying)
            throws Exception {
        KeyedTrainer keyed = new KeyedTrainer(c, true);
        InMemoryTrainerStore memory = new InMemoryTrainerStore();
        int[] copies = {0};
        TrainerStore store = copying ? new CopyingStore(memory, copies) : memory;
        List<Double> losses = new ArrayList<>();
        KeyedTrainer.Scope scope =
                new KeyedTrainer.Scope(
                        "m", store, OfflineReplay.NO_TIMERS, TestData.lossListener(losses));
        for (TrainingExample e : data) {
            keyed.onExample(scope, e, e.eventTime());
        }
        keyed.onEventTimeTimer(scope, KeyedTrainer.END_OF_INPUT);
        return new Run(losses, memory.trainerState(), copies[0]);
    }

    /** Hands out a new TrainerState object with the same contents at every read. */
    private record CopyingStore(InMemoryTrainerStore in, int[] copies) implements TrainerStore {
        @Override
        public TrainerState trainerState() throws Exception {
            TrainerState s = in.trainerState();
            if (s == null) {
                return null;
            }
            copies[0]++;
            RecordComponent[] parts = TrainerState.class.getRecordComponents();
            Object[] values = new Object[parts.length];
            Class<?>[] types = new Class<?>[parts.length];
            for (int i = 0; i < parts.length; i++) {
                values[i] = parts[i].getAccessor().invoke(s);
                types[i] = parts[i].getType();
            }
            return TrainerState.class.getDeclaredConstructor(types).newInstance(values);
        }

        @Override
        public void setTrainerState(TrainerState state) {
            in.setTrainerState(state);
        }

        @Override
        public WindowBookkeeping bookkeeping() {
            return in.bookkeeping();
        }

        @Override
        public void setBookkeeping(WindowBookkeeping b) {
            in.setBookkeeping(b);
        }

        @Override
        public ModelCounts counts() {
            return in.counts();
        }

        @Override
        public void setCounts(ModelCounts counts) {
            in.setCounts(counts);
        }

        @Override
        public List<WindowedExample> openWindows() {
            return in.openWindows();
        }

        @Override
        public void addToOpenWindows(WindowedExample e) {
            in.addToOpenWindows(e);
        }

        @Override
        public void setOpenWindows(List<WindowedExample> examples) {
            in.setOpenWindows(examples);
        }

        @Override
        public List<TrainingExample> carried() {
            return in.carried();
        }

        @Override
        public void setCarried(List<TrainingExample> examples) {
            in.setCarried(examples);
        }

        @Override
        public List<TrainingExample> pass() {
            return in.pass();
        }

        @Override
        public void addToPass(TrainingExample e) {
            in.addToPass(e);
        }

        @Override
        public void clearPass() {
            in.clearPass();
        }
    }
}
