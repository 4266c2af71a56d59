package io.streamgrad.job;

import io.streamgrad.train.ModelConfigs;
import java.io.Serializable;
import java.util.Map;

/**
 * What a backtest trains: the job's Kafka settings and topics ({@code job}, bounded), the variants
 * ({@code configs}) and the offset range, fixed before the job starts.
 *
 * @param from per partition, the first offset trained
 * @param to per partition, the offset after the last one trained (exclusive); only partitions with
 *     a non-empty range are read
 */
public record BacktestConfig(
        JobConfig job, ModelConfigs configs, Map<Integer, Long> from, Map<Integer, Long> to)
        implements Serializable {
    public BacktestConfig {
        if (!job.bounded()) {
            throw new IllegalArgumentException("a backtest replays a bounded range");
        }
        from = Map.copyOf(from);
        to = Map.copyOf(to);
    }
}
