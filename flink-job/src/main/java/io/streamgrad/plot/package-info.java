/**
 * Charts of training runs and of the batch-size advice (PNG and SVG). Used by the CLI; uses {@code
 * schema}.
 */
package io.streamgrad.plot;
