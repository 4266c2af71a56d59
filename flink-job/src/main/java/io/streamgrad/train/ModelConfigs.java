package io.streamgrad.train;

import io.streamgrad.config.InvalidSettingException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * How each model key of a job trains: one {@link TrainingConfig} for every key (training), or one
 * per variant (a backtest comparing configurations on the same events, each read of them serving
 * every variant). In a backtest every event of model key K is trained once per variant V, as model
 * key {@code K@V} (see {@link #variantKey}); the variant's model shuffles with K's seed, so it
 * trains exactly as a {@code train} run with the variant's settings would train K.
 */
public final class ModelConfigs implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Separates a model key from its variant's name in a backtest's model keys. */
    public static final char VARIANT_SEPARATOR = '@';

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    /** One configuration of a backtest: its name, the flags it sets, how it trains. */
    public record Variant(String name, String settings, TrainingConfig config)
            implements Serializable {
        /**
         * @throws InvalidSettingException if the name is not 1–64 letters, digits, '_', '.' or '-'
         */
        public Variant {
            if (!NAME.matcher(name).matches()) {
                throw new InvalidSettingException(
                        "{variant} name '"
                                + name
                                + "' must be 1-64 letters, digits, '_', '.' or '-' (it becomes"
                                + " part of the model key)");
            }
        }
    }

    private final TrainingConfig single;
    private final LinkedHashMap<String, Variant> variants;

    private ModelConfigs(TrainingConfig single, LinkedHashMap<String, Variant> variants) {
        this.single = single;
        this.variants = variants;
    }

    /** Every model key trains with {@code config}. */
    public static ModelConfigs of(TrainingConfig config) {
        return new ModelConfigs(config, new LinkedHashMap<>());
    }

    /**
     * Each event trains once per variant, in the given order.
     *
     * @throws InvalidSettingException if there are none, or two share a name, or they disagree on
     *     what an event must be (input size, task, classes): the events are decoded once for all
     */
    public static ModelConfigs variants(List<Variant> variants) {
        if (variants.isEmpty()) {
            throw new InvalidSettingException("{variant}: give at least one");
        }
        LinkedHashMap<String, Variant> byName = new LinkedHashMap<>();
        Variant first = variants.get(0);
        for (Variant v : variants) {
            if (byName.put(v.name(), v) != null) {
                throw new InvalidSettingException(
                        "{variant} name '" + v.name() + "' is used twice: names must differ");
            }
            if (v.config().spec().inputSize() != first.config().spec().inputSize()
                    || v.config().spec().task() != first.config().spec().task()
                    || v.config().spec().outputSize() != first.config().spec().outputSize()) {
                throw new InvalidSettingException(
                        String.format(
                                "{variant} %s trains %s with %d features but %s trains %s with %d:"
                                        + " every variant reads the same events, so they must"
                                        + " agree on the features, the task and the classes",
                                v.name(),
                                v.config().spec().shorthand(),
                                v.config().spec().inputSize(),
                                first.name(),
                                first.config().spec().shorthand(),
                                first.config().spec().inputSize()));
            }
        }
        for (Variant v : variants) {
            Batching a = first.config().batching();
            Batching b = v.config().batching();
            if (!a.window().equals(b.window())
                    || a.maxOutOfOrdernessMs() != b.maxOutOfOrdernessMs()
                    || a.latePolicy() != b.latePolicy()
                    || a.idleTimeoutMs() != b.idleTimeoutMs()) {
                // One watermark and one dead-letter stream serve every variant.
                throw new InvalidSettingException(
                        "{variant} "
                                + v.name()
                                + " sets the window, --max-out-of-orderness, --late-events or"
                                + " --idle-timeout differently from "
                                + first.name()
                                + ": event time is the job's, shared by every variant; give"
                                + " them once, outside --variant");
            }
        }
        for (Variant v : variants) {
            requireSameReading(first, v);
        }
        return new ModelConfigs(null, byName);
    }

    /**
     * One read of the range serves every variant: either all read it from Kafka again for each
     * epoch and full-pass loss, with the same passes in the same order ({@link
     * ReplayPlan#readsLike}), or all read it once and keep it in state ({@code --shuffle pass},
     * {@code --batch-size full}), where their epochs may differ.
     */
    private static void requireSameReading(Variant first, Variant v) {
        ReplayPlan a = replayPlanOf(first.config());
        ReplayPlan b = replayPlanOf(v.config());
        if (a == null && b == null || a != null && b != null && a.readsLike(b)) {
            return;
        }
        throw new InvalidSettingException(
                "{variant} "
                        + v.name()
                        + " reads the range as "
                        + describeReading(b, v.config())
                        + " but "
                        + first.name()
                        + " as "
                        + describeReading(a, first.config())
                        + ": one read of the range serves every variant, so they must agree on"
                        + " how it is read; set these once, outside {variant} ({shuffle} window"
                        + " reads in source order, so seeds may differ there), or give {shuffle}"
                        + " pass to keep the range in state once per variant (then their epochs"
                        + " may differ), or run separate backtests");
    }

    private static String describeReading(ReplayPlan plan, TrainingConfig c) {
        if (plan != null) {
            return plan.describeReading();
        }
        return c.batching().fullBatch()
                ? "{batch-size} full (read once, kept in state)"
                : "{shuffle} pass (read once, kept in state)";
    }

    /** A bounded run's passes over Kafka with this configuration; null if it keeps its pass. */
    private static ReplayPlan replayPlanOf(TrainingConfig c) {
        return c.batching().rereadsKafka() ? ReplayPlan.of(c.batching(), c.seed()) : null;
    }

    /**
     * The passes over Kafka every model key of this bounded job reads (all variants' alike); null
     * when they read the range once and keep it in state instead.
     */
    public ReplayPlan replayPlan() {
        return replayPlanOf(base());
    }

    public boolean hasVariants() {
        return single == null;
    }

    /** The variants in order; empty for a single configuration. */
    public List<Variant> variants() {
        return new ArrayList<>(variants.values());
    }

    /**
     * The configuration that decides what a valid event is (all variants agree on it) and the
     * job-wide event-time settings: the single one, or the first variant's.
     */
    public TrainingConfig base() {
        return single != null ? single : variants.values().iterator().next().config();
    }

    /**
     * The model key of {@code modelKey}'s events in variant {@code variant}: {@code KEY@VARIANT}.
     */
    public static String variantKey(String modelKey, String variant) {
        return modelKey + VARIANT_SEPARATOR + variant;
    }

    /**
     * The variant a key of this job trains in; null for a single configuration.
     *
     * @throws IllegalArgumentException for a key of no variant of this job
     */
    public Variant variantOf(String key) {
        if (single != null) {
            return null;
        }
        int at = key.lastIndexOf(VARIANT_SEPARATOR);
        Variant v = at < 0 ? null : variants.get(key.substring(at + 1));
        if (v == null) {
            throw new IllegalArgumentException(
                    "model key " + key + " belongs to no variant of " + variants.keySet());
        }
        return v;
    }

    /** Whether {@code v} is this job's first variant. */
    public boolean isFirst(Variant v) {
        return single == null && variants.values().iterator().next() == v;
    }

    /** How {@code key} trains. */
    public TrainingConfig forKey(String key) {
        return single != null ? single : variantOf(key).config();
    }

    /** The model key whose events a key trains on: the key itself, or KEY of KEY@VARIANT. */
    public String sourceKey(String key) {
        if (single != null) {
            return key;
        }
        variantOf(key);
        return key.substring(0, key.lastIndexOf(VARIANT_SEPARATOR));
    }

    /** Per variant name, its configuration (insertion order); a single configuration under "". */
    public Map<String, TrainingConfig> byName() {
        Map<String, TrainingConfig> out = new LinkedHashMap<>();
        if (single != null) {
            out.put("", single);
        } else {
            variants.forEach((name, v) -> out.put(name, v.config()));
        }
        return out;
    }
}
