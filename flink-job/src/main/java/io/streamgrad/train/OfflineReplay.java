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
        return replay(modelKey, config, null, arrivals, listener);
    }

    /**
     * As {@link #replay(String, TrainingConfig, List, TrainingListener)}, the key's model starting
     * from a snapshot.
     *
     * @param warmStart the snapshot to start from, null for a fresh model
     */
    public static ModelTrainer replay(
            String modelKey,
            TrainingConfig config,
            WarmStart warmStart,
            List<TrainingExample> arrivals,
            TrainingListener listener) {
        return run(
                new KeyedTrainer(config, true, ModelConfigs.of(config), warmStart, null),
                modelKey,
                arrivals,
                listener,
                (keyed, scope) -> keyed.onEventTimeTimer(scope, KeyedTrainer.END_OF_INPUT));
    }

    /**
     * Trains a range as a job that reads it from Kafka once per pass does ({@link ReplayPlan}):
     * each pass's examples in the order the replay source reads them, every event on time.
     *
     * @param examples the key's examples of the range, with their Kafka partitions and offsets
     * @param range per partition, the range's first offset and the offset after its last (it may
     *     hold records that are not examples, such as dead letters); null for the examples' own
     * @param warmStart the snapshot to start from, null for a fresh model
     */
    public static ModelTrainer replayPasses(
            String modelKey,
            TrainingConfig config,
            WarmStart warmStart,
            List<TrainingExample> examples,
            java.util.Map<Integer, long[]> range,
            TrainingListener listener) {
        ReplayPlan plan = ReplayPlan.of(config.batching(), config.seed());
        KeyedTrainer keyed =
                new KeyedTrainer(config, true, ModelConfigs.of(config), warmStart, plan);
        KeyedTrainer.Scope scope =
                new KeyedTrainer.Scope(
                        modelKey, new InMemoryTrainerStore(), NO_TIMERS, forward(listener));
        try {
            for (int p = 0; p < plan.passes(); p++) {
                for (TrainingExample e : plan.order(p, examples, range)) {
                    keyed.onExample(scope, e, Math.max(0, e.eventTime()) + plan.shift(p));
                }
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
     * Trains examples as a live job does when they all arrive, in event-time windows no watermark
     * closes, and the stream then goes quiet: one idle flush trains them all (the remainder in
     * decreasing power-of-two pieces) and publishes a snapshot. The result does not depend on the
     * arrival order (a flush orders its examples canonically before its seeded shuffle), so a live
     * job's model can be recomputed bit for bit. Count windows close as they fill, as in the job.
     *
     * @param warmStart the snapshot to start from, null for a fresh model
     */
    public static ModelTrainer replayQuietLive(
            String modelKey,
            TrainingConfig config,
            WarmStart warmStart,
            List<TrainingExample> arrivals,
            TrainingListener listener) {
        if (config.batching().idleTimeoutMs() <= 0) {
            throw new IllegalArgumentException("a quiet live stream needs an idle timeout");
        }
        // Every arrival happened at processing time 0: the idle timer is due.
        return run(
                new KeyedTrainer(config, false, ModelConfigs.of(config), warmStart, null),
                modelKey,
                arrivals,
                listener,
                (keyed, scope) ->
                        keyed.onProcessingTimeTimer(scope, config.batching().idleTimeoutMs()));
    }

    /** What ends a replay once every example has arrived. */
    private interface End {
        void after(KeyedTrainer keyed, KeyedTrainer.Scope scope) throws Exception;
    }

    private static ModelTrainer run(
            KeyedTrainer keyed,
            String modelKey,
            List<TrainingExample> arrivals,
            TrainingListener listener,
            End end) {
        KeyedTrainer.Scope scope =
                new KeyedTrainer.Scope(
                        modelKey, new InMemoryTrainerStore(), NO_TIMERS, forward(listener));
        try {
            for (TrainingExample e : arrivals) {
                keyed.onExample(scope, e, e.eventTime());
            }
            end.after(keyed, scope);
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
    static final KeyedTrainer.Timers NO_TIMERS =
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
