package io.streamgrad.model;

import io.streamgrad.config.InvalidSettingException;
import io.streamgrad.schema.Task;
import java.util.ArrayList;
import java.util.List;

/**
 * What a model is: dense layers, hidden activation, output size and the loss it minimises,
 * including an L2 penalty (l2/2)·ΣW² on the weights (not the biases).
 *
 * <ul>
 *   <li>{@code linear}: no hidden layer; regression unless a task says otherwise
 *   <li>{@code logistic}: no hidden layer, binary
 *   <li>{@code softmax}: no hidden layer, multi-class
 *   <li>{@code mlp:H1,H2,...}: hidden layers of those widths; multi-class unless a task says
 *       otherwise
 * </ul>
 *
 * The output size follows from the task (1 for regression and binary, K for multi-class), the loss
 * defaults to the task's ({@link Loss#defaultFor}) and must train that task.
 */
public record ModelSpec(
        String family,
        Task task,
        int inputSize,
        List<Integer> hiddenLayers,
        Activation activation,
        int outputSize,
        Loss loss,
        double l2,
        Standardization standardize,
        List<String> classNames)
        implements java.io.Serializable {

    public static final String USAGE = "linear, logistic, softmax or mlp:H1[,H2...]";

    public ModelSpec {
        hiddenLayers = List.copyOf(hiddenLayers);
        classNames = List.copyOf(classNames);
        if (!classNames.isEmpty() && classNames.size() != (task == Task.BINARY ? 2 : outputSize)) {
            throw new InvalidSettingException(
                    classNames.size()
                            + " class names "
                            + classNames
                            + " for a model with "
                            + (task == Task.BINARY ? 2 : outputSize)
                            + " classes");
        }
        if (inputSize < 1) {
            throw new InvalidSettingException("{features} must be at least 1, got " + inputSize);
        }
        for (int h : hiddenLayers) {
            if (h < 1) {
                throw new InvalidSettingException(
                        "hidden layer widths must be at least 1, got " + hiddenLayers);
            }
        }
        if (loss.task() != task) {
            throw new InvalidSettingException(
                    "{loss} "
                            + loss.wireName()
                            + " trains "
                            + loss.task().wireName()
                            + ", but the model's task is "
                            + task.wireName()
                            + ": use {loss} "
                            + lossesFor(task));
        }
        if (!(l2 >= 0) || Double.isInfinite(l2)) {
            throw new InvalidSettingException("{l2} must be zero or positive, got " + l2);
        }
    }

    /** Raw features (no standardization). */
    public ModelSpec(
            String family,
            Task task,
            int inputSize,
            List<Integer> hiddenLayers,
            Activation activation,
            int outputSize,
            Loss loss,
            double l2) {
        this(
                family,
                task,
                inputSize,
                hiddenLayers,
                activation,
                outputSize,
                loss,
                l2,
                Standardization.OFF,
                List.of());
    }

    /** The same model with its features standardized as given. */
    public ModelSpec withStandardization(Standardization s) {
        return new ModelSpec(
                family,
                task,
                inputSize,
                hiddenLayers,
                activation,
                outputSize,
                loss,
                l2,
                s,
                classNames);
    }

    /** The same model with names for its class indices (from the data set's labels). */
    public ModelSpec withClassNames(List<String> names) {
        return new ModelSpec(
                family,
                task,
                inputSize,
                hiddenLayers,
                activation,
                outputSize,
                loss,
                l2,
                standardize,
                names);
    }

    /** The task's default loss and no L2 penalty. */
    public ModelSpec(
            String family,
            Task task,
            int inputSize,
            List<Integer> hiddenLayers,
            Activation activation,
            int outputSize) {
        this(
                family,
                task,
                inputSize,
                hiddenLayers,
                activation,
                outputSize,
                Loss.defaultFor(task),
                0);
    }

    /** Parses the CLI shorthand with the task's default loss and no L2 penalty. */
    public static ModelSpec parse(String model, int inputSize, int classes, Activation activation) {
        return parse(model, null, inputSize, classes, activation, null, 0);
    }

    /**
     * Parses the CLI shorthand.
     *
     * @param task the task, or null for the family's default
     * @param classes the class count of multi-class models (ignored otherwise)
     * @param loss the loss, or null for the task's default
     */
    public static ModelSpec parse(
            String model,
            Task task,
            int inputSize,
            int classes,
            Activation activation,
            Loss loss,
            double l2) {
        String m = model.strip();
        String family;
        Task implied;
        List<Integer> widths = new ArrayList<>();
        switch (m) {
            case "linear" -> {
                family = "linear";
                implied = task != null ? task : Task.REGRESSION;
            }
            case "logistic" -> {
                family = "logistic";
                implied = requireTask(task, Task.BINARY, m);
            }
            case "softmax" -> {
                family = "softmax";
                implied = requireTask(task, Task.MULTICLASS, m);
            }
            default -> {
                if (!m.startsWith("mlp:")) {
                    throw new InvalidSettingException(
                            "unknown {model} '" + model + "': use " + USAGE);
                }
                family = "mlp";
                implied = task != null ? task : Task.MULTICLASS;
                for (String part : m.substring(4).split(",")) {
                    try {
                        widths.add(Integer.parseInt(part.strip()));
                    } catch (NumberFormatException e) {
                        throw new InvalidSettingException(
                                "{model} "
                                        + model
                                        + ": hidden layer widths must be integers, e.g. mlp:64,32");
                    }
                }
                for (int w : widths) {
                    if (w < 1) {
                        throw new InvalidSettingException(
                                "{model} "
                                        + model
                                        + ": a layer width of "
                                        + w
                                        + " is not a layer; widths are at least 1, e.g."
                                        + " mlp:128");
                    }
                }
            }
        }
        int outputs = 1;
        if (implied == Task.MULTICLASS) {
            if (classes < 2) {
                throw new InvalidSettingException(
                        "{model} " + family + " needs {classes} of at least 2, got " + classes);
            }
            outputs = classes;
        }
        return new ModelSpec(
                family,
                implied,
                inputSize,
                widths,
                activation,
                outputs,
                loss != null ? loss : Loss.defaultFor(implied),
                l2);
    }

    private static Task requireTask(Task given, Task implied, String family) {
        if (given != null && given != implied) {
            throw new InvalidSettingException(
                    "{model} "
                            + family
                            + " is "
                            + implied.wireName()
                            + ", not "
                            + given.wireName()
                            + ": use {model} linear or mlp:H for {task} "
                            + given.wireName());
        }
        return implied;
    }

    private static String lossesFor(Task task) {
        StringBuilder b = new StringBuilder();
        for (Loss l : Loss.values()) {
            if (l.task() == task) {
                b.append(b.length() == 0 ? "" : " or ").append(l.wireName());
            }
        }
        return b.toString();
    }

    /** The class count for classifiers (2 for binary), 0 for regression. */
    public int classes() {
        return switch (task) {
            case REGRESSION -> 0;
            case BINARY -> 2;
            case MULTICLASS -> outputSize;
        };
    }

    /** Layer sizes from input to output, e.g. [784, 128, 10]. */
    public int[] layerSizes() {
        int[] sizes = new int[hiddenLayers.size() + 2];
        sizes[0] = inputSize;
        for (int i = 0; i < hiddenLayers.size(); i++) {
            sizes[i + 1] = hiddenLayers.get(i);
        }
        sizes[sizes.length - 1] = outputSize;
        return sizes;
    }

    public long parameterCount() {
        int[] s = layerSizes();
        long n = 0;
        for (int i = 0; i + 1 < s.length; i++) {
            n += (long) s[i] * s[i + 1] + s[i + 1];
        }
        return n;
    }

    /** The shorthand this spec parses from, e.g. "mlp:64,32". */
    public String shorthand() {
        if (!family.equals("mlp")) {
            return family;
        }
        StringBuilder b = new StringBuilder("mlp:");
        for (int i = 0; i < hiddenLayers.size(); i++) {
            b.append(i == 0 ? "" : ",").append(hiddenLayers.get(i));
        }
        return b.toString();
    }
}
