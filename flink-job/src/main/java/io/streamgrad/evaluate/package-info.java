/**
 * Evaluating a trained model on labeled events, free of Flink: rebuilding the model from a snapshot
 * and scoring batches ({@link io.streamgrad.evaluate.Scorer}), and the mergeable metrics of a
 * scored range ({@link io.streamgrad.evaluate.EvaluationAccumulator}: loss, accuracy, log-loss,
 * per-class precision/recall/F1, confusion matrix, calibration, ROC and PR AUC, MSE/MAE/R²). May
 * use {@code train} (to rebuild a model from its snapshot), {@code model}, {@code config} and
 * {@code schema}.
 */
package io.streamgrad.evaluate;
