/**
 * The Flink wiring: {@link io.streamgrad.job.TrainingJob#build} reads like the dataflow, and thin
 * operators that own state and time and delegate to {@code train}. Each class implementing a Flink
 * interface is named after it. May use {@code train} and below and {@code kafka}; not {@code run}
 * or {@code cli}.
 */
package io.streamgrad.job;
