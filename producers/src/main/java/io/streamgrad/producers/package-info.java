/**
 * Event producers: the synthetic teacher and its events (event i is a function of seed and i, and
 * of a {@link io.streamgrad.producers.DriftSpec} for a drifting stream), the producer that writes
 * events to a topic, and the delayed-label producer that writes the label joiner's two inputs. May
 * use {@code kafka} and {@code schema}.
 */
package io.streamgrad.producers;
