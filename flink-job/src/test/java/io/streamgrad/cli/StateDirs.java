package io.streamgrad.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * State directories for tests: each run of {@code train} in a test starts from nothing.
 *
 * <p>All of one test JVM's directories live under one temporary parent that a shutdown hook
 * deletes, so a build does not leave a directory per test run in {@code java.io.tmpdir} (a CI
 * machine that runs the suite every day would otherwise collect thousands).
 */
final class StateDirs {
    private static final Path PARENT = createParent();

    private StateDirs() {}

    static String fresh() {
        try {
            return Files.createTempDirectory(PARENT, "state-").toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path createParent() {
        try {
            Path parent = Files.createTempDirectory("streamgrad-it-state-");
            Runtime.getRuntime()
                    .addShutdownHook(new Thread(() -> deleteTree(parent), "delete-test-state"));
            return parent;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // Best effort at exit: a file still held open stays behind in the temp directory.
        }
    }
}
