package io.streamgrad.model;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.AdaGrad;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.RmsProp;
import org.nd4j.linalg.learning.config.Sgd;

/**
 * The update rules of the updaters {@link OptimizerSpec#toUpdater} returns, in plain Java over a
 * flat gradient and state, for {@link JavaDenseCompute}. The rules, constants (read from the same
 * ND4J configuration object), learning-rate schedule and state layout are those of ND4J's updaters
 * (libnd4j's {@code updaterSgd/Nesterovs/AdaGrad/RmsProp/Adam} helpers, 1.0.0-M2.1), so a state
 * exported from one path restores on the other; {@code JavaUpdaterTest} checks every rule against
 * ND4J's own updater on the same gradients. With g the gradient, lr the scheduled rate at iteration
 * t (0-based), the gradient array becomes the update u (then p ← p − u):
 *
 * <ul>
 *   <li>sgd: u = lr·g
 *   <li>momentum (heavy ball, {@link HeavyBallMomentum}): v ← μv + g; u = lr·v. State [v]
 *   <li>nesterov: v' = μv − lr·g; u = μv − (1 + μ)v'. State [v]
 *   <li>adagrad: h ← h + g²; u = lr·g / (√h + ε). State [h]
 *   <li>rmsprop: s ← ρs + (1 − ρ)g²; u = lr·g / (√s + ε). State [s]
 *   <li>adam (Kingma &amp; Ba 2015, Algorithm 1 with the efficient ordering of Section 2): m ← β1m
 *       + (1 − β1)g; v ← β2v + (1 − β2)g²; u = α_t·m / (√v + ε), α_t = lr·√(1 − β2^(t+1)) / (1 −
 *       β1^(t+1)) (ε if that is not a finite non-zero number). State [m, v]
 * </ul>
 *
 * Computed in double; with {@code single}, every state value is rounded to float32 after each
 * update, so the state is exactly what a float32 snapshot holds. {@link Float32Updater} computes
 * the same rules in float32 for ND4J's CPU backend.
 */
final class JavaUpdater {
    enum Rule {
        SGD,
        MOMENTUM,
        NESTEROV,
        ADAGRAD,
        RMSPROP,
        ADAM
    }

    private final IUpdater config;
    private final Rule rule;
    private final double momentum;
    private final double decay;
    private final double beta1;
    private final double beta2;
    private final double epsilon;

    JavaUpdater(IUpdater config) {
        this.config = config;
        double m = 0;
        double d = 0;
        double b1 = 0;
        double b2 = 0;
        double e = 0;
        if (config instanceof Sgd) {
            rule = Rule.SGD;
        } else if (config instanceof HeavyBallMomentum h) {
            rule = Rule.MOMENTUM;
            m = h.momentum();
        } else if (config instanceof Nesterovs n) {
            rule = Rule.NESTEROV;
            m = n.getMomentum();
        } else if (config instanceof AdaGrad a) {
            rule = Rule.ADAGRAD;
            e = a.getEpsilon();
        } else if (config instanceof RmsProp r) {
            rule = Rule.RMSPROP;
            d = r.getRmsDecay();
            e = r.getEpsilon();
        } else if (config instanceof Adam a) {
            rule = Rule.ADAM;
            b1 = a.getBeta1();
            b2 = a.getBeta2();
            e = a.getEpsilon();
        } else {
            throw new IllegalArgumentException(
                    "no plain-Java rule for " + config.getClass().getSimpleName());
        }
        this.momentum = m;
        this.decay = d;
        this.beta1 = b1;
        this.beta2 = b2;
        this.epsilon = e;
    }

    Rule rule() {
        return rule;
    }

    /** μ of momentum and nesterov. */
    double momentum() {
        return momentum;
    }

    /** ρ of rmsprop. */
    double decay() {
        return decay;
    }

    /** β1 of adam. */
    double beta1() {
        return beta1;
    }

    /** β2 of adam. */
    double beta2() {
        return beta2;
    }

    /** ε of adagrad, rmsprop and adam. */
    double epsilon() {
        return epsilon;
    }

    /** State values for n parameters (ND4J's {@code IUpdater.stateSize}). */
    long stateSize(long n) {
        return config.stateSize(n);
    }

    /**
     * A fresh state for n parameters, as ND4J's updater initializes it (not all zeros: adagrad's
     * and rmsprop's accumulators start at ε), taken from ND4J itself.
     */
    double[] freshState(long n) {
        long size = stateSize(n);
        if (size == 0) {
            return new double[0];
        }
        INDArray view = Nd4j.zeros(DataType.DOUBLE, size);
        config.instantiate(view, true);
        return view.toDoubleVector();
    }

    /** The learning rate at an iteration, from ND4J's schedule. */
    double learningRate(int iteration) {
        return config.getLearningRate(iteration, 0);
    }

    /**
     * Replaces g[0..n) by the update and advances the state.
     *
     * @param state {@link #stateSize}(n) values in ND4J's layout
     * @param single round the state to float32 after the update
     */
    void apply(double[] g, int n, double[] state, int iteration, boolean single) {
        double lr = learningRate(iteration);
        switch (rule) {
            case SGD -> {
                for (int i = 0; i < n; i++) {
                    g[i] = lr * g[i];
                }
            }
            case MOMENTUM -> {
                for (int i = 0; i < n; i++) {
                    double v = round(momentum * state[i] + g[i], single);
                    state[i] = v;
                    g[i] = lr * v;
                }
            }
            case NESTEROV -> {
                for (int i = 0; i < n; i++) {
                    double previous = momentum * state[i];
                    double v = round(previous - lr * g[i], single);
                    state[i] = v;
                    g[i] = previous - (momentum + 1) * v;
                }
            }
            case ADAGRAD -> {
                for (int i = 0; i < n; i++) {
                    double h = round(state[i] + g[i] * g[i], single);
                    state[i] = h;
                    g[i] = lr * g[i] / (Math.sqrt(h) + epsilon);
                }
            }
            case RMSPROP -> {
                for (int i = 0; i < n; i++) {
                    double s = round(decay * state[i] + (1 - decay) * g[i] * g[i], single);
                    state[i] = s;
                    g[i] = lr * g[i] / (Math.sqrt(s) + epsilon);
                }
            }
            case ADAM -> {
                double beta1T = Math.pow(beta1, iteration + 1.0);
                double beta2T = Math.pow(beta2, iteration + 1.0);
                double alpha = lr * Math.sqrt(1 - beta2T) / (1 - beta1T);
                if (!Double.isFinite(alpha) || alpha == 0) {
                    alpha = epsilon;
                }
                for (int i = 0; i < n; i++) {
                    double m = round(beta1 * state[i] + (1 - beta1) * g[i], single);
                    double v = round(beta2 * state[n + i] + (1 - beta2) * g[i] * g[i], single);
                    state[i] = m;
                    state[n + i] = v;
                    g[i] = alpha * m / (Math.sqrt(v) + epsilon);
                }
            }
        }
    }

    private static double round(double v, boolean single) {
        return single ? (float) v : v;
    }
}
