package io.streamgrad.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The job jar's entry point refuses wrong flags before it builds anything. */
class ClusterJobTest {
    @Test
    void refusesANegativeRestartCount() {
        assertEquals(
                2,
                ClusterJob.run(
                        new String[] {
                            "--bootstrap-servers", "localhost:1", "--restart-attempts", "-1"
                        }));
    }

    @Test
    void refusesARestartCountThatIsNotANumber() {
        assertEquals(
                2,
                ClusterJob.run(
                        new String[] {
                            "--bootstrap-servers", "localhost:1", "--restart-attempts", "many"
                        }));
    }

    @Test
    void aJobFilesValueIsRefusedNamingItsFileAndLine(@TempDir Path dir) throws Exception {
        Path job = dir.resolve("job.yaml");
        Files.writeString(job, "bootstrap-servers: localhost:1\nrestart-attempts: -1\n");
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        int exit;
        try {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            exit = ClusterJob.run(new String[] {"--config", job.toString()});
        } finally {
            System.setErr(err);
        }
        String message = captured.toString(StandardCharsets.UTF_8);
        assertEquals(2, exit, message);
        assertTrue(
                message.startsWith(
                        "streamgrad: " + job + ":2: --restart-attempts must be at least 0, got -1"),
                message);
    }
}
