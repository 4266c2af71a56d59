package io.streamgrad.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamgrad.config.InvalidSettingException;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunLockTest {
    /**
     * Holds the locks of args[0] (state dir) and args[1] (group) until its input closes, saying
     * "held"; or says "refused" when another process holds them.
     */
    public static void main(String[] args) throws Exception {
        try (RunLock lock = RunLock.acquire(Path.of(args[0]), args[1], "held-run")) {
            System.out.println("held");
            System.out.flush();
            System.in.read();
        } catch (InvalidSettingException e) {
            System.out.println("refused");
        }
    }

    private static Process child(Path dir, String group) throws Exception {
        return new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        RunLockTest.class.getName(),
                        dir.toString(),
                        group)
                .redirectErrorStream(true)
                .start();
    }

    private static String firstLine(Process p) throws Exception {
        return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))
                .readLine();
    }

    private static String group() {
        return "lock-test-" + UUID.randomUUID();
    }

    @Test
    void aSecondRunOfOneStateDirectoryOrGroupIsRefusedUntilTheFirstEnds(@TempDir Path dir)
            throws Exception {
        String group = group();
        try {
            try (RunLock first = RunLock.acquire(dir.resolve("a"), group, "run-1")) {
                InvalidSettingException sameDir =
                        assertThrows(
                                InvalidSettingException.class,
                                () -> RunLock.acquire(dir.resolve("a"), group(), "run-2"));
                assertTrue(
                        sameDir.getMessage()
                                .contains(
                                        "another train (pid "
                                                + ProcessHandle.current().pid()
                                                + ", run run-1, started "),
                        sameDir.getMessage());
                assertTrue(
                        sameDir.getMessage().contains("is running on the state directory " + dir),
                        sameDir.getMessage());
                InvalidSettingException sameGroup =
                        assertThrows(
                                InvalidSettingException.class,
                                () -> RunLock.acquire(dir.resolve("b"), group, "run-2"));
                assertTrue(
                        sameGroup.getMessage().contains("is running on group " + group),
                        sameGroup.getMessage());
                // Refused in this JVM, the first run still holds its lock against others.
                Process other = child(dir.resolve("a"), group());
                try {
                    assertEquals("refused", firstLine(other));
                } finally {
                    other.destroyForcibly();
                }
                // So does its group lock, after the in-JVM refusal at the group.
                Process groupMate = child(dir.resolve("c"), group);
                try {
                    assertEquals("refused", firstLine(groupMate));
                } finally {
                    groupMate.destroyForcibly();
                }
                // The same directory through a symbolic link is the same lock, and refusing it
                // does not let go of the first run's.
                Path link = Files.createSymbolicLink(dir.resolve("link"), dir.resolve("a"));
                assertThrows(
                        InvalidSettingException.class,
                        () -> RunLock.acquire(link, group(), "run-5"));
                Process viaLink = child(dir.resolve("a"), group());
                try {
                    assertEquals("refused", firstLine(viaLink));
                } finally {
                    viaLink.destroyForcibly();
                }
                // Refused at the group, it holds nothing of its own state directory either.
                String another = group();
                RunLock.acquire(dir.resolve("b"), another, "run-3").close();
                Files.deleteIfExists(RunLock.groupLock(another));
                // Starting over clears all but the lock the run holds.
                Files.writeString(dir.resolve("a").resolve("run.json"), "{}");
                StateDirectory.at(dir.resolve("a")).clear();
                assertEquals(
                        java.util.List.of(dir.resolve("a").resolve(RunLock.FILE)),
                        Files.list(dir.resolve("a")).toList());
            }
            RunLock.acquire(dir.resolve("a"), group, "run-4").close();
        } finally {
            Files.deleteIfExists(RunLock.groupLock(group));
        }
    }

    @Test
    void aLockHeldByAnotherProcessIsRefusedAndItsEndLetsGo(@TempDir Path dir) throws Exception {
        String group = group();
        Process holder = child(dir, group);
        try {
            assertEquals("held", firstLine(holder));
            InvalidSettingException e =
                    assertThrows(
                            InvalidSettingException.class,
                            () -> RunLock.acquire(dir, group, "run-2"));
            assertTrue(
                    e.getMessage()
                            .contains("another train (pid " + holder.pid() + ", run held-run"),
                    e.getMessage());
            // As kill -9 would: the operating system lets go of its locks.
            holder.destroyForcibly();
            assertTrue(holder.waitFor(30, TimeUnit.SECONDS));
            RunLock.acquire(dir, group, "run-3").close();
        } finally {
            holder.destroyForcibly();
            Files.deleteIfExists(RunLock.groupLock(group));
        }
    }
}
