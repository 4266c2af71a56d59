package io.streamgrad.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.IntSupplier;

/** Runs a command in this JVM with its standard output captured (commands print their report). */
final class CliRun {
    private CliRun() {}

    /** Runs {@code command} with {@code System.out} going to {@code out}; returns its exit code. */
    static synchronized int capturingStdout(ByteArrayOutputStream out, IntSupplier command) {
        PrintStream saved = System.out;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            return command.getAsInt();
        } finally {
            System.setOut(saved);
        }
    }
}
