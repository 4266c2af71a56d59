package io.streamgrad.serve;

import io.streamgrad.model.Activation;
import io.streamgrad.model.Loss;
import io.streamgrad.model.ModelSpec;
import io.streamgrad.schema.FeatureStatistics;
import io.streamgrad.schema.ModelSnapshot;
import io.streamgrad.schema.OptimizerState;
import io.streamgrad.schema.Task;
import io.streamgrad.schema.Tensor;
import io.streamgrad.schema.Tensors;
import io.streamgrad.train.Snapshots;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Snapshots with seeded random parameters and statistics, for tests of serving and export. */
public final class TestSnapshots {
    private TestSnapshots() {}

    /** Every model family and hidden activation, each task with its default loss. */
    public static List<ModelSpec> families(int inputs) {
        List<ModelSpec> specs = new ArrayList<>();
        specs.add(spec("linear", Task.REGRESSION, inputs, List.of(), Activation.IDENTITY, 1));
        specs.add(spec("logistic", Task.BINARY, inputs, List.of(), Activation.IDENTITY, 1));
        specs.add(spec("softmax", Task.MULTICLASS, inputs, List.of(), Activation.IDENTITY, 4));
        for (Activation a : Activation.values()) {
            specs.add(spec("mlp", Task.MULTICLASS, inputs, List.of(6, 5), a, 3));
        }
        specs.add(spec("mlp", Task.BINARY, inputs, List.of(7), Activation.TANH, 1));
        specs.add(spec("mlp", Task.REGRESSION, inputs, List.of(7), Activation.RELU, 1));
        return specs;
    }

    static ModelSpec spec(
            String family,
            Task task,
            int inputs,
            List<Integer> hidden,
            Activation activation,
            int outputs) {
        return new ModelSpec(
                family, task, inputs, hidden, activation, outputs, Loss.defaultFor(task), 0);
    }

    /**
     * A snapshot of {@code spec} at {@code version}: Gaussian parameters (sd 0.7) and, when {@code
     * standardized}, feature statistics with means in [−3, 3] and variances in (0.25, 4); the
     * checksum is the parameters' own.
     */
    public static ModelSnapshot random(
            String key, ModelSpec spec, long version, long seed, boolean standardized) {
        SplittableRandom rng = new SplittableRandom(seed);
        int[] sizes = spec.layerSizes();
        List<Tensor> tensors = new ArrayList<>();
        List<Float> all = new ArrayList<>();
        for (int l = 0; l + 1 < sizes.length; l++) {
            float[] w = gaussian(rng, sizes[l] * sizes[l + 1]);
            float[] b = gaussian(rng, sizes[l + 1]);
            tensors.add(Tensors.of("W" + l, new int[] {sizes[l], sizes[l + 1]}, w));
            tensors.add(Tensors.of("b" + l, new int[] {sizes[l + 1]}, b));
            for (float v : w) {
                all.add(v);
            }
            for (float v : b) {
                all.add(v);
            }
        }
        float[] flat = new float[all.size()];
        for (int i = 0; i < flat.length; i++) {
            flat[i] = all.get(i);
        }
        FeatureStatistics statistics = null;
        if (standardized) {
            long count = 1000;
            List<Double> mean = new ArrayList<>();
            List<Double> m2 = new ArrayList<>();
            for (int j = 0; j < spec.inputSize(); j++) {
                mean.add(rng.nextDouble(-3, 3));
                m2.add(rng.nextDouble(0.25, 4) * (count - 1));
            }
            statistics =
                    FeatureStatistics.newBuilder()
                            .setMode("on")
                            .setCount(count)
                            .setMean(mean)
                            .setM2(m2)
                            .build();
        }
        return ModelSnapshot.newBuilder()
                .setRunId("test-run")
                .setModel(key)
                .setVersion(version)
                .setCreatedAt(1_700_000_000_000L + version)
                .setArchitecture(Snapshots.architecture(spec))
                .setParameters(tensors)
                .setOptimizer(
                        OptimizerState.newBuilder()
                                .setName("sgd")
                                .setLearningRate(0.1)
                                .setState(Tensors.of("sgd", new int[] {0}, new float[0]))
                                .setSettings(Map.of())
                                .build())
                .setExamplesSeen(version * 64)
                .setEpoch(0)
                .setSeed(seed)
                .setBatchSize(64)
                .setLastLoss(0.5)
                .setSmoothedLoss(0.5)
                .setParametersChecksum(Tensors.checksum(flat))
                .setStandardization(statistics)
                .setProvenance(Map.of("source.topic", "test.events"))
                .build();
    }

    /** The same snapshot with one parameter changed but the old checksum kept. */
    public static ModelSnapshot corrupted(ModelSnapshot s) {
        ModelSnapshot copy = ModelSnapshot.newBuilder(s).build();
        List<Tensor> tensors = new ArrayList<>(copy.getParameters());
        Tensor first = tensors.get(0);
        float[] v = Tensors.values(first);
        v[0] += 1;
        tensors.set(0, Tensors.of(first.getName(), Tensors.shape(first), v));
        copy.setParameters(tensors);
        return copy;
    }

    private static float[] gaussian(SplittableRandom rng, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (0.7 * rng.nextGaussian());
        }
        return v;
    }
}
