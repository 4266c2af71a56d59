package io.streamgrad.producers.data;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The classes of a data set: class index k is the k-th name, names in sorted order (by value when
 * every name is a number, so {@code -1 < 1} and {@code 2 < 10}; by text otherwise). Labels are
 * compared by a canonical key: numbers by value ({@code +1}, {@code 1} and {@code 1.0} are class
 * {@code 1}), names as written without surrounding blanks. Labels 0..K-1 therefore map to
 * themselves, and any other set of labels (−1/+1, 1/2, cat/dog) to 0..K-1 in sorted order with the
 * names kept.
 */
public final class LabelMapping {
    /**
     * The most distinct values a label column may hold for the reader to guess that they are
     * classes; more need an explicit task (a column of hundreds of whole numbers is usually a count
     * or an identifier, not a class).
     */
    public static final int MAX_GUESSED_CLASSES = 100;

    /** How many values a message shows before "…". */
    public static final int PREVIEW = 5;

    private final List<String> names;
    private final Map<String, Integer> index = new HashMap<>();

    private LabelMapping(List<String> names) {
        this.names = List.copyOf(names);
        for (int k = 0; k < this.names.size(); k++) {
            index.put(key(this.names.get(k)), k);
        }
    }

    /** The mapping with these class names, in this order (e.g. a training set's). */
    public static LabelMapping of(List<String> names) {
        return new LabelMapping(names);
    }

    /** The classes of these raw labels: distinct canonical keys in sorted order. */
    public static LabelMapping fromLabels(Collection<String> rawLabels) {
        LinkedHashSet<String> keys = new LinkedHashSet<>();
        boolean numeric = true;
        for (String raw : rawLabels) {
            String k = key(raw);
            keys.add(k);
            numeric &= Numbers.isDecimal(k);
        }
        List<String> sorted;
        if (numeric) {
            sorted = new ArrayList<>(keys);
            sorted.sort(Comparator.comparing(BigDecimal::new));
        } else {
            sorted = new ArrayList<>(new TreeSet<>(keys));
        }
        return new LabelMapping(sorted);
    }

    /**
     * A label's canonical form: a decimal number as its plain value without trailing zeros ({@code
     * +1.0} → {@code 1}, {@code 0.50} → {@code 0.5}), anything else stripped of blanks.
     */
    public static String key(String raw) {
        String s = raw.strip();
        if (!Numbers.isDecimal(s)) {
            return s;
        }
        BigDecimal v = new BigDecimal(s.startsWith("+") ? s.substring(1) : s);
        if (v.signum() == 0) {
            return "0";
        }
        v = v.stripTrailingZeros();
        // toPlainString of 1e999999 would be a million digits; such labels keep their own form.
        return Math.abs(v.scale()) > 64 ? v.toString() : v.toPlainString();
    }

    /** Whether the canonical key is a whole number. */
    static boolean isWhole(String key) {
        return Numbers.isDecimal(key) && new BigDecimal(key).stripTrailingZeros().scale() <= 0;
    }

    /** The class index of a raw label, or -1 when it is none of the classes. */
    public int indexOf(String rawLabel) {
        Integer k = index.get(key(rawLabel));
        return k == null ? -1 : k;
    }

    public List<String> names() {
        return names;
    }

    public int size() {
        return names.size();
    }

    /** Whether the names are exactly 0..K-1, so that index and name agree. */
    public boolean isIdentity() {
        for (int k = 0; k < names.size(); k++) {
            if (!names.get(k).equals(Integer.toString(k))) {
                return false;
            }
        }
        return true;
    }

    /**
     * The first {@link #PREVIEW} values, then "… (N in all)" when there are more: for messages,
     * which stay one line of reasonable length whatever the data holds.
     */
    public static String preview(Collection<String> values) {
        List<String> shown = new ArrayList<>();
        for (String v : values) {
            if (shown.size() == PREVIEW) {
                break;
            }
            shown.add(v.length() > 40 ? v.substring(0, 37) + "..." : v);
        }
        String s = String.join(", ", shown);
        return values.size() > PREVIEW ? s + ", … (" + values.size() + " in all)" : s;
    }

    @Override
    public String toString() {
        return preview(names);
    }
}
