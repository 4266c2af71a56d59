/**
 * The maths, free of Flink: dense networks on ND4J (forward, loss, backward, updaters), model and
 * optimizer specifications, feature standardization, memory estimates. May use {@code config} and
 * {@code schema}.
 */
package io.streamgrad.model;
