/**
 * Training free of Flink: the trainer of one model (test-then-train, divergence guard), what
 * happens when a window closes or input ends ({@link io.streamgrad.train.WindowTrainer}), the
 * per-key state machine the operator and offline replays share ({@link
 * io.streamgrad.train.KeyedTrainer}), the configuration records, and the mapping of results to
 * records (metrics, snapshots, dead letters). May use {@code window}, {@code batch}, {@code model},
 * {@code drift}, {@code config} and {@code schema}.
 */
package io.streamgrad.train;
