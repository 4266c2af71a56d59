package io.streamgrad.producers.data;

/**
 * How to read a CSV file's labels.
 *
 * @param labelColumn header name or 0-based index of the label column, or null for the last
 * @param labels what the label column holds (see {@link LabelKind#forTraining})
 * @param skipMissingLabels skip and count rows whose label is missing (see {@link MissingValues})
 *     instead of refusing the file at the first one
 */
public record CsvOptions(String labelColumn, LabelKind labels, boolean skipMissingLabels) {
    public CsvOptions {
        if (labels == null) {
            throw new IllegalArgumentException("labels: CLASSES, TARGETS or GUESS");
        }
    }

    /** The label column given, its kind guessed, missing labels refused. */
    public static CsvOptions guess(String labelColumn) {
        return new CsvOptions(labelColumn, LabelKind.GUESS, false);
    }
}
