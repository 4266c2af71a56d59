package io.streamgrad.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the {@code ./streamgrad} launcher a user runs, with the classpath it builds (not Maven's
 * test classpath), on what Maven built: failsafe runs after package, so it never rebuilds under a
 * test ({@code STREAMGRAD_BUILD=0}). The caller's JVM settings are not passed on.
 */
final class Launcher {
    static final Path SCRIPT = Path.of("..", "streamgrad").toAbsolutePath().normalize();

    private Launcher() {}

    /**
     * Runs {@code ./streamgrad ARGS} and asserts that it ended within 3 minutes with exit code 0.
     *
     * @param logs where its output goes (a new file per run)
     * @param env variables for the launcher, on top of the test JVM's minus its JVM settings
     * @return its standard output and error, interleaved
     */
    static String run(Path logs, Map<String, String> env, String... args) throws Exception {
        return run(logs, null, env, 0, args);
    }

    /**
     * As {@link #run(Path, Map, String...)}, in working directory {@code cwd} (null: the test's),
     * asserting exit code {@code exitCode}.
     */
    static String run(Path logs, Path cwd, Map<String, String> env, int exitCode, String... args)
            throws Exception {
        List<String> cmd = new ArrayList<>(List.of(SCRIPT.toString()));
        cmd.addAll(List.of(args));
        Path log = Files.createTempFile(logs, "launch-", ".out");
        ProcessBuilder pb =
                new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        if (cwd != null) {
            pb.directory(cwd.toFile());
        }
        // -Xshare:off, an agent or a heap from the caller would change what a test measures.
        for (String v :
                List.of(
                        "STREAMGRAD_CDS",
                        "STREAMGRAD_CDS_DIR",
                        "STREAMGRAD_JAVA_OPTS",
                        "STREAMGRAD_HEAP",
                        "JDK_JAVA_OPTIONS",
                        "JAVA_TOOL_OPTIONS",
                        "_JAVA_OPTIONS")) {
            pb.environment().remove(v);
        }
        pb.environment().put("STREAMGRAD_BUILD", "0");
        pb.environment().putAll(env);
        Process p = pb.start();
        boolean ended = p.waitFor(180, TimeUnit.SECONDS);
        if (!ended) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        String out = Files.readString(log);
        assertTrue(ended, String.join(" ", args) + " did not end: " + out);
        assertEquals(exitCode, p.exitValue(), String.join(" ", args) + ": " + out);
        return out;
    }
}
