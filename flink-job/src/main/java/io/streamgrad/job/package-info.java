/**
 * The Flink wiring: {@link io.streamgrad.job.TrainingJob#build} and {@link
 * io.streamgrad.job.EvaluationJob#build} read like the dataflow, and thin operators that own state
 * and time and delegate to {@code train} or {@code evaluate}. Each class implementing a Flink
 * interface is named after it. May use {@code train}, {@code evaluate} and below and {@code kafka};
 * not {@code run} or {@code cli}.
 */
package io.streamgrad.job;
