package io.streamgrad.producers.data;

import java.util.List;

/**
 * A labeled data set loaded from files, in memory.
 *
 * @param name where it came from, e.g. "idx:data/mnist/train"
 * @param features one row per example
 * @param labels class indices (classification) or targets (regression)
 * @param classNames for classification, the name of each class index; for regression empty
 * @param classification whether labels are class indices
 * @param skippedRows rows of the file left out because their label was missing (only with {@link
 *     CsvOptions#skipMissingLabels()})
 */
public record Dataset(
        String name,
        float[][] features,
        double[] labels,
        List<String> classNames,
        boolean classification,
        int skippedRows) {
    public Dataset {
        if (features.length != labels.length) {
            throw new IllegalArgumentException(
                    name + ": " + features.length + " rows but " + labels.length + " labels");
        }
        classNames = List.copyOf(classNames);
    }

    public Dataset(
            String name,
            float[][] features,
            double[] labels,
            List<String> classNames,
            boolean classification) {
        this(name, features, labels, classNames, classification, 0);
    }

    public int size() {
        return labels.length;
    }

    public int featureCount() {
        return features.length == 0 ? 0 : features[0].length;
    }

    public int classes() {
        return classNames.size();
    }

    /** The class mapping of a classification set (null for regression). */
    public LabelMapping labelMapping() {
        return classification ? LabelMapping.of(classNames) : null;
    }

    /** Rows [from, to) as a data set of their own. */
    public Dataset slice(int from, int to) {
        float[][] f = java.util.Arrays.copyOfRange(features, from, to);
        double[] l = java.util.Arrays.copyOfRange(labels, from, to);
        return new Dataset(name + "[" + from + ":" + to + "]", f, l, classNames, classification, 0);
    }
}
