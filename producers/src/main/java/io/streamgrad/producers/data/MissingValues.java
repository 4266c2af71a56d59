package io.streamgrad.producers.data;

import java.util.Locale;
import java.util.Set;

/**
 * The spellings of "no value" that spreadsheets, R and pandas write: an empty field, {@code NA},
 * {@code N/A}, {@code NaN}, {@code null}, {@code ?} (the UCI repository's), case-insensitive.
 */
public final class MissingValues {
    private MissingValues() {}

    /** The spellings, lower case, as the README lists them. */
    public static final Set<String> SPELLINGS = Set.of("", "na", "n/a", "nan", "null", "?");

    public static boolean isMissing(String field) {
        return SPELLINGS.contains(field.strip().toLowerCase(Locale.ROOT));
    }
}
