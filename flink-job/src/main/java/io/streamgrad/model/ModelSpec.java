package io.streamgrad.model;

import io.streamgrad.schema.Task;
import java.util.ArrayList;
import java.util.List;

/**
 * The architecture of a model: a dense network whose output layer and loss follow from the task.
 *
 * <ul>
 *   <li>{@code linear}: no hidden layer, 1 output, mean squared error (regression)
 *   <li>{@code logistic}: no hidden layer, 1 logit, binary cross-entropy (classes {0, 1})
 *   <li>{@code softmax}: no hidden layer, K logits, softmax cross-entropy
 *   <li>{@code mlp:H1,H2,...}: hidden layers of those widths, K logits, softmax cross-entropy
 * </ul>
 */
public record ModelSpec(
        String family,
        Task task,
        int inputSize,
        List<Integer> hiddenLayers,
        Activation activation,
        int outputSize)
        implements java.io.Serializable {

    public static final String USAGE = "linear, logistic, softmax or mlp:H1[,H2...]";

    public ModelSpec {
        hiddenLayers = List.copyOf(hiddenLayers);
        if (inputSize < 1) {
            throw new IllegalArgumentException("--features must be at least 1, got " + inputSize);
        }
        for (int h : hiddenLayers) {
            if (h < 1) {
                throw new IllegalArgumentException(
                        "hidden layer widths must be at least 1, got " + hiddenLayers);
            }
        }
    }

    /**
     * Parses the CLI shorthand.
     *
     * @param classes the class count for softmax and mlp (ignored by linear and logistic)
     */
    public static ModelSpec parse(String model, int inputSize, int classes, Activation activation) {
        String m = model.strip();
        switch (m) {
            case "linear":
                return new ModelSpec(
                        "linear", Task.REGRESSION, inputSize, List.of(), activation, 1);
            case "logistic":
                return new ModelSpec("logistic", Task.BINARY, inputSize, List.of(), activation, 1);
            case "softmax":
                requireClasses(classes, m);
                return new ModelSpec(
                        "softmax", Task.MULTICLASS, inputSize, List.of(), activation, classes);
            default:
                if (!m.startsWith("mlp:")) {
                    throw new IllegalArgumentException(
                            "unknown --model '" + model + "': use " + USAGE);
                }
                requireClasses(classes, "mlp");
                List<Integer> widths = new ArrayList<>();
                for (String part : m.substring(4).split(",")) {
                    try {
                        widths.add(Integer.parseInt(part.strip()));
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException(
                                "--model "
                                        + model
                                        + ": hidden layer widths must be integers, e.g. mlp:64,32");
                    }
                }
                return new ModelSpec(
                        "mlp", Task.MULTICLASS, inputSize, widths, activation, classes);
        }
    }

    private static void requireClasses(int classes, String family) {
        if (classes < 2) {
            throw new IllegalArgumentException(
                    "--model " + family + " needs --classes of at least 2, got " + classes);
        }
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
