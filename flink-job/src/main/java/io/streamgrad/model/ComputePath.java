package io.streamgrad.model;

import org.nd4j.linalg.factory.Nd4j;

/**
 * Which implementation computes a {@link DenseNetwork}: ND4J ops ({@link Nd4jDenseCompute}) or
 * plain Java loops ({@link JavaDenseCompute}). Both compute the same maths; they differ in cost. An
 * ND4J op pays a fixed cost (a native call, an output allocation; on a GPU a kernel launch) that
 * plain Java does not, while for large matrices ND4J's BLAS is many times faster than a Java loop.
 * So the choice is made per model, at runtime:
 *
 * <ul>
 *   <li>on any backend other than ND4J's CPU backend (e.g. CUDA): always {@link #ND4J} (the data
 *       then lives on the device);
 *   <li>on the CPU backend: {@link #JAVA} when the model has at most {@link
 *       #JAVA_MAX_MULTIPLY_ADDS} weights (multiply-adds per example and pass), else {@link #ND4J}.
 *       The threshold is measured (README, "Benchmarks": the step cost of both paths for logistic
 *       regression on 100 features, softmax 784→10 and an MLP 784-128-10).
 * </ul>
 *
 * The system property {@value #PROPERTY} ({@code auto}, {@code nd4j} or {@code java}) overrides the
 * choice, for benchmarks; on a non-CPU backend {@code java} is ignored (ND4J computes), and an
 * unknown value is refused on every backend.
 */
public enum ComputePath {
    ND4J,
    JAVA;

    /** Weights (Σ in·out over layers) up to which the CPU backend computes in plain Java. */
    public static final long JAVA_MAX_MULTIPLY_ADDS = 1_024;

    public static final String PROPERTY = "streamgrad.compute-path";

    /** The path for a model on the loaded backend. */
    public static ComputePath choose(ModelSpec spec) {
        return choose(spec, cpuBackend(), System.getProperty(PROPERTY, "auto"));
    }

    static ComputePath choose(ModelSpec spec, boolean cpu, String override) {
        // The value is checked on every backend, so a typo fails on a laptop, not first on a GPU.
        ComputePath onCpu =
                switch (override) {
                    case "nd4j" -> ND4J;
                    case "java" -> JAVA;
                    case "auto" -> multiplyAdds(spec) <= JAVA_MAX_MULTIPLY_ADDS ? JAVA : ND4J;
                    default ->
                            throw new IllegalArgumentException(
                                    "-D" + PROPERTY + "=" + override + ": use auto, nd4j or java");
                };
        return cpu ? onCpu : ND4J;
    }

    /** Multiply-adds of one example's forward pass: the number of weights. */
    static long multiplyAdds(ModelSpec spec) {
        int[] s = spec.layerSizes();
        long n = 0;
        for (int l = 0; l + 1 < s.length; l++) {
            n += (long) s[l] * s[l + 1];
        }
        return n;
    }

    /** Whether the loaded ND4J backend is its CPU backend (by the name the backend reports). */
    static boolean cpuBackend() {
        String name = BackendInfo.current().backend();
        return name.startsWith("unknown")
                ? Nd4j.getBackend().getClass().getSimpleName().startsWith("Cpu")
                : name.startsWith("CPU");
    }
}
