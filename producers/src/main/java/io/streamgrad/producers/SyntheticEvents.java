package io.streamgrad.producers;

import io.streamgrad.schema.LabeledEvent;
import io.streamgrad.schema.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Deterministic labeled events drawn from a {@link Teacher}: event i depends on (seed, i) only, and
 * on a {@link DriftSpec} if one is given (without one, or with {@link DriftSpec#NONE}, the events
 * are the same bit for bit).
 */
public final class SyntheticEvents {
    private final SyntheticConfig config;
    private final Teacher teacher;
    private final DriftSpec drift;
    private final Teacher newTeacher;
    private final String source;

    public SyntheticEvents(SyntheticConfig config) {
        this(config, DriftSpec.NONE);
    }

    /**
     * @throws IllegalArgumentException if the class weights do not have one weight per class
     */
    public SyntheticEvents(SyntheticConfig config, DriftSpec drift) {
        this.config = config;
        this.drift = drift;
        this.teacher =
                new Teacher(config.task(), config.features(), config.classes(), config.seed());
        this.newTeacher =
                drift.changesTeacher()
                        ? new Teacher(
                                config.task(),
                                config.features(),
                                config.classes(),
                                drift.newTeacherSeed())
                        : null;
        if (drift.skewsClasses()) {
            if (!config.task().isClassification()) {
                throw new IllegalArgumentException(
                        "--class-weights skew classes; a regression task has none");
            }
            if (drift.classWeights().length != config.classes()) {
                throw new IllegalArgumentException(
                        "--class-weights has "
                                + drift.classWeights().length
                                + " weights for "
                                + config.classes()
                                + " classes: give one per class");
            }
        }
        String base = "synthetic:" + config.task().wireName() + ":seed=" + config.seed();
        this.source = drift.isNone() ? base : base + ":" + drift.describe();
    }

    /** The teacher event {@code index} is drawn from. */
    public Teacher teacherAt(long index) {
        return drift.fromNewTeacher(config.seed(), index) ? newTeacher : teacher;
    }

    public Teacher teacher() {
        return teacher;
    }

    public LabeledEvent event(long index) {
        SplittableRandom rng = new SplittableRandom(mix(config.seed(), index));
        float[] x = new float[config.features()];
        Teacher t = drift.isNone() ? teacher : teacherAt(index);
        double label = t.sample(rng, config.noise(), x);
        if (drift.skewsClasses()) {
            // Rejection sampling from the same stream: still a function of (seed, index).
            while (rng.nextDouble() >= drift.keep((int) label)) {
                label = t.sample(rng, config.noise(), x);
            }
        }
        List<Float> features = new ArrayList<>(x.length);
        for (float v : x) {
            features.add(v);
        }
        long time =
                config.liveTimestamps()
                        ? System.currentTimeMillis()
                        : SyntheticConfig.EPOCH_MS + index * SyntheticConfig.EVENT_SPACING_MS;
        return LabeledEvent.newBuilder()
                .setModel(config.model())
                .setEventId("syn-" + config.seed() + "-" + index)
                .setEventTime(time)
                .setFeatures(features)
                .setLabel(config.task() == Task.REGRESSION ? (Object) label : (Object) (int) label)
                .setSource(source)
                .build();
    }

    /** The configured range [firstIndex, firstIndex + events). */
    public List<LabeledEvent> all() {
        List<LabeledEvent> out = new ArrayList<>((int) config.events());
        for (long i = 0; i < config.events(); i++) {
            out.add(event(config.firstIndex() + i));
        }
        return out;
    }

    /** SplitMix64 finaliser of (seed, index): neighbouring indices get unrelated streams. */
    static long mix(long seed, long index) {
        long z = seed * 0x9E3779B97F4A7C15L + index + 0x632BE59BD9B4E019L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
