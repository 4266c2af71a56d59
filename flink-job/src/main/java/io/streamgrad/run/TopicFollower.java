package io.streamgrad.run;

import io.streamgrad.kafka.KafkaClientConfig;
import io.streamgrad.kafka.RawClients;
import io.streamgrad.schema.AvroDecodeException;
import io.streamgrad.schema.AvroSerde;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

/**
 * Follows a run's output topic while its job runs, in a daemon thread, handing each record of the
 * run to a callback (its metrics to a progress line, its dead letters to a count). It reads
 * committed records from the topic's end as of its construction, so create it before the job is
 * submitted: the records of earlier runs (on a shared topic, any number of them) are neither read
 * nor decoded while this run trains. Best effort: the job's own result decides a run's outcome, not
 * this reader.
 *
 * <p>{@link #close} interrupts the poll in progress and reads on to the topic's end as it is then,
 * so the run's last records (an epoch's end, which becomes visible with the job's final commit)
 * still reach the callback, without waiting out a poll.
 *
 * @param <T> the topic's record type
 */
public final class TopicFollower<T extends SpecificRecord> implements AutoCloseable {
    /** How long a close may read on to the topic's end (ms). */
    static final long DRAIN_MS = 2_000;

    private final Thread thread;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private volatile boolean running = true;

    /**
     * Looks up the topic's end offsets before returning (a round trip to the cluster), then follows
     * from them.
     *
     * @param type the records' type; records of other types on the topic are skipped
     * @param ofRun which records are the run's (the others are skipped)
     * @param onRecord called in the follower's thread, in topic order, with each record of the run
     * @param onPoll called after each poll (about every 250 ms), e.g. to refresh a display
     */
    public TopicFollower(
            KafkaClientConfig kafka,
            String topic,
            Class<T> type,
            Predicate<T> ofRun,
            Consumer<T> onRecord,
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
                                follow(from, AvroSerde.of(type), ofRun, onRecord, onPoll);
                            }
                        },
                        "streamgrad-follower-" + topic);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    private void follow(
            KafkaConsumer<byte[], byte[]> consumer,
            AvroSerde<T> serde,
            Predicate<T> ofRun,
            Consumer<T> onRecord,
            Runnable onPoll) {
        try (consumer) {
            try {
                while (running) {
                    deliver(consumer.poll(Duration.ofMillis(250)), serde, ofRun, onRecord);
                    onPoll.run();
                }
            } catch (WakeupException e) {
                // close(): read on to the end below
            }
            drain(consumer, serde, ofRun, onRecord);
            onPoll.run();
        } catch (RuntimeException e) {
            // Progress is a convenience; the job's own result decides the outcome.
        }
    }

    /** Reads to the topic's end offsets as they are now, for at most {@link #DRAIN_MS}. */
    private static <T extends SpecificRecord> void drain(
            KafkaConsumer<byte[], byte[]> consumer,
            AvroSerde<T> serde,
            Predicate<T> ofRun,
            Consumer<T> onRecord) {
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
                deliver(consumer.poll(Duration.ofMillis(50)), serde, ofRun, onRecord);
            } catch (WakeupException e) {
                // close()'s wakeup, when it came after the follow loop had already stopped
            }
        }
    }

    private static <T extends SpecificRecord> void deliver(
            ConsumerRecords<byte[], byte[]> records,
            AvroSerde<T> serde,
            Predicate<T> ofRun,
            Consumer<T> onRecord) {
        for (ConsumerRecord<byte[], byte[]> r : records) {
            T value;
            try {
                value = serde.deserialize(r.value());
            } catch (AvroDecodeException e) {
                continue; // not a record of ours
            }
            if (ofRun.test(value)) {
                onRecord.accept(value);
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
