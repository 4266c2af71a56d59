/**
 * Charts of training runs, of the batch-size advice, and of evaluations (confusion matrix, ROC,
 * reliability curve), as PNG and SVG. Used by the CLI; uses {@code schema} and {@code evaluate}'s
 * metrics.
 */
package io.streamgrad.plot;
