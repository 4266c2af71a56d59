package io.streamgrad.model;

import org.nd4j.linalg.learning.config.IUpdater;

/**
 * {@link JavaUpdater}'s rules (ND4J's: the same constants, schedule and state layout, read through
 * a {@link JavaUpdater}) in float32 arithmetic, as libnd4j computes them for float32 arrays, for
 * {@link Nd4jDenseCompute} on ND4J's CPU backend. Each state block (adam's m and v) is an array of
 * its own, not one array in ND4J's [m, v] layout: C2 then vectorizes the loops. Measured on one
 * core for the MLP 784-128-10's 101,770 parameters (README, "The cost of one update"): adam took 58
 * µs per update here, 250–380 µs with both blocks in one array, 450–700 µs in double ({@link
 * JavaUpdater}) and 950 µs in libnd4j's updater.
 *
 * <p>The gradient array becomes the update u; the caller then computes p ← p − u.
 */
final class Float32Updater {
    private final JavaUpdater rules;
    private final int n;

    /** The state blocks, n values each: none (sgd), [v], [h], [s] or [m, v]. */
    private final float[][] blocks;

    /**
     * @param n parameters
     * @param initial the state in ND4J's layout ({@link JavaUpdater#stateSize}(n) values, as ND4J's
     *     updater initialized it or as restored)
     * @throws IllegalArgumentException if {@code initial} has another size
     */
    Float32Updater(IUpdater config, int n, float[] initial) {
        this.rules = new JavaUpdater(config);
        this.n = n;
        long size = rules.stateSize(n);
        if (size % Math.max(n, 1) != 0) {
            throw new IllegalArgumentException(
                    "a state of " + size + " values for " + n + " parameters");
        }
        this.blocks = new float[n == 0 ? 0 : (int) (size / n)][n];
        load(initial);
    }

    /** Replaces the state by {@code state} (ND4J's layout). */
    void load(float[] state) {
        if (state.length != (long) blocks.length * n) {
            throw new IllegalArgumentException(
                    "an optimizer state of "
                            + state.length
                            + " values where "
                            + blocks.length * n
                            + " were expected");
        }
        for (int b = 0; b < blocks.length; b++) {
            System.arraycopy(state, b * n, blocks[b], 0, n);
        }
    }

    /** The state in ND4J's layout (blocks one after the other). */
    float[] state() {
        float[] out = new float[blocks.length * n];
        for (int b = 0; b < blocks.length; b++) {
            System.arraycopy(blocks[b], 0, out, b * n, n);
        }
        return out;
    }

    /** Replaces g[0..n) by the update at a 0-based iteration and advances the state. */
    void apply(float[] g, int iteration) {
        float lr = (float) rules.learningRate(iteration);
        switch (rules.rule()) {
            case SGD -> {
                for (int i = 0; i < n; i++) {
                    g[i] = lr * g[i];
                }
            }
            case MOMENTUM -> {
                float mu = (float) rules.momentum();
                float[] v = blocks[0];
                for (int i = 0; i < n; i++) {
                    float vi = mu * v[i] + g[i];
                    v[i] = vi;
                    g[i] = lr * vi;
                }
            }
            case NESTEROV -> {
                float mu = (float) rules.momentum();
                float[] v = blocks[0];
                for (int i = 0; i < n; i++) {
                    float previous = mu * v[i];
                    float vi = previous - lr * g[i];
                    v[i] = vi;
                    g[i] = previous - (mu + 1) * vi;
                }
            }
            case ADAGRAD -> {
                float eps = (float) rules.epsilon();
                float[] h = blocks[0];
                for (int i = 0; i < n; i++) {
                    float hi = h[i] + g[i] * g[i];
                    h[i] = hi;
                    g[i] = lr * g[i] / ((float) Math.sqrt(hi) + eps);
                }
            }
            case RMSPROP -> {
                float rho = (float) rules.decay();
                float rest = (float) (1 - rules.decay());
                float eps = (float) rules.epsilon();
                float[] s = blocks[0];
                for (int i = 0; i < n; i++) {
                    float si = rho * s[i] + rest * g[i] * g[i];
                    s[i] = si;
                    g[i] = lr * g[i] / ((float) Math.sqrt(si) + eps);
                }
            }
            case ADAM -> {
                float b1 = (float) rules.beta1();
                float b2 = (float) rules.beta2();
                float c1 = (float) (1 - rules.beta1());
                float c2 = (float) (1 - rules.beta2());
                float eps = (float) rules.epsilon();
                float alpha = (float) rules.adamStepSize(iteration);
                float[] m = blocks[0];
                float[] v = blocks[1];
                for (int i = 0; i < n; i++) {
                    float x = g[i];
                    float mi = b1 * m[i] + c1 * x;
                    float vi = b2 * v[i] + c2 * x * x;
                    m[i] = mi;
                    v[i] = vi;
                    g[i] = alpha * mi / ((float) Math.sqrt(vi) + eps);
                }
            }
        }
    }
}
