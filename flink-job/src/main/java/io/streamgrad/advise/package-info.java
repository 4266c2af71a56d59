/**
 * Choosing the batch size by measurement, free of Flink: the time of one training step as a
 * function of the batch size ({@link io.streamgrad.advise.StepTimeFit}, measured by {@link
 * io.streamgrad.advise.StepTimer}), the gradient noise at the model's current parameters ({@link
 * io.streamgrad.advise.GradientNoise}), the iterations a run needs ({@link
 * io.streamgrad.advise.Pilot}), and the recommendation that combines them ({@link
 * io.streamgrad.advise.BatchSizeAdvice}). A layer beside {@code train}: may use {@code train},
 * {@code window}, {@code batch}, {@code model}, {@code config} and {@code schema}; used by {@code
 * run} and {@code cli}.
 */
package io.streamgrad.advise;
