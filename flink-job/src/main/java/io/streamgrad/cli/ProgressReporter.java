package io.streamgrad.cli;

import io.streamgrad.kafka.RawClients;
import io.streamgrad.schema.AvroDecodeException;
import io.streamgrad.schema.AvroSerde;
import io.streamgrad.schema.MetricKind;
import io.streamgrad.schema.TrainingMetric;
import java.io.PrintStream;
import java.time.Duration;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * Follows the metrics topic while a job runs and prints one progress line: iteration, events
 * trained, events/s, loss. On a terminal the line is rewritten in place; otherwise a line is
 * printed every few seconds.
 */
final class ProgressReporter implements AutoCloseable {
    private final String bootstrapServers;
    private final String topic;
    private final String runId;
    private final PrintStream out;
    private final boolean terminal = System.console() != null;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile TrainingMetric last;

    ProgressReporter(String bootstrapServers, String topic, String runId, PrintStream out) {
        this.bootstrapServers = bootstrapServers;
        this.topic = topic;
        this.runId = runId;
        this.out = out;
        this.thread = new Thread(this::follow, "streamgrad-progress");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    private void follow() {
        AvroSerde<TrainingMetric> serde = AvroSerde.of(TrainingMetric.class);
        long start = System.nanoTime();
        long lastPrint = 0;
        TrainingMetric printed = null;
        try (KafkaConsumer<byte[], byte[]> consumer = TopicReader.consumer(bootstrapServers)) {
            RawClients.fromBeginning(consumer, topic);
            while (running) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(250))) {
                    try {
                        TrainingMetric m = serde.deserialize(r.value());
                        if (!runId.equals(m.getRunId())) {
                            continue;
                        }
                        if (m.getKind() == MetricKind.EPOCH) {
                            printEpoch(m);
                        } else if (m.getKind() == MetricKind.ALERT) {
                            out.printf(
                                    "  ALERT iteration %d: %s%n", m.getIteration(), m.getDetail());
                        } else {
                            last = m;
                        }
                    } catch (AvroDecodeException e) {
                        // not a metric of ours
                    }
                }
                long now = System.nanoTime();
                long interval = terminal ? 500_000_000L : 5_000_000_000L;
                TrainingMetric current = last;
                if (current != null && current != printed && now - lastPrint > interval) {
                    print(current, (now - start) / 1e9);
                    lastPrint = now;
                    printed = current;
                }
            }
        } catch (RuntimeException e) {
            // Progress is a convenience; the job's own result decides the outcome.
        }
    }

    private void printEpoch(TrainingMetric m) {
        out.printf(
                "%s  epoch %d done after %,d updates (%,d in it) | full-pass loss %.4f%s%n",
                terminal ? "\r" : "",
                m.getEpoch(),
                m.getIteration(),
                m.getEpochIteration(),
                m.getLoss(),
                m.getAccuracy() == null
                        ? ""
                        : String.format(" | full-pass accuracy %.4f", m.getAccuracy()));
        out.flush();
    }

    private void print(TrainingMetric m, double seconds) {
        String line =
                String.format(
                        "  %siteration %,d | %,d examples | %,.0f examples/s | loss %.4f"
                                + " (smoothed %.4f)%s",
                        m.getEpoch() > 0 ? "epoch " + m.getEpoch() + " | " : "",
                        m.getIteration(),
                        m.getExamplesSeen(),
                        m.getExamplesSeen() / Math.max(seconds, 1e-3),
                        m.getLoss(),
                        m.getSmoothedLoss(),
                        m.getAccuracy() == null
                                ? ""
                                : String.format(" | batch accuracy %.3f", m.getAccuracy()));
        if (terminal) {
            out.print("\r" + line + "   ");
        } else {
            out.println(line);
        }
        out.flush();
    }

    @Override
    public void close() {
        running = false;
        try {
            thread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (terminal && last != null) {
            out.println();
        }
    }
}
