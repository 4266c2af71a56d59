package io.streamgrad.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;

/** State directories for tests: each run of {@code train} in a test starts from nothing. */
final class StateDirs {
    private StateDirs() {}

    static String fresh() {
        try {
            return Files.createTempDirectory("streamgrad-it-state-").toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
