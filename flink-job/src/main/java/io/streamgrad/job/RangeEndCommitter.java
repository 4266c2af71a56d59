package io.streamgrad.job;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits a replay's range end to its consumer group on a thread of its own, so the source's task
 * thread never waits on the broker.
 *
 * <p>The group's position is a convenience for the group's next run (the job's own position is in
 * its checkpoint), so a failed commit is logged and retried at the next request, never fatal.
 * Before, the commit ran on the task thread: on a topic deleted under the run it held that thread
 * for its whole timeout at every checkpoint, and the fetcher's one-line failure waited behind it
 * for over a minute.
 *
 * <p>Not thread-safe: {@link #request}, {@link #committed} and {@link #close} are called from the
 * task thread; the consumer is only touched by this class's own thread.
 */
final class RangeEndCommitter implements AutoCloseable {
    /** How long one commit may take before it counts as failed. */
    static final Duration COMMIT_TIMEOUT = Duration.ofSeconds(5);

    /** How long {@link #close} waits for a commit in flight (the job's last checkpoint's). */
    static final Duration CLOSE_WAIT = COMMIT_TIMEOUT.plusSeconds(2);

    private static final Logger LOG = LoggerFactory.getLogger(RangeEndCommitter.class);

    private final Properties properties;
    private final ExecutorService thread;
    private KafkaConsumer<byte[], byte[]> consumer; // only on `thread`
    private Future<Boolean> inFlight;
    private boolean committed;

    /**
     * @param properties the consumer properties of the replay's group
     */
    RangeEndCommitter(Properties properties, String name) {
        this.properties = properties;
        this.thread =
                Executors.newSingleThreadExecutor(
                        r -> {
                            Thread t = new Thread(r, "streamgrad-commit-" + name);
                            t.setDaemon(true);
                            return t;
                        });
    }

    /**
     * Starts committing {@code ends} unless it is already committed or a commit is in flight (a
     * commit that fails is started again by the next call).
     */
    void request(Map<TopicPartition, OffsetAndMetadata> ends) {
        if (committed()) {
            return;
        }
        if (inFlight != null && !inFlight.isDone()) {
            return;
        }
        inFlight = thread.submit(() -> commit(ends));
    }

    /** Whether a commit has succeeded; never blocks. */
    boolean committed() {
        if (!committed && inFlight != null && inFlight.isDone()) {
            try {
                committed = inFlight.get();
            } catch (Exception e) {
                committed = false;
            }
            if (!committed) {
                inFlight = null;
            }
        }
        return committed;
    }

    private boolean commit(Map<TopicPartition, OffsetAndMetadata> ends) {
        try {
            if (consumer == null) {
                consumer = new KafkaConsumer<>(properties);
            }
            consumer.commitSync(ends, COMMIT_TIMEOUT);
            return true;
        } catch (KafkaException e) {
            LOG.warn("could not commit the end of the range to the group; will retry", e);
            return false;
        }
    }

    /**
     * Waits at most {@link #CLOSE_WAIT} for a commit in flight (so a bounded run that ends right
     * after its last checkpoint still moves its group), then closes the consumer.
     */
    @Override
    public void close() throws InterruptedException {
        if (inFlight != null && !inFlight.isDone()) {
            try {
                inFlight.get(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
                LOG.warn("the commit of the range's end did not finish before the source closed");
            }
        }
        thread.submit(
                () -> {
                    if (consumer != null) {
                        consumer.close(Duration.ofSeconds(5));
                    }
                });
        thread.shutdown();
        thread.awaitTermination(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }
}
