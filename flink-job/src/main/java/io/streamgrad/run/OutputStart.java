package io.streamgrad.run;

import io.streamgrad.config.InvalidSettingException;
import io.streamgrad.job.JobConfig;
import io.streamgrad.kafka.TopicAdmin;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Where a run's outputs begin on its metrics, snapshots and dead-letter topics: each partition's
 * end offset when the run first started (partition → offset; a partition not named, or a topic that
 * did not exist yet, starts at its beginning). The run's outcome reads its records from there, so
 * that the time it takes depends on the run, not on how much earlier runs left on a shared topic. A
 * resumed run keeps the start of its first attempt (in the state directory's {@code run.json}),
 * because its earlier metrics and snapshots count too.
 *
 * @param metrics start offsets on the metrics topic
 * @param snapshots start offsets on the snapshots topic
 * @param deadLetters start offsets on the dead-letter topic
 */
public record OutputStart(
        Map<Integer, Long> metrics, Map<Integer, Long> snapshots, Map<Integer, Long> deadLetters) {
    /** Every topic from its beginning: runs recorded before the start was. */
    public static final OutputStart BEGINNING = new OutputStart(Map.of(), Map.of(), Map.of());

    public OutputStart {
        metrics = Map.copyOf(metrics);
        snapshots = Map.copyOf(snapshots);
        deadLetters = Map.copyOf(deadLetters);
    }

    /** The end offsets of the job's output topics now (one round trip per topic). */
    public static OutputStart now(TopicAdmin admin, JobConfig.Topics topics) {
        return new OutputStart(
                admin.endOffsets(topics.metrics()),
                admin.endOffsets(topics.snapshots()),
                admin.endOffsets(topics.deadLetter()));
    }

    /** {@code partition=offset} pairs joined by commas, in partition order ("" for none). */
    static String encode(Map<Integer, Long> offsets) {
        return new TreeMap<>(offsets)
                .entrySet().stream()
                        .map(e -> e.getKey() + "=" + e.getValue())
                        .collect(Collectors.joining(","));
    }

    /**
     * Reads what {@link #encode} wrote.
     *
     * @throws InvalidSettingException naming the text when it is not {@code partition=offset} pairs
     */
    static Map<Integer, Long> decode(String text, String where) {
        Map<Integer, Long> out = new TreeMap<>();
        if (text.isBlank()) {
            return out;
        }
        for (String pair : text.split(",")) {
            String[] f = pair.split("=", -1);
            try {
                if (f.length != 2) {
                    throw new NumberFormatException(pair);
                }
                out.put(Integer.parseInt(f[0].trim()), Long.parseLong(f[1].trim()));
            } catch (NumberFormatException e) {
                throw InvalidSettingException.withRemedies(
                        where
                                + " has '"
                                + text
                                + "' where partition=offset pairs belong: {start-over} trains"
                                + " afresh, or restore the file");
            }
        }
        return out;
    }
}
