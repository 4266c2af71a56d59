package io.streamgrad.job;

import io.streamgrad.batch.Batching;
import io.streamgrad.batch.Durations;
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

    public JobConfig {
        Batching b = training.batching();
        if (!bounded && b.epochs() > 1) {
            throw new IllegalArgumentException(
                    "--epochs "
                            + b.epochs()
                            + " needs a bounded run (--bounded): a live stream has"
                            + " no passes to repeat");
        }
        if (!bounded && b.fullBatch()) {
            throw new IllegalArgumentException(
                    "--batch-size full needs a bounded run (--bounded): full-batch gradient"
                            + " descent waits for the whole set");
        }
    }

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
        p.put("task", training.model().task().wireName());
        p.put("loss", training.model().loss().wireName());
        p.put("l2", Double.toString(training.model().l2()));
        p.put("standardize", training.model().standardize().describe());
        p.put("learning_rate", Double.toString(training.optimizer().learningRate()));
        p.put("lr_schedule", training.optimizer().schedule().describe());
        p.put("clip_norm", Double.toString(training.optimizer().clipNorm()));
        Batching b = training.batching();
        p.put("batch_size", b.describeBatchSize());
        p.put("window", b.window().describe());
        p.put("max_out_of_orderness", Durations.format(b.maxOutOfOrdernessMs()));
        p.put("idle_timeout", Durations.format(b.idleTimeoutMs()));
        p.put("late_events", b.latePolicy().wireName());
        p.put("epochs", Integer.toString(b.epochs()));
        p.put("seed", Long.toString(training.seed()));
        p.put("bounded", Boolean.toString(bounded));
        return p;
    }
}
