package io.streamgrad.job;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits a replay's range end to its consumer group on a thread of its own, so the source's task
 * thread never waits on the broker.
 *
 * <p>The group's position is a convenience for the group's next run (the job's own position is in
 * its checkpoint), so a failed commit is logged and started again by the next request, never fatal.
 * Before, the commit ran on the task thread: on a topic deleted under the run it held that thread
 * for its whole timeout at every checkpoint, and the fetcher's one-line failure waited behind it
 * for over a minute.
 *
 * <p>Not thread-safe: {@link #request}, {@link #committed} and {@link #close} are called from the
 * task thread; the consumer is only touched by this class's own thread, made at the first request
 * (a backtest, which commits nothing, never starts one).
 */
final class RangeEndCommitter implements AutoCloseable {
    /** How long one commit may take before it counts as failed. */
    static final Duration COMMIT_TIMEOUT = Duration.ofSeconds(5);

    /**
     * How long {@link #close} may hold the task thread in all: for a commit in flight (the job's
     * last checkpoint's) and the consumer's close.
     */
    static final Duration CLOSE_WAIT = COMMIT_TIMEOUT.plusSeconds(2);

    private static final Logger LOG = LoggerFactory.getLogger(RangeEndCommitter.class);

    private final Properties properties;
    private final String name;
    private ExecutorService thread;
    private KafkaConsumer<ByteBuffer, ByteBuffer> consumer; // only on `thread`
    private Future<Boolean> inFlight;
    private boolean committed;
    private boolean closed;

    /**
     * @param properties the consumer properties of the replay's group
     * @param name names the thread ({@code streamgrad-commit-NAME}), e.g. topic and subtask
     */
    RangeEndCommitter(Properties properties, String name) {
        this.properties = properties;
        this.name = name;
    }

    /**
     * Starts committing {@code ends} unless they are committed or a commit is in flight; never
     * blocks. A request while a commit is in flight is dropped: if that commit fails, the next
     * request (the next checkpoint's) starts it again.
     *
     * @throws IllegalStateException after {@link #close}
     */
    void request(Map<TopicPartition, OffsetAndMetadata> ends) {
        if (closed) {
            throw new IllegalStateException("the range end's committer is closed");
        }
        if (committed() || (inFlight != null && !inFlight.isDone())) {
            return;
        }
        if (thread == null) {
            thread =
                    Executors.newSingleThreadExecutor(
                            r -> {
                                Thread t = new Thread(r, "streamgrad-commit-" + name);
                                t.setDaemon(true);
                                return t;
                            });
        }
        inFlight = thread.submit(() -> commit(ends));
    }

    /** Whether a commit has succeeded; never blocks. */
    boolean committed() {
        if (!committed && inFlight != null && inFlight.isDone()) {
            try {
                committed = inFlight.get();
            } catch (ExecutionException | InterruptedException e) {
                committed = false; // commit() catches everything; a cancelled one counts as failed
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
        } catch (RuntimeException e) {
            LOG.warn("could not commit the end of the range to the group; will retry", e);
            return false;
        }
    }

    /**
     * Waits for a commit in flight (so a bounded run that ends right after its last checkpoint
     * still moves its group) and closes the consumer, within {@link #CLOSE_WAIT} in all; then stops
     * the thread. Idempotent; an interrupt stops the waiting at once and is kept.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (thread == null) {
            return;
        }
        long deadline = System.nanoTime() + CLOSE_WAIT.toNanos();
        try {
            if (inFlight != null && !inFlight.isDone()) {
                try {
                    inFlight.get(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (TimeoutException | ExecutionException e) {
                    LOG.warn(
                            "the commit of the range's end did not finish before the source"
                                    + " closed",
                            e);
                }
            }
            thread.submit(
                    () -> {
                        if (consumer != null) {
                            long left = Math.max(0, deadline - System.nanoTime());
                            consumer.close(Duration.ofNanos(left));
                        }
                    });
            thread.shutdown();
            thread.awaitTermination(
                    Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            // Whatever is left (a commit or close past the deadline, an interrupt) is cut short;
            // the thread is a daemon and ends with it.
            thread.shutdownNow();
        }
    }
}
