package io.streamgrad.serve;

/**
 * One prediction and the snapshot that made it.
 *
 * @param modelKey the snapshot's model key
 * @param version the snapshot's version (its training iteration)
 * @param value the predicted class index (classifiers: the most probable class, the first of
 *     equals) or the predicted value (regression)
 * @param probabilities one per class, summing to 1 (empty for regression); do not modify
 */
public record Prediction(String modelKey, long version, double value, double[] probabilities) {}
