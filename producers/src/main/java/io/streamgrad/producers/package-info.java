/**
 * Event producers: the synthetic teacher and its events (event i is a function of seed and i), and
 * the producer that writes events to a topic. May use {@code kafka} and {@code schema}.
 */
package io.streamgrad.producers;
