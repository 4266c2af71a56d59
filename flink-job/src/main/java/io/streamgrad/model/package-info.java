/**
 * The maths, free of Flink: dense networks (forward, loss, backward, updaters) on ND4J, or in plain
 * Java for small models on the CPU backend ({@link io.streamgrad.model.ComputePath}), model and
 * optimizer specifications, feature standardization, memory estimates. May use {@code config} and
 * {@code schema}.
 */
package io.streamgrad.model;
