/**
 * Concept-drift detectors for a stream of numbers (the prequential loss, an error indicator): Page-
 * Hinkley and ADWIN, written from their papers, plus a parser for their command-line spec.
 *
 * <p>Owns: the detectors' maths and state. May use: the JDK only (no Flink, no other streamgrad
 * package), so the trainer, a Flink operator or a test can each hold one.
 */
package io.streamgrad.drift;
