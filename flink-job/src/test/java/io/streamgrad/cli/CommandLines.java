package io.streamgrad.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs the CLI in-process for tests, capturing what it prints. */
final class CommandLines {
    private CommandLines() {}

    /**
     * Runs a command line and checks its exit code.
     *
     * @return its standard output, or its error output (trimmed) when {@code exit} is not 0
     */
    static String run(int exit, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream saved = System.out;
        int code;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            code = Streamgrad.execute(args, new PrintStream(err, true, StandardCharsets.UTF_8));
        } finally {
            System.setOut(saved);
        }
        String e = err.toString(StandardCharsets.UTF_8).trim();
        assertEquals(exit, code, String.join(" ", args) + " -> " + e);
        return exit == 0 ? out.toString(StandardCharsets.UTF_8) : e;
    }
}
