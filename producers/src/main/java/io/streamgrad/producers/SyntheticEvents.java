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
 *
 * <p>With M &gt; 1 models, event i belongs to model key {@code KEY-m} with m = i mod M (keys padded
 * to equal width, e.g. {@code k-0007} of 1,000), and each model has its own teacher (model 0 the
 * seed's, model m a teacher seeded from (seed, m)): one topic then feeds many independent models,
 * each with its 1/M share of the events, as a job training many keyed models sees them.
 */
public final class SyntheticEvents {
    /** The most model keys one synthetic stream spreads over. */
    public static final int MAX_MODELS = 1_000_000;

    private final SyntheticConfig config;
    private final Teacher[] teachers;
    private final DriftSpec drift;
    private final Teacher[] newTeachers;
    private final String[] keys;
    private final String source;

    public SyntheticEvents(SyntheticConfig config) {
        this(config, DriftSpec.NONE);
    }

    public SyntheticEvents(SyntheticConfig config, DriftSpec drift) {
        this(config, drift, 1);
    }

    /**
     * @param models how many model keys the events are spread over, round robin (1: all events
     *     carry the configured key, unchanged)
     * @throws IllegalArgumentException if the class weights do not have one weight per class, or
     *     models is outside 1..{@link #MAX_MODELS}
     */
    public SyntheticEvents(SyntheticConfig config, DriftSpec drift, int models) {
        if (models < 1 || models > MAX_MODELS) {
            throw new IllegalArgumentException(
                    "--models must be between 1 and " + MAX_MODELS + ", got " + models);
        }
        this.config = config;
        this.drift = drift;
        this.teachers = new Teacher[models];
        this.newTeachers = new Teacher[models];
        this.keys = new String[models];
        int width = Integer.toString(models - 1).length();
        for (int m = 0; m < models; m++) {
            teachers[m] = teacher(config, m == 0 ? config.seed() : mix(config.seed(), -m));
            if (drift.changesTeacher()) {
                long seed = drift.newTeacherSeed();
                newTeachers[m] = teacher(config, m == 0 ? seed : mix(seed, -m));
            }
            keys[m] =
                    models == 1
                            ? config.model()
                            : config.model() + "-" + String.format("%0" + width + "d", m);
        }
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

    private static Teacher teacher(SyntheticConfig config, long seed) {
        return new Teacher(config.task(), config.features(), config.classes(), seed);
    }

    /** The teacher event {@code index} is drawn from. */
    public Teacher teacherAt(long index) {
        int m = model(index);
        return drift.fromNewTeacher(config.seed(), index) ? newTeachers[m] : teachers[m];
    }

    /** The teacher of model 0 (of the only model, unless several were asked for). */
    public Teacher teacher() {
        return teachers[0];
    }

    /** The model keys, in order: the configured key, or KEY-0..KEY-(M-1). */
    public List<String> modelKeys() {
        return List.of(keys);
    }

    /** The model event {@code index} belongs to: index mod M. */
    private int model(long index) {
        return (int) Math.floorMod(index, (long) keys.length);
    }

    public LabeledEvent event(long index) {
        SplittableRandom rng = new SplittableRandom(mix(config.seed(), index));
        float[] x = new float[config.features()];
        Teacher t = drift.isNone() ? teachers[model(index)] : teacherAt(index);
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
                .setModel(keys[model(index)])
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
