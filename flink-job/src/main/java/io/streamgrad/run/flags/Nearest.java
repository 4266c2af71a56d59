package io.streamgrad.run.flags;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * The names a mistyped one was probably meant to be, at most two: first a name whose words'
 * initials it is ({@code lr} for {@code learning-rate}, {@code bs} for {@code batch-size}, as other
 * tools spell them); then those within two edits of it (Levenshtein distance: insertions, deletions
 * and substitutions of one character each), nearest first. For flags, job-file keys and a variant's
 * settings alike.
 */
public final class Nearest {
    /** The most edits a suggestion may be away from what was typed. */
    static final int MAX_EDITS = 2;

    private Nearest() {}

    /**
     * @param typed what was given
     * @param known the names it could have meant
     * @return up to two names of {@code known}: those {@code typed} abbreviates, then those within
     *     {@link #MAX_EDITS} edits of it, nearest first, ties alphabetical; empty when none is that
     *     close
     */
    public static List<String> to(String typed, Collection<String> known) {
        return known.stream()
                .distinct()
                .filter(n -> rank(typed, n) <= MAX_EDITS)
                .sorted(Comparator.comparingInt((String n) -> rank(typed, n)).thenComparing(n -> n))
                .limit(2)
                .toList();
    }

    /**
     * -1 for an abbreviation of {@code name} (before any near spelling), else the edit distance.
     */
    private static int rank(String typed, String name) {
        return abbreviates(typed, name) ? -1 : editDistance(typed, name);
    }

    /**
     * Whether {@code typed} is {@code name}'s initials ({@code lr}: {@code learning-rate}); a
     * single-word name has none to match.
     */
    static boolean abbreviates(String typed, String name) {
        // Flags are compared without their dashes: "--lr" abbreviates "--learning-rate".
        typed = typed.replaceFirst("^-+", "");
        name = name.replaceFirst("^-+", "");
        if (typed.isEmpty()) {
            return false;
        }
        String[] words = name.split("-");
        if (words.length > 1 && typed.length() == words.length) {
            boolean initials = true;
            for (int i = 0; i < words.length && initials; i++) {
                initials = !words[i].isEmpty() && words[i].charAt(0) == typed.charAt(i);
            }
            return initials;
        }
        return false;
    }

    /** " (did you mean a or b?)" for {@link #to}'s names; "" when there are none. */
    public static String didYouMean(String typed, Collection<String> known) {
        List<String> close = to(typed, known);
        return close.isEmpty() ? "" : " (did you mean " + String.join(" or ", close) + "?)";
    }

    /** Levenshtein distance: insertions, deletions and substitutions of one character each. */
    static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitute, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] t = previous;
            previous = current;
            current = t;
        }
        return previous[b.length()];
    }
}
