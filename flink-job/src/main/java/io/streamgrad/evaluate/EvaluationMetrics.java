package io.streamgrad.evaluate;

import io.streamgrad.schema.Task;
import java.util.List;

/**
 * What a model scored on a range, as defined in {@link EvaluationAccumulator}. Fields that do not
 * apply to the task, or cannot be computed from the examples (an AUC with one class present, R² of
 * constant labels), are null.
 *
 * @param events examples scored
 * @param loss mean loss under the model's own loss function plus its L2 penalty
 * @param accuracy fraction of examples whose arg-max class is the label (classifiers)
 * @param logLoss mean −ln p_y, p_y clipped below at 1e-15 (classifiers)
 * @param perClass precision, recall, F1 and support of each class (classifiers)
 * @param confusionMatrix counts, true class in rows, predicted class in columns (classifiers)
 * @param ece top-label expected calibration error over 10 equal-width bins (classifiers)
 * @param reliability the reliability curve: per bin its bounds, count, mean confidence and accuracy
 * @param rocAuc area under the ROC curve, ties as diagonal segments (binary)
 * @param prAuc average precision, scikit-learn's definition (binary)
 * @param roc ROC points {false-positive rate, true-positive rate} from (0,0) to (1,1) (binary)
 * @param mse mean squared error (regression)
 * @param mae mean absolute error (regression)
 * @param r2 coefficient of determination 1 − SS_res/SS_tot (regression)
 */
public record EvaluationMetrics(
        Task task,
        long events,
        Double loss,
        Double accuracy,
        Double logLoss,
        List<ClassMetrics> perClass,
        long[][] confusionMatrix,
        Double ece,
        List<ReliabilityBin> reliability,
        Double rocAuc,
        Double prAuc,
        List<double[]> roc,
        Double mse,
        Double mae,
        Double r2) {

    /** Precision, recall and F1 of one class (null where the denominator is 0). */
    public record ClassMetrics(
            int label, Double precision, Double recall, Double f1, long support) {}

    /**
     * One calibration bin (lower, upper]: examples in it, their mean confidence and accuracy (null
     * when empty).
     */
    public record ReliabilityBin(
            double lower, double upper, long count, Double confidence, Double accuracy) {}

    static EvaluationMetrics empty(Task task, int classes) {
        return new EvaluationMetrics(
                task, 0, null, null, null, List.of(), null, null, List.of(), null, null, List.of(),
                null, null, null);
    }
}
