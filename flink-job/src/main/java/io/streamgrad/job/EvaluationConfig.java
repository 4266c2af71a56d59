package io.streamgrad.job;

import io.streamgrad.kafka.KafkaClientConfig;
import java.io.Serializable;
import java.util.Map;

/**
 * What an evaluation job reads and scores.
 *
 * @param snapshot the model's snapshot in Avro single-object encoding (checked before the job)
 * @param modelKey events of other model keys are counted and skipped
 * @param from per partition, the first offset scored
 * @param to per partition, the offset after the last one scored (exclusive, as Kafka's end
 *     offsets); only partitions with a non-empty range are read
 * @param predictionsDir where each scoring subtask writes its CSV part ({@code part-N.csv}), or
 *     null for none; the job runs locally, so a directory on this machine
 */
public record EvaluationConfig(
        KafkaClientConfig kafka,
        String eventsTopic,
        String deadLetterTopic,
        String runId,
        byte[] snapshot,
        String modelKey,
        Map<Integer, Long> from,
        Map<Integer, Long> to,
        int parallelism,
        String predictionsDir)
        implements Serializable {
    /** The Kafka bootstrap servers (of {@link #kafka}). */
    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }
}
