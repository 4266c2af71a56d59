package io.streamgrad.join;

/**
 * A record on its way out of a processor: to the next step, or (when {@code deadLetter}) to the
 * dead-letter topic as an encoded {@link io.streamgrad.schema.DeadLetter}. Never crosses a topic.
 */
record Routed(boolean deadLetter, byte[] value) {}
