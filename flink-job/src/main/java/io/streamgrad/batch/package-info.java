/**
 * Mini-batches, free of Flink: the example as it crosses operators, power-of-two batch sizes, the
 * seeded shuffle and the cut into batches. May use {@code config} only.
 */
package io.streamgrad.batch;
