package io.streamgrad.run;

import io.streamgrad.config.InvalidSettingException;
import io.streamgrad.producers.DriftSpec;
import io.streamgrad.producers.SyntheticConfig;
import io.streamgrad.producers.SyntheticEvents;
import io.streamgrad.producers.data.CsvOptions;
import io.streamgrad.producers.data.DataFileException;
import io.streamgrad.producers.data.Dataset;
import io.streamgrad.producers.data.DatasetEvents;
import io.streamgrad.producers.data.EventSize;
import io.streamgrad.producers.data.TaskFit;
import io.streamgrad.producers.data.TrainTest;
import io.streamgrad.schema.LabeledEvent;
import io.streamgrad.schema.Task;
import java.util.ArrayList;
import java.util.List;
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
 * @param skippedRows data rows left out for a missing label ({@code skip-missing-labels})
 */
public record DemoData(
        String name,
        long trainEvents,
        LongFunction<LabeledEvent> trainEvent,
        List<LabeledEvent> holdout,
        Integer features,
        List<String> classNames,
        int skippedRows) {

    static final String USAGE = "synthetic, idx:DIR or csv:TRAIN[,TEST]";

    public static DemoData synthetic(SyntheticConfig c, long events, int holdoutEvents) {
        return synthetic(c, DriftSpec.NONE, events, holdoutEvents);
    }

    /**
     * Synthetic events from a teacher that may drift; the held-out events follow the training
     * events (indices events.. events + holdoutEvents), so after a drift they come from the new
     * teacher.
     */
    public static DemoData synthetic(
            SyntheticConfig c, DriftSpec drift, long events, int holdoutEvents) {
        return new DemoData(
                // The demo draws its data with the training seed, which its first line gives.
                "synthetic " + c.task().wireName() + " teacher",
                events,
                new SyntheticEvents(c, drift)::event,
                new SyntheticEvents(c.withRange(events, holdoutEvents), drift).all(),
                null,
                null,
                0);
    }

    /**
     * Loads {@code idx:DIR} (train and test splits) or {@code csv:TRAIN[,TEST]} (without TEST, a
     * share {@code holdoutFraction} of the rows, drawn with the seed, is held out), and checks
     * everything that can be checked before Kafka starts: the data ({@link TrainTest}), the labels
     * against the model's task ({@link TaskFit}) and the events against Kafka's record limit
     * ({@link EventSize}), the last before the held-out events are made.
     *
     * @param csv how to read CSV labels (see {@link
     *     io.streamgrad.producers.data.LabelKind#forTraining})
     * @param task the model's task
     * @param modelName the model's shorthand, for messages
     * @throws InvalidSettingException naming the file, place and setting
     */
    public static DemoData load(
            String spec,
            String model,
            CsvOptions csv,
            double holdoutFraction,
            long seed,
            Task task,
            String modelName) {
        TrainTest tt;
        try {
            tt = TrainTest.load(spec, csv, holdoutFraction, seed);
            TaskFit.require(tt.train(), task, modelName);
            EventSize.requireFits(
                    new DatasetEvents(tt.train(), model, "train"),
                    model,
                    io.streamgrad.kafka.Topic.EVENTS.maxRecordBytes());
        } catch (DataFileException | IllegalArgumentException e) {
            throw new InvalidSettingException(e.getMessage());
        }
        return of(spec, model, tt.train(), tt.test(), tt.skippedRows());
    }

    private static DemoData of(
            String spec, String model, Dataset train, Dataset test, int skippedRows) {
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
                train.classNames(),
                skippedRows);
    }
}
