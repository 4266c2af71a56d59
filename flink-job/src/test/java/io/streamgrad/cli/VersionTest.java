package io.streamgrad.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class VersionTest {
    @Test
    void everyCommandPrintsTheVersionOfTheRoot() {
        String root = CommandLines.run(0, "--version").strip();
        assertEquals("streamgrad 0.1.0", root);
        for (String command : new String[] {"train", "demo", "backtest", "snapshots", "join"}) {
            assertEquals(root, CommandLines.run(0, command, "--version").strip(), command);
            assertEquals(root, CommandLines.run(0, command, "-V").strip(), command);
        }
    }
}
