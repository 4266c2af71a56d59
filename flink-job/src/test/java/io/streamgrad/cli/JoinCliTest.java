package io.streamgrad.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Bad flags of join, produce delayed and the drift options: one line, exit 2, before Kafka. */
class JoinCliTest {
    private static final String KAFKA = "localhost:1"; // never contacted: flags fail first

    private static void assertUsageError(String expected, String... args) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int exit = Streamgrad.execute(args, new PrintStream(buf, true, StandardCharsets.UTF_8));
        String err = buf.toString(StandardCharsets.UTF_8);
        assertEquals(2, exit, err);
        assertTrue(err.contains(expected), err);
        assertFalse(err.contains("\tat "), err);
    }

    @Test
    void joinFlags() {
        assertUsageError("--window", "join", "--bootstrap-servers", KAFKA);
        assertUsageError(
                "--missing-label 'maybe' is not known: use negative or drop",
                "join",
                "--bootstrap-servers",
                KAFKA,
                "--window",
                "5s",
                "--missing-label",
                "maybe");
        assertUsageError(
                "--window 5 has no unit", "join", "--bootstrap-servers", KAFKA, "--window", "5");
        assertUsageError(
                "is longer than the changelog retention PT2H",
                "join",
                "--bootstrap-servers",
                KAFKA,
                "--window",
                "1h",
                "--changelog-retention",
                "2h");
        assertUsageError(
                "use --missing-label drop",
                "join",
                "--bootstrap-servers",
                KAFKA,
                "--window",
                "1s",
                "--task",
                "regression");
    }

    @Test
    void produceDelayedAndDriftFlags() {
        assertUsageError(
                "--label-rate must be in [0, 1], got 2.0",
                "produce",
                "delayed",
                "--bootstrap-servers",
                KAFKA,
                "--label-rate",
                "2");
        assertUsageError(
                "--delay-distribution 'normal' is not known",
                "produce",
                "delayed",
                "--bootstrap-servers",
                KAFKA,
                "--delay-distribution",
                "normal");
        assertUsageError(
                "--drift-span needs --drift-at",
                "produce",
                "synthetic",
                "--bootstrap-servers",
                KAFKA,
                "--drift-span",
                "100");
        assertUsageError(
                "--class-weights has 3 weights for 2 classes",
                "produce",
                "synthetic",
                "--bootstrap-servers",
                KAFKA,
                "--class-weights",
                "1,2,3");
    }

    @Test
    void driftDetectorFlag() {
        assertUsageError(
                "--drift-detector 'cusum' is not known",
                "train",
                "--bootstrap-servers",
                KAFKA,
                "--state-dir",
                StateDirs.fresh(),
                "--features",
                "4",
                "--drift-detector",
                "cusum");
    }

    @Test
    void theDefaultStateDirectoryIsPerUserNotShared() {
        java.nio.file.Path home = java.nio.file.Path.of(System.getProperty("user.home"));
        assertEquals(home.resolve(".streamgrad/join"), JoinCommand.defaultStateDir());
        assertFalse(
                JoinCommand.defaultStateDir()
                        .startsWith(java.nio.file.Path.of(System.getProperty("java.io.tmpdir"))));
    }
}
