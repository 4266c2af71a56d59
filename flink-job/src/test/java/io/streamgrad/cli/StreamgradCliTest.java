package io.streamgrad.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Bad input stops a command with one line that says what to do, and no stack trace. */
class StreamgradCliTest {

    private record Run(int exit, String err) {}

    private static Run run(String... args) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int exit = Streamgrad.execute(args, new PrintStream(buf, true, StandardCharsets.UTF_8));
        return new Run(exit, buf.toString(StandardCharsets.UTF_8));
    }

    private static void assertOneLineUsageError(Run r, String expected) {
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains(expected), r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace without --verbose: " + r.err());
    }

    @Test
    void unknownFlag() {
        assertOneLineUsageError(run("demo", "--bogus"), "Unknown option: '--bogus'");
    }

    @Test
    void batchSizeNotAPowerOfTwo() {
        assertOneLineUsageError(run("demo", "--batch-size", "100"), "the nearest are 64 and 128");
        assertOneLineUsageError(run("demo", "--batch-size", "0"), "power of two");
        assertOneLineUsageError(run("demo", "--batch-size", "1048576"), "65536");
        assertOneLineUsageError(run("demo", "--batch-size", "abc"), "--batch-size");
    }

    @Test
    void badModelSettings() {
        assertOneLineUsageError(run("demo", "--model", "forest"), "unknown --model 'forest'");
        assertOneLineUsageError(run("demo", "--model", "mlp:0"), "at least 1");
        assertOneLineUsageError(run("demo", "--features", "0"), "--features must be at least 1");
        assertOneLineUsageError(run("demo", "--optimizer", "lbfgs"), "use sgd or adam");
        assertOneLineUsageError(run("demo", "--learning-rate", "-1"), "--learning-rate");
    }

    @Test
    void missingRequiredFlag() {
        assertOneLineUsageError(run("train"), "--bootstrap-servers");
    }

    @Test
    void unreachableKafka() {
        Run r = run("train", "--bootstrap-servers", "localhost:1", "--kafka-timeout-ms", "1500");
        assertEquals(1, r.exit(), r.err());
        assertTrue(r.err().contains("cannot reach Kafka at localhost:1"), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
        Run produce =
                run("produce", "synthetic", "--bootstrap-servers", "localhost:1", "--events", "1");
        assertEquals(1, produce.exit(), produce.err());
        assertTrue(produce.err().contains("cannot reach Kafka"), produce.err());
    }

    @Test
    void verboseShowsTheStackTrace() {
        Run r =
                run(
                        "train",
                        "--verbose",
                        "--bootstrap-servers",
                        "localhost:1",
                        "--kafka-timeout-ms",
                        "1000");
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("\tat "), r.err());
    }
}
