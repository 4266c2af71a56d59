package io.streamgrad.producers.data;

import java.util.Locale;

/** What a label column holds: the user's answer when they gave one, else the reader's guess. */
public enum LabelKind {
    /** Class labels, whatever their spelling: names, whole numbers, any numbers. */
    CLASSES,
    /** Numeric regression targets, whole numbers included. */
    TARGETS,
    /**
     * Guess from the values: whole numbers (at most {@link LabelMapping#MAX_GUESSED_CLASSES}
     * distinct) and names are classes, other numbers targets.
     */
    GUESS;

    /**
     * The kind the user asked for with the training flags: an explicit {@code --task} always wins
     * ({@code regression} → targets, {@code binary}/{@code multiclass} → classes); without one
     * {@code --model linear}, documented as regression and never a default, means targets; the
     * other models guess (logistic is the demo's default, so it says nothing about the data, and a
     * guess that contradicts the model is refused with the flag to use).
     *
     * @param task the --task wire name, or null when not given
     * @param model the --model shorthand (linear, logistic, softmax, mlp:H...)
     */
    public static LabelKind forTraining(String task, String model) {
        if (task != null) {
            return task.strip().toLowerCase(Locale.ROOT).equals("regression") ? TARGETS : CLASSES;
        }
        return switch (model.strip()) {
            case "linear" -> TARGETS;
            default -> GUESS;
        };
    }
}
