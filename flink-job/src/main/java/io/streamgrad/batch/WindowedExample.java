package io.streamgrad.batch;

/** An example waiting in an event-time window (not always its own: late events may move on). */
public record WindowedExample(long window, TrainingExample example) {}
