package io.streamgrad.producers.data;

import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * A data set's training rows and the rows held out to evaluate on, loaded from a {@code --dataset}
 * spec: {@code idx:DIR} (the train and test splits) or {@code csv:TRAIN[,TEST]} (without TEST, a
 * seeded share of the rows is held out). The test rows are read with the training rows' classes, or
 * as regression targets when the training rows are a regression, so both halves always agree.
 *
 * @param train the rows to train on
 * @param test the rows to evaluate on, never trained on
 * @param skippedRows rows left out of either for a missing label ({@link
 *     CsvOptions#skipMissingLabels()})
 */
public record TrainTest(Dataset train, Dataset test, int skippedRows) {
    public static final String USAGE = "idx:DIR or csv:TRAIN[,TEST]";

    /**
     * @param spec {@code idx:DIR} or {@code csv:TRAIN[,TEST]}
     * @param csv how to read CSV labels (ignored for IDX)
     * @param holdoutFraction csv without TEST: the share of rows held out, in (0, 1)
     * @param seed draws the held-out rows
     * @throws DataFileException naming the file and place of bad data
     * @throws IllegalArgumentException for a bad spec or fraction (the message says the fix)
     */
    public static TrainTest load(String spec, CsvOptions csv, double holdoutFraction, long seed) {
        if (spec.startsWith("idx:")) {
            Path dir = Path.of(spec.substring(4));
            Dataset train = IdxReader.readSplit(dir, "train");
            Dataset test = IdxReader.readSplit(dir, "test", train.labelMapping());
            return of(train, test);
        }
        if (!spec.startsWith("csv:")) {
            throw new IllegalArgumentException(
                    "unknown --dataset '" + spec + "': use synthetic, " + USAGE);
        }
        String[] files = spec.substring(4).split(",");
        if (files.length > 2 || files[0].isBlank()) {
            throw new IllegalArgumentException(
                    "--dataset " + spec + ": use csv:TRAIN or csv:TRAIN,TEST");
        }
        Dataset all = CsvReader.read(Path.of(files[0]), csv);
        if (files.length == 2) {
            CsvOptions testOptions =
                    all.classification()
                            ? csv
                            : new CsvOptions(
                                    csv.labelColumn(), LabelKind.TARGETS, csv.skipMissingLabels());
            return of(all, CsvReader.readTest(Path.of(files[1]), testOptions, all.labelMapping()));
        }
        if (!(holdoutFraction > 0 && holdoutFraction < 1)) {
            throw new IllegalArgumentException(
                    "--holdout-fraction must be between 0 and 1, got " + holdoutFraction);
        }
        Dataset shuffled = shuffle(all, seed);
        int held = (int) Math.max(1, Math.round(all.size() * holdoutFraction));
        if (held >= all.size()) {
            throw new IllegalArgumentException(
                    all.name() + " has " + all.size() + " rows: too few to hold some out");
        }
        return new TrainTest(
                shuffled.slice(0, all.size() - held),
                shuffled.slice(all.size() - held, all.size()),
                all.skippedRows());
    }

    private static TrainTest of(Dataset train, Dataset test) {
        if (train.featureCount() != test.featureCount()) {
            throw new DataFileException(
                    test.name()
                            + " has "
                            + test.featureCount()
                            + " features but "
                            + train.name()
                            + " has "
                            + train.featureCount()
                            + ": the two files must have the same columns");
        }
        return new TrainTest(train, test, train.skippedRows() + test.skippedRows());
    }

    /** The rows in an order drawn from the seed (Fisher–Yates), the skipped count kept. */
    static Dataset shuffle(Dataset d, long seed) {
        int n = d.size();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        SplittableRandom rng = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        float[][] x = new float[n][];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = d.features()[order[i]];
            y[i] = d.labels()[order[i]];
        }
        return new Dataset(d.name(), x, y, d.classNames(), d.classification(), d.skippedRows());
    }
}
