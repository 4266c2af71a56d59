package io.streamgrad.run;

import io.streamgrad.config.InvalidSettingException;
import io.streamgrad.producers.SyntheticConfig;
import io.streamgrad.producers.SyntheticEvents;
import io.streamgrad.producers.data.CsvReader;
import io.streamgrad.producers.data.Dataset;
import io.streamgrad.producers.data.DatasetEvents;
import io.streamgrad.producers.data.IdxReader;
import io.streamgrad.schema.LabeledEvent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.LongFunction;

/**
 * What the demo streams and what it evaluates on: synthetic teacher events, or the training split
 * of a data set with its test split (or a seeded held-out share of its rows) kept for evaluation.
 *
 * @param name how the summary names the data
 * @param trainEvents how many training events
 * @param trainEvent the i-th training event
 * @param holdout events never trained on
 * @param features feature count of the data (null: the flags decide, as for synthetic data)
 * @param classNames class names of a classification data set (empty for regression), null for
 *     synthetic data
 */
public record DemoData(
        String name,
        long trainEvents,
        LongFunction<LabeledEvent> trainEvent,
        List<LabeledEvent> holdout,
        Integer features,
        List<String> classNames) {

    static final String USAGE = "synthetic, idx:DIR or csv:TRAIN[,TEST]";

    public static DemoData synthetic(SyntheticConfig c, long events, int holdoutEvents) {
        return new DemoData(
                "synthetic " + c.task().wireName() + " teacher, seed " + c.seed(),
                events,
                new SyntheticEvents(c)::event,
                new SyntheticEvents(c.withRange(events, holdoutEvents)).all(),
                null,
                null);
    }

    /**
     * Loads {@code idx:DIR} (train and test splits) or {@code csv:TRAIN[,TEST]} (without TEST, a
     * share {@code holdoutFraction} of the rows, drawn with the seed, is held out); with {@code
     * regression} CSV labels are numeric targets even when they are whole numbers.
     */
    public static DemoData load(
            String spec,
            String model,
            String labelColumn,
            double holdoutFraction,
            long seed,
            boolean regression) {
        if (spec.startsWith("idx:")) {
            Path dir = Path.of(spec.substring(4));
            Dataset train = Datasets.load(() -> IdxReader.readSplit(dir, "train"));
            Dataset test = Datasets.load(() -> IdxReader.readSplit(dir, "test"));
            return of(spec, model, train, test);
        }
        if (spec.startsWith("csv:")) {
            String[] files = spec.substring(4).split(",");
            if (files.length > 2 || files[0].isBlank()) {
                throw new InvalidSettingException(
                        "{dataset} " + spec + ": use csv:TRAIN or csv:TRAIN,TEST");
            }
            Dataset all =
                    Datasets.load(
                            () -> CsvReader.read(Path.of(files[0]), labelColumn, null, regression));
            if (files.length == 2) {
                Dataset test =
                        Datasets.load(
                                () ->
                                        CsvReader.read(
                                                Path.of(files[1]),
                                                labelColumn,
                                                all.classification() ? all.classNames() : null,
                                                regression));
                return of(spec, model, all, test);
            }
            if (!(holdoutFraction > 0 && holdoutFraction < 1)) {
                throw new InvalidSettingException(
                        "{holdout-fraction} must be between 0 and 1, got " + holdoutFraction);
            }
            Dataset shuffled = shuffle(all, seed);
            int held = (int) Math.max(1, Math.round(all.size() * holdoutFraction));
            if (held >= all.size()) {
                throw new InvalidSettingException(
                        all.name() + " has " + all.size() + " rows: too few to hold some out");
            }
            return of(
                    spec,
                    model,
                    shuffled.slice(0, all.size() - held),
                    shuffled.slice(all.size() - held, all.size()));
        }
        throw new InvalidSettingException("unknown {dataset} '" + spec + "': use " + USAGE);
    }

    private static DemoData of(String spec, String model, Dataset train, Dataset test) {
        if (train.featureCount() != test.featureCount()) {
            throw new InvalidSettingException(
                    test.name()
                            + " has "
                            + test.featureCount()
                            + " features but "
                            + train.name()
                            + " has "
                            + train.featureCount());
        }
        DatasetEvents trainEvents = new DatasetEvents(train, model, "train");
        DatasetEvents testEvents = new DatasetEvents(test, model, "test");
        List<LabeledEvent> holdout = new ArrayList<>(test.size());
        for (int i = 0; i < test.size(); i++) {
            holdout.add(testEvents.event(i));
        }
        return new DemoData(
                spec,
                train.size(),
                trainEvents::event,
                holdout,
                train.featureCount(),
                train.classNames());
    }

    /** The rows in an order drawn from the seed (Fisher–Yates). */
    private static Dataset shuffle(Dataset d, long seed) {
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
        return new Dataset(d.name(), x, y, d.classNames(), d.classification());
    }
}
