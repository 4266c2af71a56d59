package io.streamgrad.producers.data;

import io.streamgrad.schema.Task;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Whether a data set's labels fit the task a model was given, checked before anything starts: a
 * model trained on labels it cannot take would dead-letter every event. Messages say what the
 * labels are (how many distinct values, the first few) and the flag that fixes it.
 */
public final class TaskFit {
    private TaskFit() {}

    /**
     * @param d the training data
     * @param task the model's task (from --task, or the model's default)
     * @param model the --model shorthand, for the message
     * @throws IllegalArgumentException when the labels do not fit the task
     */
    public static void require(Dataset d, Task task, String model) {
        String how =
                "--model " + model + (task == Task.REGRESSION ? "" : " (" + task.wireName() + ")");
        if (!d.classification()) {
            if (task != Task.REGRESSION) {
                throw new IllegalArgumentException(
                        String.format(
                                "%s has a numeric target (%s), not classes, so %s cannot train"
                                        + " on it: use --model linear or --task regression, or"
                                        + " --task multiclass to take each value as a class",
                                d.name(), distinct(d), how));
            }
            return;
        }
        int k = d.classes();
        String classes = LabelMapping.preview(d.classNames());
        if (task == Task.REGRESSION) {
            throw new IllegalArgumentException(
                    String.format(
                            "%s was read as %d classes (%s) but %s is a regression: pass --task"
                                    + " regression so the labels are read as numbers",
                            d.name(), k, classes, how));
        }
        if (k < 2) {
            throw new IllegalArgumentException(
                    String.format(
                            "%s has one class only (%s): a classifier needs at least two; check"
                                    + " --label-column",
                            d.name(), classes));
        }
        if (task == Task.BINARY && k != 2) {
            throw new IllegalArgumentException(
                    String.format(
                            "%s has %d classes (%s) but %s takes two: use --model softmax or"
                                    + " --task multiclass",
                            d.name(), k, classes, how));
        }
    }

    private static String distinct(Dataset d) {
        Set<String> seen = new LinkedHashSet<>();
        for (double v : d.labels()) {
            seen.add(LabelMapping.key(Double.toString(v)));
        }
        List<String> values = new ArrayList<>(seen);
        return values.size() + " distinct values: " + LabelMapping.preview(values);
    }
}
