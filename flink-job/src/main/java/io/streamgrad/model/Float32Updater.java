package io.streamgrad.model;

import org.nd4j.linalg.learning.config.IUpdater;

/**
 * {@link JavaUpdater}'s rules (ND4J's: the same constants, schedule and state layout, read through
 * a {@link JavaUpdater}) in float32 arithmetic, as libnd4j computes them for float32 arrays, for
 * {@link Nd4jDenseCompute} on ND4J's CPU backend. The parameters are updated {@link #CHUNK} at a
 * time (the caller copies each chunk of the gradient out of ND4J's host memory), and each state
 * block (adam's m and v) is held as one array per chunk, not in ND4J's [m, v] layout: with every
 * array of a loop indexed alike, C2 vectorizes the loops. Measured on one core for the MLP
 * 784-128-10's 101,770 parameters (README, "The cost of one update"): adam took 58–64 µs per update
 * so, 320–365 µs with state arrays indexed at an offset from the gradient's, 250–380 µs with both
 * blocks in one array, 450–700 µs in double ({@link JavaUpdater}) and 950 µs in libnd4j's updater.
 *
 * <p>The gradient's chunk becomes the update u; the caller then computes p ← p − u.
 */
final class Float32Updater {
    /** Parameters per chunk: 64 KiB of each array, within a core's L2 cache. */
    static final int CHUNK = 16_384;

    /**
     * Every {@link #SWEEP_EVERY} iterations, state values smaller in magnitude than this (2⁻¹⁰⁰,
     * 7.9·10⁻³¹) become 0. Decaying state otherwise shrinks through float32's subnormal range
     * (under 2⁻¹²⁶), which x86 computes through microcode assists: after about a thousand updates
     * on MNIST 1 % of adam's m was subnormal (the zero gradients of rarely lit pixels) and the loop
     * took 270 µs instead of 64; with 10 % 1,390 µs. At the fastest decay of these rules (×0.9 per
     * update) a value takes some 170 updates from 2⁻¹⁰⁰ to 2⁻¹²⁶, so a sweep every 64 zeroes it
     * first. The effect on an update is below float32's precision: a zeroed m moves u by less than
     * α·10⁻²², a zeroed v or s changes √v + ε by less than 10⁻¹⁵ against ε = 10⁻⁸. libnd4j keeps
     * such values.
     */
    static final float SWEEP_BELOW = 0x1p-100f;

    /** Iterations between sweeps (at iterations 63, 127, …: a function of the iteration only). */
    static final int SWEEP_EVERY = 64;

    private final JavaUpdater rules;
    private final int n;

    /**
     * The state: [block][chunk][parameter within the chunk], blocks none (sgd), [v], [h], [s] or
     * [m, v].
     */
    private final float[][][] blocks;

    /**
     * @param n parameters
     * @param initial the state in ND4J's layout ({@link JavaUpdater#stateSize}(n) values, as
     *     restored), or null for a fresh state as ND4J's updater initializes it (adagrad's and
     *     rmsprop's accumulators start at ε)
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
        int count = n == 0 ? 0 : (int) (size / n);
        this.blocks = new float[count][chunks()][];
        for (float[][] block : blocks) {
            for (int c = 0; c < block.length; c++) {
                block[c] = new float[chunkLength(c)];
            }
        }
        if (initial != null) {
            load(initial);
        } else {
            double[] fresh = rules.freshState(n);
            float[] state = new float[fresh.length];
            for (int i = 0; i < state.length; i++) {
                state[i] = (float) fresh[i];
            }
            load(state);
        }
    }

    /** Chunks of {@link #CHUNK} parameters, the last one shorter. */
    int chunks() {
        return (n + CHUNK - 1) / CHUNK;
    }

