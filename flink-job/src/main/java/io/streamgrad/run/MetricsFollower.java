package io.streamgrad.run;

import io.streamgrad.kafka.KafkaClientConfig;
import io.streamgrad.kafka.RawClients;
import io.streamgrad.schema.AvroDecodeException;
import io.streamgrad.schema.AvroSerde;
import io.streamgrad.schema.TrainingMetric;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

/**
 * Follows a run's metrics on the metrics topic while its job runs, in a daemon thread, handing each
 * of the run's metrics to a callback (a progress line, for example). It reads from the topic's end
 * as of its construction, so create it before the job is submitted: the metrics of earlier runs (on
 * a shared topic, any number of them) are neither read nor decoded while this run trains. Best
 * effort: the job's own result decides a run's outcome, not this reader.
 *
 * <p>{@link #close} interrupts the poll in progress and reads on to the topic's end as it is then,
 * so the run's last metrics (an epoch's end, which becomes visible with the job's final commit)
 * still reach the callback, without waiting out a poll.
 */
public final class MetricsFollower implements AutoCloseable {
    /** How long a close may read on to the topic's end (ms). */
    static final long DRAIN_MS = 2_000;

    private final Thread thread;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private volatile boolean running = true;

    /**
     * Looks up the topic's end offsets before returning (a round trip to the cluster), then follows
     * from them.
     *
     * @param onMetric called in the follower's thread, in topic order, with each metric of the run
     * @param onPoll called after each poll (about every 250 ms), e.g. to refresh a display
     */
    public MetricsFollower(
            KafkaClientConfig kafka,
            String topic,
            String runId,
            Consumer<TrainingMetric> onMetric,
            Runnable onPoll) {
        KafkaConsumer<byte[], byte[]> consumer = null;
        try {
            consumer = TopicReader.consumer(kafka);
            List<TopicPartition> partitions = RawClients.fromBeginning(consumer, kafka, topic);
            consumer.endOffsets(partitions).forEach(consumer::seek);
        } catch (RuntimeException e) {
            // Progress is a convenience: without it the run goes on, silently.
            if (consumer != null) {
                consumer.close(); // a reader's close does not wait (RawClients)
            }
            consumer = null;
        }
        KafkaConsumer<byte[], byte[]> from = consumer;
        this.consumer = consumer;
        this.thread =
                new Thread(
                        () -> {
                            if (from != null) {
                                follow(from, runId, onMetric, onPoll);
                            }
                        },
                        "streamgrad-metrics-follower");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    private void follow(
            KafkaConsumer<byte[], byte[]> consumer,
            String runId,
            Consumer<TrainingMetric> onMetric,
            Runnable onPoll) {
        AvroSerde<TrainingMetric> serde = AvroSerde.of(TrainingMetric.class);
        try (consumer) {
            try {
                while (running) {
                    deliver(consumer.poll(Duration.ofMillis(250)), serde, runId, onMetric);
                    onPoll.run();
                }
            } catch (WakeupException e) {
                // close(): read on to the end below
            }
            drain(consumer, serde, runId, onMetric);
            onPoll.run();
        } catch (RuntimeException e) {
            // Progress is a convenience; the job's own result decides the outcome.
        }
    }

    /** Reads to the topic's end offsets as they are now, for at most {@link #DRAIN_MS}. */
    private static void drain(
            KafkaConsumer<byte[], byte[]> consumer,
            AvroSerde<TrainingMetric> serde,
            String runId,
            Consumer<TrainingMetric> onMetric) {
        long deadline = System.currentTimeMillis() + DRAIN_MS;
        Map<TopicPartition, Long> end = null;
        while (System.currentTimeMillis() < deadline) {
            try {
                if (end == null) {
                    end = consumer.endOffsets(consumer.assignment(), Duration.ofMillis(DRAIN_MS));
                }
                if (TopicReader.reached(consumer, end)) {
                    return;
                }
                deliver(consumer.poll(Duration.ofMillis(50)), serde, runId, onMetric);
            } catch (WakeupException e) {
                // close()'s wakeup, when it came after the follow loop had already stopped
            }
        }
    }

    private static void deliver(
            ConsumerRecords<byte[], byte[]> records,
            AvroSerde<TrainingMetric> serde,
            String runId,
            Consumer<TrainingMetric> onMetric) {
        for (ConsumerRecord<byte[], byte[]> r : records) {
            try {
                TrainingMetric m = serde.deserialize(r.value());
                if (runId.equals(m.getRunId())) {
                    onMetric.accept(m);
                }
            } catch (AvroDecodeException e) {
                // not a metric of ours
            }
        }
    }

    /**
     * Stops following once the topic is read to its end as it is now (at most {@link #DRAIN_MS}):
     * the poll in progress is woken, not waited out.
     */
    @Override
    public void close() {
        running = false;
        if (consumer != null) {
            consumer.wakeup(); // the one consumer method safe from another thread
        }
        try {
            thread.join(DRAIN_MS + 1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
