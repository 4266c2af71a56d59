package io.streamgrad.train;

/**
 * The end of one pass over bounded input.
 *
 * @param iteration updates made so far, over all epochs
 * @param epochIterations updates this epoch made
 * @param loss mean loss over every example of the pass, with the parameters after the epoch
 * @param accuracy the same for accuracy; null for regression
 * @param examples the examples evaluated (the size of the pass)
 */
public record EpochEnd(
        String modelKey,
        int epoch,
        long iteration,
        long epochIterations,
        double loss,
        Double accuracy,
        int examples,
        double smoothedLoss,
        long examplesSeen) {}