    /** Parameters in a chunk. */
    int chunkLength(int chunk) {
        return Math.min(CHUNK, n - chunk * CHUNK);
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
            for (int c = 0; c < blocks[b].length; c++) {
                System.arraycopy(state, b * n + c * CHUNK, blocks[b][c], 0, chunkLength(c));
            }
        }
    }

    /** The state in ND4J's layout (blocks one after the other). */
    float[] state() {
        float[] out = new float[blocks.length * n];
        for (int b = 0; b < blocks.length; b++) {
            for (int c = 0; c < blocks[b].length; c++) {
                System.arraycopy(blocks[b][c], 0, out, b * n + c * CHUNK, chunkLength(c));
            }
        }
        return out;
    }

    /**
     * Replaces g[0..{@link #chunkLength}(chunk)) by the update of that chunk's parameters at a
     * 0-based iteration and advances their state.
     */
    void apply(float[] g, int chunk, int iteration) {
        int length = chunkLength(chunk);
        float lr = (float) rules.learningRate(iteration);
        switch (rules.rule()) {
            case SGD -> {
                for (int k = 0; k < length; k++) {
                    g[k] = lr * g[k];
                }
            }
            case MOMENTUM -> {
                float mu = (float) rules.momentum();
                float[] v = blocks[0][chunk];
                for (int k = 0; k < length; k++) {
                    float vi = mu * v[k] + g[k];
                    v[k] = vi;
                    g[k] = lr * vi;
                }
            }
            case NESTEROV -> {
                float mu = (float) rules.momentum();
                float[] v = blocks[0][chunk];
                for (int k = 0; k < length; k++) {
                    float previous = mu * v[k];
                    float vi = previous - lr * g[k];
                    v[k] = vi;
                    g[k] = previous - (mu + 1) * vi;
                }
            }
            case ADAGRAD -> {
                float eps = (float) rules.epsilon();
                float[] h = blocks[0][chunk];
                for (int k = 0; k < length; k++) {
                    float hi = h[k] + g[k] * g[k];
                    h[k] = hi;
                    g[k] = lr * g[k] / ((float) Math.sqrt(hi) + eps);
                }
            }
            case RMSPROP -> {
                float rho = (float) rules.decay();
                float rest = 1 - rho;
                float eps = (float) rules.epsilon();
                float[] s = blocks[0][chunk];
                for (int k = 0; k < length; k++) {
                    float si = rho * s[k] + g[k] * g[k] * rest;
                    s[k] = si;
                    g[k] = lr * g[k] / ((float) Math.sqrt(si) + eps);
                }
            }
            case ADAM -> {
                float b1 = (float) rules.beta1();
                float b2 = (float) rules.beta2();
                // In float32, as libnd4j: 1 − β2 so computed is 0.00099998713, not 0.001.
                float c1 = 1 - b1;
                float c2 = 1 - b2;
                float eps = (float) rules.epsilon();
                // As libnd4j: β^(t+1) in float32, α_t from them in double, stored as float32.
                float beta1T = (float) Math.pow(b1, iteration + 1.0);
                float beta2T = (float) Math.pow(b2, iteration + 1.0);
                float alpha = (float) (lr * Math.sqrt(1. - beta2T) / (1. - beta1T));
                if (!Float.isFinite(alpha) || alpha == 0) {
                    alpha = eps;
                }
                float[] m = blocks[0][chunk];
                float[] v = blocks[1][chunk];
                for (int k = 0; k < length; k++) {
                    float x = g[k];
                    float mi = b1 * m[k] + c1 * x;
                    float vi = b2 * v[k] + x * x * c2;
                    m[k] = mi;
                    v[k] = vi;
                    g[k] = alpha * mi / ((float) Math.sqrt(vi) + eps);
                }
            }
        }
        if (iteration % SWEEP_EVERY == SWEEP_EVERY - 1) {
            for (float[][] block : blocks) {
                float[] state = block[chunk];
                for (int i = 0; i < state.length; i++) {
                    if (Math.abs(state[i]) < SWEEP_BELOW) {
                        state[i] = 0;
                    }
                }
            }
        }
    }
}
