/** Charts of training runs (PNG and SVG). Used by the CLI; uses {@code schema}. */
package io.streamgrad.plot;
