package io.streamgrad.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamgrad.batch.TrainingExample;
import io.streamgrad.window.WindowSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The end-of-input timer is registered once per key, not per event (registering it per event cost a
 * timer-queue lookup per event), and again by a new instance, as after a restore.
 */
class EndOfInputTimerTest {

    @Test
    void eachKeyRegistersTheEndOfInputTimerOncePerInstance() throws Exception {
        TrainingConfig c =
                TestData.config(TestData.batching(8, new WindowSpec.Count(2), 1), "sgd", 0.1);
        List<TrainingExample> data = TestData.binary(100, 3);
        Map<String, Integer> registered = new TreeMap<>();
        KeyedTrainer keyed = new KeyedTrainer(c, true);
        feed(keyed, "a", data, registered);
        feed(keyed, "b", data.subList(0, 10), registered);
        feed(keyed, "a", data.subList(10, 20), registered);
        assertEquals(Map.of("a", 1, "b", 1), registered, "one registration per key");

        // A new instance (a restored or rescaled operator) cannot know the timer exists.
        feed(new KeyedTrainer(c, true), "a", data.subList(20, 30), registered);
        assertEquals(Map.of("a", 2, "b", 1), registered);
    }

    private static void feed(
            KeyedTrainer keyed,
            String key,
            List<TrainingExample> examples,
            Map<String, Integer> registered)
            throws Exception {
        KeyedTrainer.Timers timers =
                new KeyedTrainer.Timers() {
                    @Override
                    public long currentWatermark() {
                        return Long.MIN_VALUE;
                    }

                    @Override
                    public long currentProcessingTime() {
                        return 0;
                    }

                    @Override
                    public void registerEventTimeTimer(long time) {
                        if (time == KeyedTrainer.END_OF_INPUT) {
                            registered.merge(key, 1, Integer::sum);
                        }
                    }

                    @Override
                    public void registerProcessingTimeTimer(long time) {}
                };
        KeyedTrainer.Scope scope =
                new KeyedTrainer.Scope(
                        key,
                        new InMemoryTrainerStore(),
                        timers,
                        TestData.lossListener(new ArrayList<>()));
        for (TrainingExample e : examples) {
            keyed.onExample(scope, e, e.eventTime());
        }
    }
}
