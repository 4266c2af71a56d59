package io.streamgrad.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.impl.LossBinaryXENT;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;

/**
 * Why the cross-entropies are computed by hand from the logits rather than with ND4J's loss
 * functions: where they agree (moderate logits) the values are the same; where a prediction is
 * confidently wrong, ND4J's (probabilities clipped to avoid log 0) report a bounded loss and a
 * vanishing or capped gradient, while the logit forms stay exact. A confidently wrong model must
 * see its true loss, or it never corrects itself.
 */
class LossesAgainstNd4jTest {
    private static final ModelSpec LOGISTIC = ModelSpec.parse("logistic", 1, 2, Activation.RELU);
    private static final ModelSpec SOFTMAX = ModelSpec.parse("softmax", 1, 3, Activation.RELU);
    private static final OptimizerSpec SGD = new OptimizerSpec("sgd", 0.1);

    /** One input x = 1 with weight w and bias 0: the logit is w. */
    private static double ours(ModelSpec spec, float[] params, double label) {
        DenseNetwork net = DenseNetwork.restore(spec, SGD, params, null, DataType.DOUBLE);
        return net.evaluate(new float[] {1}, new double[] {label}, 1).loss();
    }

    private static double nd4jBinary(double logit, double label) {
        return new LossBinaryXENT()
                .computeScore(
                        Nd4j.createFromArray(new double[][] {{label}}),
                        Nd4j.createFromArray(new double[][] {{logit}}),
                        new ActivationSigmoid(),
                        null,
                        true);
    }

    private static double nd4jSoftmax(double[] logits, int label) {
        double[][] y = new double[1][logits.length];
        y[0][label] = 1;
        return new LossMCXENT()
                .computeScore(
                        Nd4j.createFromArray(y),
                        Nd4j.createFromArray(new double[][] {logits}),
                        new ActivationSoftmax(),
                        null,
                        true);
    }

    @Test
    void binaryCrossEntropyAgreesWhereBothAreExactAndStaysExactWhereNd4jClips() {
        assertEquals(nd4jBinary(1.5, 0), ours(LOGISTIC, new float[] {1.5f, 0}, 0), 1e-6);
        assertEquals(nd4jBinary(-2, 1), ours(LOGISTIC, new float[] {-2f, 0}, 1), 1e-6);
        // Logit 40 for a negative example: the exact loss is softplus(40) ≈ 40.
        double exact = ours(LOGISTIC, new float[] {40f, 0}, 0);
        assertEquals(40.0, exact, 1e-9);
        double clipped = nd4jBinary(40, 0);
        assertEquals(-Math.log(1e-5), clipped, 1e-3, "ND4J clips the probability at 1e-5");
    }

    @Test
    void softmaxCrossEntropyAgreesAndStaysExactForConfidentMistakes() {
        // Logits (w0, w1, w2) · x with x = 1 and zero biases.
        float[] moderate = {0.5f, -1f, 2f, 0, 0, 0};
        assertEquals(nd4jSoftmax(new double[] {0.5, -1, 2}, 1), ours(SOFTMAX, moderate, 1), 1e-6);
        float[] confident = {80f, 0f, 0f, 0, 0, 0};
        double exact = ours(SOFTMAX, confident, 2); // −log softmax = 80 + log(1 + 2e−80) ≈ 80
        assertEquals(80.0, exact, 1e-9);
        double nd4j = nd4jSoftmax(new double[] {80, 0, 0}, 2);
        assertEquals(-Math.log(1e-10), nd4j, 1e-6, "ND4J clips the probability at 1e-10");
    }
}
