package io.streamgrad.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamgrad.model.Activation;
import io.streamgrad.model.DenseNetwork;
import io.streamgrad.model.Loss;
import io.streamgrad.model.ModelSpec;
import io.streamgrad.model.OptimizerSpec;
import io.streamgrad.schema.Task;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

class ScorerTest {
    /**
     * The per-example losses the scorer derives from the logits, averaged and with the L2 penalty,
     * are the loss the network itself reports for the batch (what training measures), for every
     * loss function.
     */
    @Test
    void perExampleLossesAverageToTheNetworksLoss() {
        for (Loss loss : Loss.values()) {
            Task task = loss.task();
            int outputs = task == Task.MULTICLASS ? 3 : 1;
            ModelSpec spec =
                    new ModelSpec("mlp", task, 4, List.of(5), Activation.TANH, outputs, loss, 0.3);
            DenseNetwork net =
                    DenseNetwork.create(spec, new OptimizerSpec("sgd", 0.1), 7, DataType.DOUBLE);
            int n = 16;
            SplittableRandom rng = new SplittableRandom(5);
            float[] x = new float[n * 4];
            double[] y = new double[n];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) (3 * rng.nextGaussian());
            }
            for (int i = 0; i < n; i++) {
                y[i] =
                        task == Task.REGRESSION
                                ? 2 * rng.nextGaussian()
                                : rng.nextInt(spec.classes());
            }
            float[] logits = net.logits(x, n);
            double sum = 0;
            for (int i = 0; i < n; i++) {
                double[] z = new double[outputs];
                for (int j = 0; j < outputs; j++) {
                    z[j] = logits[i * outputs + j];
                }
                sum += Scorer.loss(loss, task, z, y[i]);
            }
            double mean = sum / n + Scorer.l2Penalty(spec, net.parameters());
            double expected = net.evaluate(x, y, n).loss();
            // float32 logits and parameters against the network's double computation
            assertEquals(expected, mean, 1e-6 * Math.max(1, expected), loss.wireName());
        }
    }

    @Test
    void stableFormsAtExtremeLogits() {
        assertEquals(1000.0, Scorer.softplus(1000), 0);
        assertEquals(Math.exp(-1000), Scorer.softplus(-1000), 0);
        assertEquals(1.0, Scorer.sigmoid(800), 0);
        assertEquals(Math.exp(-800), Scorer.sigmoid(-800), 1e-300);
        assertEquals(1000 + Math.log(2), Scorer.logSumExp(new double[] {1000, 1000}), 1e-12);
    }
}
