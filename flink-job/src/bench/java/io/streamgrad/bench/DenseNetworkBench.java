package io.streamgrad.bench;

import io.streamgrad.model.Activation;
import io.streamgrad.model.DenseNetwork;
import io.streamgrad.model.ModelSpec;
import io.streamgrad.model.OptimizerSpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * One training step of an MLP 784-128-10 (relu, softmax cross-entropy, Adam, float32) on a batch,
 * streamgrad's {@link DenseNetwork} against DL4J's {@code MultiLayerNetwork} with the same layers,
 * measured in the same run: rounds alternate between the two, and the result is the ratio of their
 * median throughputs. Both start from the batch as Java arrays, as the job holds it. Run with
 * OMP_NUM_THREADS=1 (as the product runs).
 */
public final class DenseNetworkBench {
    private static final int FEATURES = 784;
    private static final int HIDDEN = 128;
    private static final int CLASSES = 10;
    private static final int WARMUP_STEPS = 300;
    private static final int STEPS = 400;
    private static final int ROUNDS = 7;

    public static void main(String[] args) {
        for (int batch : new int[] {64, 256}) {
            run(batch);
        }
    }

    private static void run(int batch) {
        SplittableRandom rng = new SplittableRandom(1);
        float[] x = new float[batch * FEATURES];
        double[] y = new double[batch];
        double[][] oneHot = new double[batch][CLASSES];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rng.nextDouble();
        }
        for (int i = 0; i < batch; i++) {
            y[i] = rng.nextInt(CLASSES);
            oneHot[i][(int) y[i]] = 1;
        }
        DenseNetwork ours =
                DenseNetwork.create(
                        ModelSpec.parse("mlp:" + HIDDEN, FEATURES, CLASSES, Activation.RELU),
                        new OptimizerSpec("adam", 1e-3),
                        1,
                        DataType.FLOAT);
        MultiLayerNetwork dl4j = dl4j();
        long[] iteration = {0};
        Runnable oursStep = () -> ours.step(x, y, batch, iteration[0]++);
        // DL4J is given the batch as the job has it, Java arrays, so both pay the conversion.
        Runnable dl4jStep =
                () ->
                        dl4j.fit(
                                new DataSet(
                                        Nd4j.create(x, new long[] {batch, FEATURES}, 'c'),
                                        Nd4j.createFromArray(oneHot).castTo(DataType.FLOAT)));
        time(oursStep, WARMUP_STEPS);
        time(dl4jStep, WARMUP_STEPS);
        List<Double> oursRate = new ArrayList<>();
        List<Double> dl4jRate = new ArrayList<>();
        for (int r = 0; r < ROUNDS; r++) {
            oursRate.add(batch * STEPS / time(oursStep, STEPS));
            dl4jRate.add(batch * STEPS / time(dl4jStep, STEPS));
        }
        double a = median(oursRate);
        double b = median(dl4jRate);
        System.out.printf(
                "MLP %d-%d-%d, Adam, batch %d: streamgrad DenseNetwork %,.0f examples/s,"
                        + " DL4J MultiLayerNetwork %,.0f examples/s, ratio %.2f (median of %d"
                        + " alternating rounds of %d steps; OMP_NUM_THREADS=%s)%n",
                FEATURES,
                HIDDEN,
                CLASSES,
                batch,
                a,
                b,
                a / b,
                ROUNDS,
                STEPS,
                System.getenv().getOrDefault("OMP_NUM_THREADS", "unset"));
    }

    private static MultiLayerNetwork dl4j() {
        MultiLayerConfiguration conf =
                new NeuralNetConfiguration.Builder()
                        .seed(1)
                        .dataType(DataType.FLOAT)
                        .updater(new Adam(1e-3))
                        .weightInit(WeightInit.XAVIER_UNIFORM)
                        .list()
                        .layer(
                                new DenseLayer.Builder()
                                        .nIn(FEATURES)
                                        .nOut(HIDDEN)
                                        .activation(org.nd4j.linalg.activations.Activation.RELU)
                                        .build())
                        .layer(
                                new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                                        .nIn(HIDDEN)
                                        .nOut(CLASSES)
                                        .activation(org.nd4j.linalg.activations.Activation.SOFTMAX)
                                        .build())
                        .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /** Seconds for {@code steps} calls. */
    private static double time(Runnable step, int steps) {
        long start = System.nanoTime();
        for (int i = 0; i < steps; i++) {
            step.run();
        }
        return (System.nanoTime() - start) / 1e9;
    }

    private static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        Collections.sort(s);
        return s.get(s.size() / 2);
    }
}
