package io.streamgrad.run;

import io.streamgrad.schema.DeadLetter;
import io.streamgrad.schema.DeadLetterReason;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Why a run trained nothing, from the dead letters it wrote: grouped by reason (most frequent
 * first), each with a count, one example and the fix. Messages name settings as {@code {name}}
 * tokens (see {@link io.streamgrad.config.InvalidSettingException}).
 */
public final class DeadLetterReport {
    private DeadLetterReport() {}

    /** How many reasons the message names. */
    static final int TOP = 3;

    /** The fix for a reason a dead letter carries ({@link DeadLetterReason} wire names). */
    static String fix(String reason) {
        DeadLetterReason r;
        try {
            r = DeadLetterReason.fromWireName(reason);
        } catch (IllegalArgumentException e) {
            return "see the dead-letter topic";
        }
        return switch (r) {
            case BAD_LABEL ->
                    "the labels do not fit the model's task: classification takes int class"
                            + " indices 0..K-1 ({classes} K), regression doubles; set {task} and"
                            + " {model} to match the data";
            case CLASS_OUT_OF_RANGE ->
                    "the events carry class indices outside 0..K-1: set {classes} to the number of"
                            + " classes in the data (a binary model has 2: {model} logistic becomes"
                            + " {model} softmax {classes} K, another model {task} multiclass"
                            + " {classes} K)";
            case NON_FINITE_LABEL ->
                    "the events carry NaN or infinite regression labels: clean them";
            case UNKNOWN_SCHEMA ->
                    "the events were written with a LabeledEvent schema this version does not"
                            + " know: upgrade streamgrad or the producer's schema";
            case RECORD_TOO_LARGE ->
                    "the topic holds records over the events' record limit (1 MiB): check the"
                            + " producer";
            case WRONG_FEATURE_COUNT -> "set {features} to the events' feature count";
            case NON_FINITE_FEATURE -> "the events carry NaN or infinite features: clean them";
            case UNDECODABLE ->
                    "the topic holds records that are not streamgrad LabeledEvents: check the"
                            + " events topic";
            case LATE ->
                    "events arrived behind the watermark: raise {max-out-of-orderness} or use"
                            + " {late-events} next-window";
            // The label joiner writes these to the same topic by default; the fix is the join's.
            case LATE_LABEL ->
                    "labels arrived after their event's attribution window (the label joiner's):"
                            + " widen 'join --window'";
            case UNKNOWN_EVENT ->
                    "labels name events the label joiner never saw or no longer remembers: check"
                            + " the producers' event ids or raise 'join --closed-retention'";
            case WRONG_LABEL_TYPE ->
                    "labels do not fit the label joiner's task: set 'join --task' (and --classes)"
                            + " to match the labels";
            case DUPLICATE_EVENT ->
                    "features for one event id came more than once: the joiner kept the first";
        };
    }

    /**
     * One line: how many events were dead-lettered, the top reasons with counts and an example, and
     * the fix for the most frequent.
     *
     * @param letters the run's dead letters (empty: the message says so)
     */
    public static String explain(List<DeadLetter> letters) {
        if (letters.isEmpty()) {
            return "the job emitted no snapshot and dead-lettered nothing: it received no events";
        }
        Map<String, Integer> counts = new LinkedHashMap<>();
        Map<String, String> example = new LinkedHashMap<>();
        for (DeadLetter d : letters) {
            String r = d.getReason().toString();
            counts.merge(r, 1, Integer::sum);
            example.putIfAbsent(r, d.getDetail().toString());
        }
        List<Map.Entry<String, Integer>> top = new ArrayList<>(counts.entrySet());
        top.sort(Map.Entry.<String, Integer>comparingByValue().reversed());
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, Integer> e : top.subList(0, Math.min(TOP, top.size()))) {
            parts.add(String.format("%s ×%,d", e.getKey(), e.getValue()));
        }
        String first = top.get(0).getKey();
        // a detail is data, not a template: no setting tokens from it
        String detail = example.get(first).replace('{', '(').replace('}', ')');
        if (detail.length() > 120) {
            detail = detail.substring(0, 117) + "...";
        }
        return String.format(
                "the job trained nothing: %,d events dead-lettered (%s%s), e.g. %s; fix: %s",
                letters.size(),
                String.join(", ", parts),
                top.size() > TOP ? ", …" : "",
                detail,
                fix(first));
    }
}
