package io.streamgrad.run;

import io.streamgrad.kafka.KafkaClientConfig;
import io.streamgrad.kafka.RawClients;
import io.streamgrad.schema.AvroDecodeException;
import io.streamgrad.schema.AvroSerde;
import io.streamgrad.schema.TrainingMetric;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Follows a run's metrics on the metrics topic while its job runs, in a daemon thread, handing each
 * of the run's metrics to a callback (a progress line, for example). It reads from the topic's end
 * as of its construction, so create it before the job is submitted: the metrics of earlier runs (on
 * a shared topic, any number of them) are neither read nor decoded while this run trains. Best
 * effort: the job's own result decides a run's outcome, not this reader.
 */
public final class MetricsFollower implements AutoCloseable {
    private final Thread thread;
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
            while (running) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(250))) {
                    try {
                        TrainingMetric m = serde.deserialize(r.value());
                        if (runId.equals(m.getRunId())) {
                            onMetric.accept(m);
                        }
                    } catch (AvroDecodeException e) {
                        // not a metric of ours
                    }
                }
                onPoll.run();
            }
        } catch (RuntimeException e) {
            // Progress is a convenience; the job's own result decides the outcome.
        }
    }

    @Override
    public void close() {
        running = false;
        try {
            thread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
