package io.streamgrad.job;

import io.streamgrad.train.TrainingConfig;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a training job reads and writes, and how it trains.
 *
 * @param bounded stop at the end offsets the topic had when the job started (replay/backfill);
 *     otherwise train on the live stream until cancelled
 * @param fromEarliest start from the earliest offsets when the group has none committed
 */
public record JobConfig(
        String bootstrapServers,
        Topics topics,
        String groupId,
        String runId,
        boolean bounded,
        boolean fromEarliest,
        int parallelism,
        long checkpointIntervalMs,
        TrainingConfig training)
        implements Serializable {

    /** Topic names; the defaults are streamgrad's contract with other tools. */
    public record Topics(String events, String metrics, String snapshots, String deadLetter)
            implements Serializable {
        public static final Topics DEFAULT =
                new Topics(
                        "streamgrad.events",
                        "streamgrad.metrics",
                        "streamgrad.snapshots",
                        "streamgrad.deadletter");
    }

    /** What a snapshot records about where it came from. */
    public Map<String, String> provenance() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("run_id", runId);
        p.put("source_topic", topics.events());
        p.put("group_id", groupId);
        p.put("model", training.model().shorthand());
        p.put("hidden_activation", training.model().activation().wireName());
        p.put("optimizer", training.optimizer().name());
        p.put("learning_rate", Double.toString(training.optimizer().learningRate()));
        p.put("batch_size", Integer.toString(training.batchSize()));
        p.put("window_batches", Integer.toString(training.windowBatches()));
        p.put("seed", Long.toString(training.seed()));
        p.put("bounded", Boolean.toString(bounded));
        return p;
    }
}
