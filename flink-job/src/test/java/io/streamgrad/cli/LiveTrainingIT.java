package io.streamgrad.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamgrad.kafka.EmbeddedKafkaBroker;
import io.streamgrad.producers.SyntheticConfig;
import io.streamgrad.producers.SyntheticProducer;
import io.streamgrad.run.TopicReader;
import io.streamgrad.schema.DeadLetter;
import io.streamgrad.schema.MetricKind;
import io.streamgrad.schema.ModelSnapshot;
import io.streamgrad.schema.Task;
import io.streamgrad.schema.TrainingMetric;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A live (unbounded) job: fewer events than a batch in an event-time window that never closes are
 * trained only because the stream goes quiet; the job keeps running, trains the next burst of the
 * same window the same way, and stops when its thread is interrupted.
 */
class LiveTrainingIT {
    private static final String TOPIC = "live.events";
    private static final long DEADLINE_MS = 120_000;

    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafkaBroker.start();
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @Test
    void aQuietStreamTrainsWhatHasArrivedAndTheJobKeepsRunning() throws Exception {
        // 100 events 10 ms apart: the first second of a 10 s event-time window. The watermark
        // never passes its end, so only the idle timeout can train them.
        SyntheticConfig first =
                new SyntheticConfig(TOPIC, "live", Task.BINARY, 10, 2, 0.5, 100, 0, 1, 3, 0, false);
        new SyntheticProducer(broker.bootstrapServers(), first).run(n -> {});

        AtomicInteger exit = new AtomicInteger(-1);
        Thread job =
                new Thread(
                        () ->
                                exit.set(
                                        Streamgrad.execute(
                                                new String[] {
                                                    "train",
                                                    "--state-dir",
                                                    StateDirs.fresh(),
                                                    "--bootstrap-servers",
                                                    broker.bootstrapServers(),
                                                    "--events-topic",
                                                    TOPIC,
                                                    "--metrics-topic",
                                                    "live.metrics",
                                                    "--snapshots-topic",
                                                    "live.snapshots",
                                                    "--dead-letter-topic",
                                                    "live.dead",
                                                    "--features",
                                                    "10",
                                                    "--batch-size",
                                                    "64",
                                                    "--window",
                                                    "event-time:10s",
                                                    "--idle-timeout",
                                                    "2s"
                                                },
                                                System.err)),
                        "live-train");
        job.start();
        try {
            List<TrainingMetric> steps = awaitExamples(100);
            // The rest of a batch in decreasing powers of two: 100 = 64 + 32 + 4.
            assertEquals(
                    List.of(64, 32, 4), steps.stream().map(TrainingMetric::getBatchSize).toList());
            assertEquals(
                    List.of(1L, 2L, 3L), steps.stream().map(TrainingMetric::getIteration).toList());
            assertEquals(3, awaitSnapshot(100).getVersion(), "published after the flush");
            assertTrue(job.isAlive(), "a live job keeps running after an idle flush");

            // The next second of the same window: on time (no watermark passed it), trained at
            // the next quiet spell.
            new SyntheticProducer(broker.bootstrapServers(), first.withRange(100, 100))
                    .run(n -> {});
            List<TrainingMetric> all = awaitExamples(200);
            assertEquals(6, all.size(), "64+32+4 twice: " + all);
            assertEquals(6, awaitSnapshot(200).getVersion());
            assertTrue(
                    TopicReader.readAll(
                                    broker.bootstrapServers(),
                                    "live.dead",
                                    DeadLetter.class,
                                    d -> true)
                            .isEmpty(),
                    "nothing late, nothing dead-lettered");
        } finally {
            job.interrupt();
            job.join(60_000);
        }
        assertFalse(job.isAlive(), "interrupting the command cancels the live job");
        assertEquals(0, exit.get());
    }

    /** Waits until the iteration metrics add up to {@code examples}; returns them in order. */
    private static List<TrainingMetric> awaitExamples(long examples) throws InterruptedException {
        long deadline = System.currentTimeMillis() + DEADLINE_MS;
        List<TrainingMetric> steps = List.of();
        while (System.currentTimeMillis() < deadline) {
            steps =
                    TopicReader.readAll(
                                    broker.bootstrapServers(),
                                    "live.metrics",
                                    TrainingMetric.class,
                                    m -> m.getKind() == MetricKind.ITERATION)
                            .stream()
                            .sorted(
                                    java.util.Comparator.comparingLong(
                                            TrainingMetric::getIteration))
                            .toList();
            long seen = steps.stream().mapToLong(TrainingMetric::getBatchSize).sum();
            if (seen >= examples) {
                assertEquals(examples, seen, "no more than what arrived: " + steps);
                return steps;
            }
            Thread.sleep(500);
        }
        throw new AssertionError(
                "trained " + steps.size() + " batches, not " + examples + " examples");
    }

    /** Waits for a snapshot of a model that has seen {@code examples}. */
    private static ModelSnapshot awaitSnapshot(long examples) throws InterruptedException {
        long deadline = System.currentTimeMillis() + DEADLINE_MS;
        while (System.currentTimeMillis() < deadline) {
            List<ModelSnapshot> s =
                    TopicReader.readAll(
                            broker.bootstrapServers(),
                            "live.snapshots",
                            ModelSnapshot.class,
                            x -> x.getExamplesSeen() == examples);
            if (!s.isEmpty()) {
                return s.get(0);
            }
            Thread.sleep(500);
        }
        throw new AssertionError("no snapshot after " + examples + " examples");
    }
}
