package io.streamgrad.model;

/**
 * The loss of a batch from its output logits, the delta ∂loss/∂logits and the number of rows
 * predicted right, in double and in the losses' stable forms (Goodfellow, Bengio &amp; Courville,
 * Deep Learning, §6.2.2): binary cross-entropy from the logit z as softplus(z) − y·z, softplus(z) =
 * max(z, 0) + log(1 + exp(−|z|)); softmax cross-entropy through log softmax z − max − log Σ exp(z −
 * max). Both compute paths use it: {@link JavaDenseCompute} on its own logits, {@link
 * Nd4jDenseCompute} on its logits copied out of host memory (n × k values, a few kilobytes, where
 * ND4J's dozen ops for the same cost a fixed ~20 µs each).
 */
final class OutputLoss {
    private OutputLoss() {}

    /**
     * @param logits n × k, row-major (k = 1 unless softmax cross-entropy)
     * @param labels n targets, or class indices
     * @param dz receives ∂(mean loss)/∂logits, n × k
     * @param n rows
     * @param k outputs per row
     * @return the mean loss over the rows (no L2 term), and how many rows' prediction is the label
     *     (0 for a regression loss): the sign of the logit for binary, the first largest logit for
     *     softmax
     */
    static Result compute(Loss loss, double[] logits, double[] labels, int n, int k, double[] dz) {
        double inverse = 1.0 / n;
        double sum = 0;
        int correct = 0;
        switch (loss) {
            case MSE -> {
                for (int i = 0; i < n; i++) {
                    double r = logits[i] - labels[i];
                    sum += r * r;
                    dz[i] = 2 * r * inverse;
                }
            }
            case HUBER -> {
                double d = Loss.HUBER_DELTA;
                for (int i = 0; i < n; i++) {
                    double r = logits[i] - labels[i];
                    double abs = Math.abs(r);
                    sum += abs <= d ? 0.5 * r * r : d * (abs - d / 2);
                    dz[i] = Math.max(-d, Math.min(d, r)) * inverse;
                }
            }
            case BINARY_CROSS_ENTROPY -> {
                for (int i = 0; i < n; i++) {
                    double v = logits[i];
                    double y = labels[i];
                    sum += Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v))) - y * v;
                    dz[i] = (JavaDenseCompute.sigmoid(v) - y) * inverse;
                    if ((v > 0 ? 1.0 : 0.0) == y) {
                        correct++;
                    }
                }
            }
            case SOFTMAX_CROSS_ENTROPY -> {
                for (int i = 0; i < n; i++) {
                    int row = i * k;
                    int label = (int) labels[i];
                    double max = logits[row];
                    int argMax = 0;
                    for (int j = 1; j < k; j++) {
                        if (logits[row + j] > max) {
                            max = logits[row + j];
                            argMax = j;
                        }
                    }
                    double exps = 0;
                    for (int j = 0; j < k; j++) {
                        exps += Math.exp(logits[row + j] - max);
                    }
                    double logSum = Math.log(exps);
                    for (int j = 0; j < k; j++) {
                        double logP = logits[row + j] - max - logSum;
                        if (j == label) {
                            sum -= logP;
                        }
                        dz[row + j] = (Math.exp(logP) - (j == label ? 1 : 0)) * inverse;
                    }
                    if (argMax == label) {
                        correct++;
                    }
                }
            }
        }
        return new Result(sum * inverse, correct);
    }

    /**
     * @param loss the mean loss over the batch's rows
     * @param correct rows predicted right
     */
    record Result(double loss, int correct) {}
}
