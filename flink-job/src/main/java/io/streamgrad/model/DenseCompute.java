package io.streamgrad.model;

/**
 * The arithmetic of a {@link DenseNetwork}: parameters, gradient and optimizer state, forward and
 * backward passes, the update. {@link DenseNetwork} validates inputs, standardizes features and
 * decides whether an update is applied; an implementation only computes. Two implementations
 * compute the same maths: {@link Nd4jDenseCompute} (ND4J ops, any backend) and {@link
 * JavaDenseCompute} (plain Java loops, chosen on a CPU backend for small models, see {@link
 * ComputePath}).
 *
 * <p>Flat layouts (shared by both, so snapshots move between them): parameters per layer W (in×out,
 * row-major) then b; the gradient in the same layout; the optimizer state as ND4J's updater lays it
 * out ({@link JavaUpdater}).
 */
interface DenseCompute {
    /**
     * Loss (mean over the batch, plus the L2 penalty) and accuracy with the current parameters;
     * with {@code withGradient}, the gradient of that loss is left for {@link #gradientNorm},
     * {@link #update} and {@link #gradient}.
     *
     * @param x n rows of standardized features, row-major
     * @param labels n targets or class indices (validated)
     */
    DenseNetwork.Evaluation lossAndGradient(
            float[] x, double[] labels, int n, boolean withGradient);

    /** The L2 norm of the last gradient (not finite when any component is not). */
    double gradientNorm();

    /**
     * Applies the last gradient: clipped to the configured norm when longer, turned into an update
     * by the optimizer, (adamw) plus the decoupled weight decay, subtracted from the parameters.
     *
     * @param norm {@link #gradientNorm()}
     * @param iteration updates made so far
     */
    void update(double norm, int iteration);

    /** The output layer's logits, n × outputs row-major. */
    float[] logits(float[] x, int n);

    /** Logits for regression, σ(z) for binary, softmax for multi-class; n × outputs row-major. */
    float[] predict(float[] x, int n);

    boolean parametersFinite();

    /** Overwrites parameters and the first optimizer.length values of the optimizer state. */
    void load(float[] parameters, float[] optimizer);

    float[] parameters();

    float[] optimizerState();

    double[] gradient();

    void setParameter(int index, double value);

    double getParameter(int index);
}
