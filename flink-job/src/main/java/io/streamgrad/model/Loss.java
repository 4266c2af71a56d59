package io.streamgrad.model;

import io.streamgrad.config.InvalidSettingException;
import io.streamgrad.schema.Task;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The loss of the output layer, each computed from the raw outputs (logits) in its numerically
 * stable form, averaged over the batch.
 */
public enum Loss {
    /** Mean squared error, Σ(z − y)² / n. */
    MSE("mse", Task.REGRESSION),
    /** Huber with δ = 1: squared for |z − y| ≤ 1, linear beyond, so outliers pull less. */
    HUBER("huber", Task.REGRESSION),
    /** Binary cross-entropy of the sigmoid of one logit: softplus(z) − y·z. */
    BINARY_CROSS_ENTROPY("binary-cross-entropy", Task.BINARY),
    /** Cross-entropy of the softmax of K logits. */
    SOFTMAX_CROSS_ENTROPY("softmax-cross-entropy", Task.MULTICLASS);

    /** Where Huber turns from squared to linear. */
    public static final double HUBER_DELTA = 1.0;

    private final String wireName;
    private final Task task;

    Loss(String wireName, Task task) {
        this.wireName = wireName;
        this.task = task;
    }

    public String wireName() {
        return wireName;
    }

    /** The task this loss trains. */
    public Task task() {
        return task;
    }

    /** The default loss of a task: MSE, binary or softmax cross-entropy. */
    public static Loss defaultFor(Task task) {
        return switch (task) {
            case REGRESSION -> MSE;
            case BINARY -> BINARY_CROSS_ENTROPY;
            case MULTICLASS -> SOFTMAX_CROSS_ENTROPY;
        };
    }

    public static String usage() {
        return Arrays.stream(values()).map(Loss::wireName).collect(Collectors.joining(" | "));
    }

    public static Loss fromWireName(String name) {
        for (Loss l : values()) {
            if (l.wireName.equals(name)) {
                return l;
            }
        }
        throw new InvalidSettingException(
                "unknown loss '" + name + "': use " + usage().replace(" | ", ", "));
    }
}
