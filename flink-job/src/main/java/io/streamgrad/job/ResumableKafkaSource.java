package io.streamgrad.job;

import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.KafkaSourceEnumState;
import org.apache.flink.connector.kafka.source.split.KafkaPartitionSplit;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * A {@link KafkaSource} whose bounded reading also ends after a restore from a checkpoint.
 *
 * <p>Why: the connector's enumerator (flink-connector-kafka 5.0.0-2.2) tells readers that no more
 * splits will come only after a partition discovery that found new partitions. Restored from a
 * checkpoint taken after the initial discovery, it finds none, never sends the signal, and a
 * bounded job reads its range to the end and then waits forever (seen here: a {@code train
 * --bounded} killed and resumed stalled with every split finished and no "NoMoreSplits" event). The
 * range of a bounded run is fixed by the splits of its first start, so after a restore whose
 * initial discovery had finished, each registering reader is told at once that its restored (and
 * any pending) splits are all it will get.
 */
public final class ResumableKafkaSource<T>
        implements Source<T, KafkaPartitionSplit, KafkaSourceEnumState>, ResultTypeQueryable<T> {
    private static final long serialVersionUID = 1L;

    private final KafkaSource<T> delegate;

    public ResumableKafkaSource(KafkaSource<T> delegate) {
        this.delegate = delegate;
    }

    @Override
    public Boundedness getBoundedness() {
        return delegate.getBoundedness();
    }

    @Override
    public SourceReader<T, KafkaPartitionSplit> createReader(SourceReaderContext ctx)
            throws Exception {
        return delegate.createReader(ctx);
    }

    @Override
    public SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> createEnumerator(
            SplitEnumeratorContext<KafkaPartitionSplit> ctx) throws Exception {
        return delegate.createEnumerator(ctx);
    }

    @Override
    public SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> restoreEnumerator(
            SplitEnumeratorContext<KafkaPartitionSplit> ctx, KafkaSourceEnumState state)
            throws Exception {
        SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> restored =
                delegate.restoreEnumerator(ctx, state);
        if (delegate.getBoundedness() != Boundedness.BOUNDED || !state.initialDiscoveryFinished()) {
            return restored;
        }
        return new SplitEnumerator<>() {
            @Override
            public void start() {
                restored.start();
            }

            @Override
            public void handleSplitRequest(int subtaskId, String requesterHostname) {
                restored.handleSplitRequest(subtaskId, requesterHostname);
            }

            @Override
            public void addSplitsBack(List<KafkaPartitionSplit> splits, int subtaskId) {
                restored.addSplitsBack(splits, subtaskId);
            }

            @Override
            public void addReader(int subtaskId) {
                // Assigns the reader's pending splits first, then ends its assignment.
                restored.addReader(subtaskId);
                ctx.signalNoMoreSplits(subtaskId);
            }

            @Override
            public KafkaSourceEnumState snapshotState(long checkpointId) throws Exception {
                return restored.snapshotState(checkpointId);
            }

            @Override
            public void notifyCheckpointComplete(long checkpointId) throws Exception {
                restored.notifyCheckpointComplete(checkpointId);
            }

            @Override
            public void close() throws java.io.IOException {
                restored.close();
            }
        };
    }

    @Override
    public SimpleVersionedSerializer<KafkaPartitionSplit> getSplitSerializer() {
        return delegate.getSplitSerializer();
    }

    @Override
    public SimpleVersionedSerializer<KafkaSourceEnumState> getEnumeratorCheckpointSerializer() {
        return delegate.getEnumeratorCheckpointSerializer();
    }

    @Override
    public TypeInformation<T> getProducedType() {
        return delegate.getProducedType();
    }
}
