package io.streamgrad.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamgrad.kafka.EmbeddedKafkaBroker;
import io.streamgrad.producers.SyntheticConfig;
import io.streamgrad.producers.SyntheticProducer;
import io.streamgrad.run.StateDirectory;
import io.streamgrad.schema.Task;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code train} says when the topic a bounded replay reads is deleted under it: one line, the
 * reason and what to do, exit 1, soon after, with no stack trace and no exception's class name.
 */
class ReplayStopsIT {
    private static final String TOPIC = "stops.events";
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
    void aTopicDeletedUnderAReplayStopsTheCommandInOneLine(@TempDir Path dir) throws Exception {
        new SyntheticProducer(
                        broker.bootstrapServers(),
                        new SyntheticConfig(
                                TOPIC, "s", Task.BINARY, 4, 2, 0.5, 100_000, 0, 2, 3, 0, false))
                .run(n -> {});
        Path state = dir.resolve("state");
        String[] args = {
            "train",
            "--bootstrap-servers",
            broker.bootstrapServers(),
            "--events-topic",
            TOPIC,
            "--features",
            "4",
            "--bounded",
            // Far more epochs than the test waits for: the run is still reading when the topic
            // goes.
            "--epochs",
            "1000",
            "--no-full-pass-loss",
            "--checkpoint-interval-ms",
            "200",
            "--group-id",
            "stops",
            "--state-dir",
            state.toString()
        };
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CompletableFuture<Integer> run =
                CompletableFuture.supplyAsync(
                        () ->
                                Streamgrad.execute(
                                        args, new PrintStream(err, true, StandardCharsets.UTF_8)));
        long deadline = System.currentTimeMillis() + 120_000;
        while (StateDirectory.at(state).latestCheckpoint().isEmpty()) {
            assertFalse(run.isDone(), "the run ended before its first checkpoint: " + err);
            assertTrue(System.currentTimeMillis() < deadline, "no checkpoint in 120 s");
            Thread.sleep(50);
        }
        broker.deleteTopic(TOPIC);
        long deletedAt = System.currentTimeMillis();
        // Generous: on a loaded machine the broker may not answer the topic check in time, and
        // then the consumer's own waits (60 s) and a restart come first; the message is the same.
        int rc = run.get(240, TimeUnit.SECONDS);
        long took = System.currentTimeMillis() - deletedAt;

        String said = err.toString(StandardCharsets.UTF_8);
        assertEquals(1, rc, said);
        List<String> lines = said.lines().filter(l -> !l.isBlank()).toList();
        assertEquals(
                List.of(
                        "streamgrad: topic "
                                + TOPIC
                                + " was deleted while this run read it: the run stops (a restart"
                                + " would find nothing to read). Train on the topic afresh with"
                                + " --start-over once it holds events again"),
                lines,
                said);
        // Well before the two minutes a stalled read waits for a broker, times three restarts (it
        // took 8–20 s on a quiet machine; 74 s once while the range end's commit still ran on the
        // task thread and held the failure behind it; 64 s once in CI, when the topic went as a
        // pass started and the range's offsets were asked in one request, which waits out the
        // consumer's whole timeout before a restart: now asked in short tries, see
        // ReplaySourceIT).
        assertTrue(took < 60_000, "stopped " + took + " ms after the topic was deleted");
    }
}
