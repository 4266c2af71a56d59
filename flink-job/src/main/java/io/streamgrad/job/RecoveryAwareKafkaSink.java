package io.streamgrad.job;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.kafka.sink.KafkaCommittable;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.sink.KafkaWriterState;
import org.apache.flink.connector.kafka.sink.TwoPhaseCommittingStatefulSink;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessage;
import org.apache.flink.streaming.api.connector.sink2.SupportsPostCommitTopology;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.lineage.LineageVertex;
import org.apache.flink.streaming.api.lineage.LineageVertexProvider;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.common.KafkaException;

/**
 * An exactly-once {@link KafkaSink} whose committer first asks the broker about the transactions it
 * recovered from a checkpoint, and does not commit again one the broker shows committed.
 *
 * <p>Why: a job restored from checkpoint N commits N's transactions again, as it must (the run
 * before may have died between the checkpoint and its commit). When that run had committed them, on
 * a broker with transaction version 2 (KIP-890; Kafka 4's default), the connector's second commit,
 * sent without {@code initTransactions} by a producer resumed from the committable, gets {@code
 * PRODUCER_FENCED} (the commit raised the epoch), and the connector logs at ERROR "this most likely
 * signals data loss", after every stop and resume, though nothing was lost (flink-connector-kafka
 * 5.0.0: {@code KafkaCommitter#logFencedRequest}). A transaction really lost (aborted by the
 * broker's timeout before the resume) gets the same error, so the log line cannot tell them apart:
 * the broker can ({@code Admin#describeTransactions}). Every other committable, and any the broker
 * cannot vouch for, goes to the connector's committer unchanged, so a real loss is still logged.
 */
final class RecoveryAwareKafkaSink<IN>
        implements TwoPhaseCommittingStatefulSink<IN, KafkaWriterState, KafkaCommittable>,
                SupportsPostCommitTopology<KafkaCommittable>,
                LineageVertexProvider {
    private static final long serialVersionUID = 1L;

    private final KafkaSink<IN> sink;
    private final Properties admin;

    /**
     * @param sink the exactly-once sink whose writer and committer do the work
     * @param admin an admin client's properties for the same cluster
     */
    RecoveryAwareKafkaSink(KafkaSink<IN> sink, Properties admin) {
        this.sink = sink;
        this.admin = admin;
    }

    @Override
    public PrecommittingStatefulSinkWriter<IN, KafkaWriterState, KafkaCommittable> createWriter(
            WriterInitContext context) throws IOException {
        return sink.createWriter(context);
    }

    @Override
    public PrecommittingStatefulSinkWriter<IN, KafkaWriterState, KafkaCommittable> restoreWriter(
            WriterInitContext context, Collection<KafkaWriterState> state) throws IOException {
        return sink.restoreWriter(context, state);
    }

    @Override
    public SimpleVersionedSerializer<KafkaWriterState> getWriterStateSerializer() {
        return sink.getWriterStateSerializer();
    }

    @Override
    public SimpleVersionedSerializer<KafkaCommittable> getCommittableSerializer() {
        return sink.getCommittableSerializer();
    }

    @Override
    public void addPostCommitTopology(DataStream<CommittableMessage<KafkaCommittable>> committed) {
        // The connector's own: it ties the committer to its writer (the producers' pool).
        sink.addPostCommitTopology(committed);
    }

    @Override
    public LineageVertex getLineageVertex() {
        return sink.getLineageVertex();
    }

    @Override
    public Committer<KafkaCommittable> createCommitter(CommitterInitContext context)
            throws IOException {
        // One client id per subtask: two admin clients of one id in a JVM collide in JMX.
        Properties own = new Properties();
        own.putAll(admin);
        own.put(
                "client.id",
                admin.getProperty("client.id", "streamgrad-commit-check")
                        + "-"
                        + context.getTaskInfo().getIndexOfThisSubtask());
        return new SkippingCommitted(sink.createCommitter(context), own);
    }

    /** The connector's committer, but for recovered transactions the broker shows committed. */
    static final class SkippingCommitted implements Committer<KafkaCommittable> {
        private final Committer<KafkaCommittable> committer;
        private final Properties admin;

        SkippingCommitted(Committer<KafkaCommittable> committer, Properties admin) {
            this.committer = committer;
            this.admin = admin;
        }

        @Override
        public void commit(Collection<CommitRequest<KafkaCommittable>> requests)
                throws IOException, InterruptedException {
            Map<String, TransactionDescription> known = describeRecovered(requests);
            List<CommitRequest<KafkaCommittable>> rest = new ArrayList<>();
            for (CommitRequest<KafkaCommittable> r : requests) {
                if (committedBefore(r.getCommittable(), known)) {
                    r.signalAlreadyCommitted();
                } else {
                    rest.add(r);
                }
            }
            if (!rest.isEmpty()) {
                committer.commit(rest);
            }
        }

        /**
         * Whether the broker shows {@code k}'s transaction committed (or deciding to commit) by the
         * producer that wrote it: a recovered committable only (one with a live producer is this
         * attempt's own, never committed yet).
         */
        static boolean committedBefore(
                KafkaCommittable k, Map<String, TransactionDescription> known) {
            TransactionDescription t = known.get(k.getTransactionalId());
            return k.getProducer().isEmpty()
                    && t != null
                    && t.producerId() == k.getProducerId()
                    // Committed under transaction version 2 (the commit raises the epoch) or 1.
                    && (t.producerEpoch() == k.getEpoch() + 1 || t.producerEpoch() == k.getEpoch())
                    && (t.state() == TransactionState.COMPLETE_COMMIT
                            || t.state() == TransactionState.PREPARE_COMMIT);
        }

        /** The broker's view of each recovered transaction it can describe; asked only on them. */
        private Map<String, TransactionDescription> describeRecovered(
                Collection<CommitRequest<KafkaCommittable>> requests) throws InterruptedException {
            List<String> ids =
                    requests.stream()
                            .map(CommitRequest::getCommittable)
                            .filter(k -> k.getProducer().isEmpty())
                            .map(KafkaCommittable::getTransactionalId)
                            .toList();
            if (ids.isEmpty()) {
                return Map.of();
            }
            Map<String, TransactionDescription> out = new HashMap<>();
            try (Admin a = Admin.create(admin)) {
                var described = a.describeTransactions(ids);
                for (String id : ids) {
                    try {
                        out.put(id, described.description(id).get());
                    } catch (ExecutionException unknown) {
                        // Not described: the connector's committer decides, as without this.
                    }
                }
            } catch (KafkaException unknown) {
                // Likewise.
            }
            return out;
        }

        @Override
        public void close() throws Exception {
            committer.close();
        }
    }
}
