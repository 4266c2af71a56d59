package io.streamgrad.job;

import io.streamgrad.evaluate.EvaluationAccumulator;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * The one aggregation (parallelism 1): passes progress ticks on and merges the scorers' shards,
 * emitting (−1, merged bytes) at the end of input.
 */
final class MergeShardsOperator extends AbstractStreamOperator<Tuple2<Long, byte[]>>
        implements OneInputStreamOperator<Tuple2<Long, byte[]>, Tuple2<Long, byte[]>>,
                BoundedOneInput {
    private static final long serialVersionUID = 1L;
    static final long MERGED = -1;

    private transient EvaluationAccumulator merged;

    @Override
    public void processElement(StreamRecord<Tuple2<Long, byte[]>> record) {
        Tuple2<Long, byte[]> t = record.getValue();
        if (t.f1.length == 0) {
            output.collect(record);
            return;
        }
        EvaluationAccumulator shard = EvaluationAccumulator.fromBytes(t.f1);
        if (merged == null) {
            merged = shard;
        } else {
            merged.merge(shard);
        }
    }

    @Override
    public void endInput() {
        if (merged != null) {
            output.collect(new StreamRecord<>(Tuple2.of(MERGED, merged.toBytes())));
        }
    }
}
