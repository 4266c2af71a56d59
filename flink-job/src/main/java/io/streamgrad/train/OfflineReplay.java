package io.streamgrad.train;

import io.streamgrad.batch.TrainingExample;
import java.util.List;

/**
 * Trains a bounded list of examples outside Flink exactly as the job's operator would, window for
 * window: count windows in arrival order, event-time windows in window order (every event on time),
 * then the end of input with its epochs. What a job did can be recomputed and compared bit for bit,
 * and the theory tests run on the product's own code path.
 */
public final class OfflineReplay {
    private OfflineReplay() {}

    public static ModelTrainer replay(
            String modelKey,
            TrainingConfig config,
            List<TrainingExample> arrivals,
            TrainingListener listener) {
        KeyedTrainer keyed = new KeyedTrainer(config, true);
        KeyedTrainer.Scope scope =
                new KeyedTrainer.Scope(
                        modelKey, new InMemoryTrainerStore(), NO_TIMERS, forward(listener));
        try {
            for (TrainingExample e : arrivals) {
                keyed.onExample(scope, e, e.eventTime());
            }
            keyed.onEventTimeTimer(scope, KeyedTrainer.END_OF_INPUT);
            return keyed.trainer(scope);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * No watermark (every event is on time) and no processing time: windows close by count, or all
     * at the end of input in window order.
     */
    private static final KeyedTrainer.Timers NO_TIMERS =
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
                public void registerEventTimeTimer(long time) {}

                @Override
                public void registerProcessingTimeTimer(long time) {}
            };

    private static KeyedTrainer.Listener forward(TrainingListener l) {
        return new KeyedTrainer.Listener() {
            @Override
            public void onStep(ModelTrainer.Step step) {
                l.onStep(step);
            }

            @Override
            public void onEpochEnd(EpochEnd end) {
                l.onEpochEnd(end);
            }

            @Override
            public void onSnapshot(ModelTrainer trainer) {
                l.onSnapshot(trainer);
            }

            @Override
            public void onAccepted(TrainingExample e) {}

            @Override
            public void onLate(
                    TrainingExample e,
                    long time,
                    long ownWindow,
                    long watermark,
                    boolean deadLettered) {
                throw new IllegalStateException("no event is late without a watermark");
            }

            @Override
            public void onIdleFlush() {}

            @Override
            public void onCounts(String modelKey, long iteration, ModelCounts counts) {}
        };
    }

    /** A listener that keeps nothing. */
    public static TrainingListener ignoring() {
        return new TrainingListener() {
            @Override
            public void onStep(ModelTrainer.Step step) {}

            @Override
            public void onEpochEnd(EpochEnd end) {}

            @Override
            public void onSnapshot(ModelTrainer trainer) {}
        };
    }
}
