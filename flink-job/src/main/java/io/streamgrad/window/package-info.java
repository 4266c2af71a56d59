/**
 * Windows as arithmetic, free of Flink: window specifications, event-time assignment and lateness,
 * durations. May use {@code config} only.
 */
package io.streamgrad.window;
