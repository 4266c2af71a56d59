package io.streamgrad.train;

import io.streamgrad.batch.TrainingExample;

/** An example waiting in an event-time window (not always its own: late events may move on). */
public record WindowedExample(long window, TrainingExample example) {}
