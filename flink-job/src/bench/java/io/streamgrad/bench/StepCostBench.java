package io.streamgrad.bench;

import io.streamgrad.advise.BatchSampler;
import io.streamgrad.advise.StepTimeFit;
import io.streamgrad.advise.StepTimer;
import io.streamgrad.batch.TrainingExample;
import io.streamgrad.model.DenseNetwork;
import io.streamgrad.train.ModelTrainer;
import io.streamgrad.train.TrainingConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The trainer's own cost per update without Kafka: per model, the in-memory training rate and the
 * line T(b) = τ_f + τ_d·b, computed exactly as {@link ThroughputBench} computes them ({@link
 * ThroughputBench#inMemory}, {@link ThroughputBench#stepTimes}), on synthetic examples of the
 * workload's shape (the time of a dense step does not depend on the values: logistic examples are
 * Gaussian, the MNIST-shaped ones uniform in [0, 1) with four pixels in five zero, as MNIST's).
 * Prints one Markdown row per model. Run with OMP_NUM_THREADS=1 (as the product runs); to compare
 * two builds in one run, run it once per build's classes back to back (see README "Benchmarks").
 *
 * <p>Arguments: {@code LABEL [MODELS]}, MODELS a comma-separated list of substrings of the model
 * names (e.g. {@code softmax,mlp}; default all). With {@code -Dbench.batch=B} the in-memory rate
 * uses batches of B instead of the workload's. After each row, the median step time at each of
 * {@link ThroughputBench#STEP_SIZES} is printed on standard error.
 */
public final class StepCostBench {
    record Model(String name, int examples, List<String> flags) {}

    /** ThroughputBench's workloads, plus its logistic workload with Adam. */
    static final List<Model> MODELS =
            List.of(
                    new Model("logistic-100 sgd b256", 200_000, flags("logistic", "sgd")),
                    new Model("logistic-100 adam b256", 200_000, flags("logistic", "adam")),
                    new Model("softmax 784-10 sgd b128", 20_000, flags("softmax", "sgd")),
                    new Model("mlp 784-128-10 adam b128", 20_000, flags("mlp", "adam")));

    /** A workload's flags with the optimizer replaced. */
    static List<String> flags(String workload, String optimizer) {
        List<String> f = new ArrayList<>(ThroughputBench.WORKLOADS.get(workload).modelFlags());
        f.set(f.indexOf("--optimizer") + 1, optimizer);
        return f;
    }

    public static void main(String[] args) {
        String label = args.length > 0 ? args[0] : "";
        List<String> only = args.length > 1 ? List.of(args[1].split(",")) : List.of("");
        String batch = System.getProperty("bench.batch");
        for (Model m : MODELS) {
            if (only.stream().noneMatch(m.name()::contains)) {
                continue;
            }
            List<String> flags = new ArrayList<>(m.flags());
            if (batch != null) {
                flags.set(flags.indexOf("--batch-size") + 1, batch);
            }
            TrainingConfig config = ThroughputBench.ModelFlags.parse(flags);
            List<TrainingExample> examples = examples(config, m.examples());
            double rate = ThroughputBench.inMemory(config, examples);
            // As ThroughputBench.stepTimes, keeping the points to print them.
            List<StepTimer.Point> points =
                    StepTimer.measure(
                            ModelTrainer.create("bench", config),
                            BatchSampler.withReplacement(examples, 7),
                            ThroughputBench.STEP_SIZES,
                            20,
                            40);
            var fit =
                    StepTimeFit.fit(
                            points.stream().mapToDouble(StepTimer.Point::batchSize).toArray(),
                            points.stream().mapToDouble(StepTimer.Point::medianSeconds).toArray());
            String path = pathOf(ModelTrainer.create("probe", config).network());
            System.out.printf(
                    "| %s | %s | %s | %.1f | %.3f | %,.0f |%n",
                    label, m.name(), path, fit.tauF() * 1e6, fit.tauD() * 1e6, rate);
            StringBuilder t = new StringBuilder("  step medians (µs):");
            for (StepTimer.Point p : points) {
                t.append(String.format(" b%d=%.0f", p.batchSize(), p.medianSeconds() * 1e6));
            }
            System.err.println(t);
        }
    }

    static List<TrainingExample> examples(TrainingConfig config, int n) {
        int d = config.spec().inputSize();
        int classes = Math.max(2, config.spec().outputSize());
        boolean mnist = d == 784;
        SplittableRandom rng = new SplittableRandom(11);
        List<TrainingExample> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            float[] x = new float[d];
            for (int j = 0; j < d; j++) {
                x[j] =
                        mnist
                                ? (rng.nextInt(5) == 0 ? (float) rng.nextDouble() : 0f)
                                : (float) rng.nextGaussian();
            }
            double label = mnist ? rng.nextInt(classes) : (x[0] + x[1] > 0 ? 1 : 0);
            out.add(new TrainingExample("bench", "e" + i, i, x, label, 0, i));
        }
        return out;
    }

    /** The network's compute path; "nd4j" for builds that had only that one. */
    static String pathOf(DenseNetwork network) {
        try {
            return String.valueOf(DenseNetwork.class.getMethod("computePath").invoke(network));
        } catch (ReflectiveOperationException e) {
            return "nd4j";
        }
    }
}
