package io.streamgrad.job;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import org.apache.flink.connector.kafka.sink.KafkaCommittable;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionState;
import org.junit.jupiter.api.Test;

/**
 * Which recovered transactions the committer leaves alone: only those the broker shows committed by
 * the producer that wrote them. A real loss (aborted by the broker's timeout), another producer's
 * transaction under the id, or one the broker cannot describe still go to the connector, which logs
 * them. {@code StopOnSignalIT} checks the whole path against a broker.
 */
class RecoveryAwareKafkaSinkTest {
    private static final String ID = "streamgrad-g-metrics-0-18";
    private static final KafkaCommittable RECOVERED = new KafkaCommittable(7, (short) 3, ID, null);

    private static Map<String, TransactionDescription> broker(
            TransactionState state, long producerId, int epoch) {
        return Map.of(
                ID,
                new TransactionDescription(
                        1, state, producerId, epoch, 60_000, OptionalLong.empty(), Set.of()));
    }

    private static boolean skipped(Map<String, TransactionDescription> known) {
        return RecoveryAwareKafkaSink.SkippingCommitted.committedBefore(RECOVERED, known);
    }

    @Test
    void onlyATransactionTheBrokerShowsCommittedByItsOwnProducerIsNotCommittedAgain() {
        // Transaction version 2 raised the epoch at the commit; version 1 did not.
        assertTrue(skipped(broker(TransactionState.COMPLETE_COMMIT, 7, 4)));
        assertTrue(skipped(broker(TransactionState.COMPLETE_COMMIT, 7, 3)));
        assertTrue(skipped(broker(TransactionState.PREPARE_COMMIT, 7, 4)));
        // Lost: aborted (the broker's timeout), still open, or not known to the broker.
        assertFalse(skipped(broker(TransactionState.COMPLETE_ABORT, 7, 4)));
        assertFalse(skipped(broker(TransactionState.PREPARE_ABORT, 7, 4)));
        assertFalse(skipped(broker(TransactionState.ONGOING, 7, 3)));
        assertFalse(skipped(broker(TransactionState.EMPTY, 7, 4)));
        assertFalse(skipped(Map.of()));
        // The id's last transaction was another producer's, or an older epoch's.
        assertFalse(skipped(broker(TransactionState.COMPLETE_COMMIT, 8, 0)));
        assertFalse(skipped(broker(TransactionState.COMPLETE_COMMIT, 7, 2)));
        assertFalse(skipped(broker(TransactionState.COMPLETE_COMMIT, 7, 5)));
    }
}
