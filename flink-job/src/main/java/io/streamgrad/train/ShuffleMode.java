package io.streamgrad.train;

import io.streamgrad.config.InvalidSettingException;
import java.util.Locale;

/**
 * How a bounded run orders its examples before the windows' own shuffle. Every mode shuffles within
 * each window; they differ in what a window can hold, and in memory.
 *
 * <ul>
 *   <li>{@link #WINDOW}: each epoch reads the range again from Kafka in source order (partitions
 *       merged by event time); only a window's examples are mixed. Memory: one window. Right for
 *       data already in random order, and the only mode for event-time windows.
 *   <li>{@link #BLOCKS}: each epoch reads the range again from Kafka as blocks of consecutive
 *       offsets in a seeded random order, several blocks at a time, their records interleaved by a
 *       seeded random key. Memory: one group of blocks of raw records. Breaks the source order
 *       (sorted or drifting data) at the cost of one seek per block.
 *   <li>{@link #PASS}: the pass is read once and kept in Flink state; epochs 2…E shuffle all of it
 *       (the textbook random reshuffling). Memory and checkpoints grow with the pass: allowed only
 *       when it fits ({@code run.Preflight} checks before the start).
 * </ul>
 */
public enum ShuffleMode {
    WINDOW,
    BLOCKS,
    PASS;

    /** The name users write: window, blocks or pass. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * @throws InvalidSettingException naming the accepted values
     */
    public static ShuffleMode fromWireName(String s) {
        for (ShuffleMode m : values()) {
            if (m.wireName().equals(s)) {
                return m;
            }
        }
        throw new InvalidSettingException(
                "{shuffle} must be auto, blocks, window or pass, got '" + s + "'");
    }
}
