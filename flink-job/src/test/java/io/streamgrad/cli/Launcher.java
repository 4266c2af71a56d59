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
        Path log = Files.createTempFile(logs, "launch-", ".out");
        launch(log, null, cwd, env, exitCode, args);
        return Files.readString(log);
    }

    /** What a run wrote to standard output and to standard error, apart. */
    record Output(String out, String err) {}

    /**
     * As {@link #run(Path, Path, Map, int, String...)} in the test's working directory, keeping
     * standard output apart from standard error.
     */
    static Output runApart(Path logs, Map<String, String> env, int exitCode, String... args)
            throws Exception {
        Path out = Files.createTempFile(logs, "launch-", ".out");
        Path err = Files.createTempFile(logs, "launch-", ".err");
        launch(out, err, null, env, exitCode, args);
        return new Output(Files.readString(out), Files.readString(err));
    }

    /** Runs the launcher, output to {@code out}, errors to {@code err} (null: to {@code out}). */
    private static void launch(
            Path out, Path err, Path cwd, Map<String, String> env, int exitCode, String... args)
            throws Exception {
        List<String> cmd = new ArrayList<>(List.of(SCRIPT.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile());
        if (err == null) {
            pb.redirectErrorStream(true);
        } else {
            pb.redirectError(err.toFile());
        }
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
            // The launcher's java is its child when it records an AOT cache: stopped too.
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        String what = String.join(" ", args) + ": " + Files.readString(out);
        if (err != null) {
            what += "\n(standard error) " + Files.readString(err);
        }
        assertTrue(ended, "did not end: " + what);
        assertEquals(exitCode, p.exitValue(), what);
    }
}
