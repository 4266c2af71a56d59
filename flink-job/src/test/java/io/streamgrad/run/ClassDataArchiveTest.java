package io.streamgrad.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's class-data archive, written by real JVMs as the launcher starts them: one whose
 * job ran dumps an archive a later JVM maps ({@code -Xshare:on} refuses anything else) and marks it
 * done; one stopped before its job writes nothing; a failed dump is reported and leaves no marker.
 * The JVMs run from a jar of the two classes (the JVM archives no classes from a directory).
 */
class ClassDataArchiveTest {

    /** What the CLI's main does around a command: {@code job} says the command ran a job. */
    public static final class Command {
        public static void main(String[] args) {
            if (args.length > 0 && args[0].equals("job")) {
                ClassDataArchive.jobStarted();
            }
            System.out.println("output");
            ClassDataArchive.writeIfAsked(
                    args.length > 1 ? Integer.parseInt(args[1]) : 0, System.err);
            System.out.println("end");
        }
    }

    @TempDir static Path dir;
    private static Path jar;

    @BeforeAll
    static void jarOfTheTwoClasses() throws IOException {
        jar = dir.resolve("command.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            for (Class<?> c : List.of(ClassDataArchive.class, Command.class)) {
                String name = c.getName().replace('.', '/') + ".class";
                out.putNextEntry(new JarEntry(name));
                try (InputStream in = c.getClassLoader().getResourceAsStream(name)) {
                    in.transferTo(out);
                }
                out.closeEntry();
            }
        }
    }

    private record Run(int exitCode, String out, String err) {}

    private static Run java(List<String> args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(args);
        Process p =
                new ProcessBuilder(command)
                        .redirectOutput(dir.resolve("out.txt").toFile())
                        .redirectError(dir.resolve("err.txt").toFile())
                        .start();
        assertTrue(p.waitFor(2, TimeUnit.MINUTES), "the JVM ended: " + command);
        return new Run(
                p.exitValue(),
                Files.readString(dir.resolve("out.txt"), StandardCharsets.UTF_8),
                Files.readString(dir.resolve("err.txt"), StandardCharsets.UTF_8));
    }

    /** The launcher's flags for a run that writes {@code archive}. */
    private static Run command(Path archive, boolean record, String... what) throws Exception {
        List<String> args = new ArrayList<>();
        if (record) {
            args.add("-XX:+RecordDynamicDumpInfo");
        }
        args.addAll(
                List.of(
                        "-Xlog:cds*=off",
                        "-D" + ClassDataArchive.PROPERTY + "=" + archive,
                        "-cp",
                        jar.toString(),
                        Command.class.getName()));
        args.addAll(List.of(what));
        return java(args);
    }

    private static Path marker(Path archive) {
        return Path.of(archive + ClassDataArchive.DONE_SUFFIX);
    }

    @Test
    void aCommandWhoseJobRanWritesAnArchiveThatALaterJvmMaps() throws Exception {
        Path archive = dir.resolve("ran.jsa");
        Run run = command(archive, true, "job");
        assertEquals(0, run.exitCode(), run.err());
        // Nothing of the dump on standard output, where commands write data.
        assertEquals("output" + System.lineSeparator() + "end" + System.lineSeparator(), run.out());
        assertTrue(run.err().contains("writing a class-data archive"), run.err());
        assertTrue(Files.size(archive) > 0);
        assertTrue(Files.exists(marker(archive)));

        Run mapped =
                java(
                        List.of(
                                "-Xshare:on",
                                "-XX:SharedArchiveFile=" + archive,
                                "-Xlog:class+load=info",
                                "-cp",
                                jar.toString(),
                                Command.class.getName()));
        assertEquals(0, mapped.exitCode(), mapped.err());
        // The dumped classes come from it.
        assertTrue(
                mapped.out()
                        .contains(
                                ClassDataArchive.class.getName()
                                        + " source: shared objects file (top)"),
                mapped.out());
    }

    @Test
    void aCommandStoppedBeforeItsJobWritesNothing() throws Exception {
        Path archive = dir.resolve("refused.jsa");
        Run run = command(archive, true, "refused");
        assertEquals(0, run.exitCode());
        assertEquals("", run.err());
        assertFalse(Files.exists(archive));
        assertFalse(Files.exists(marker(archive)));
    }

    @Test
    void aCommandWhoseJobFailedWritesNothing() throws Exception {
        Path archive = dir.resolve("failed.jsa");
        Run run = command(archive, true, "job", "1");
        assertEquals(0, run.exitCode());
        assertEquals("", run.err());
        assertFalse(Files.exists(archive));
    }

    @Test
    void aDumpTheJvmCannotMakeIsReportedAndLeavesNoMarker() throws Exception {
        // Without -XX:+RecordDynamicDumpInfo, JDK 17 refuses a dynamic dump.
        Path archive = dir.resolve("refused-dump.jsa");
        Run run = command(archive, false, "job");
        assertEquals(0, run.exitCode());
        assertTrue(run.err().contains("class-data archive was not written"), run.err());
        assertFalse(Files.exists(marker(archive)));
        assertTrue(run.out().endsWith("end" + System.lineSeparator()), "stdout restored");
    }

    /**
     * On JDK 25 and later the launcher asks for an AOT recording's mark instead: only a command
     * whose job ran and succeeded marks its configuration (the launcher then assembles the cache
     * from it), says so on standard error, and dumps no class-data archive.
     */
    @Test
    void anAotRecordingIsMarkedOnlyWhenTheJobRanAndSucceeded() throws Exception {
        for (String[] what :
                List.of(
                        new String[] {"job"},
                        new String[] {"refused"},
                        new String[] {"job", "1"})) {
            Path configuration = Files.createTempFile(dir, "run-", ".aotconf");
            Path archive = Path.of(configuration + ".jsa");
            List<String> args =
                    new ArrayList<>(
                            List.of(
                                    // A dump would succeed, were one asked for.
                                    "-XX:+RecordDynamicDumpInfo",
                                    "-Xlog:cds*=off",
                                    "-D" + ClassDataArchive.AOT_PROPERTY + "=" + configuration,
                                    "-D" + ClassDataArchive.PROPERTY + "=" + archive,
                                    "-cp",
                                    jar.toString(),
                                    Command.class.getName()));
            args.addAll(List.of(what));
            Run run = java(args);
            boolean kept = what.length == 1 && what[0].equals("job");
            String label = String.join(" ", what);
            assertEquals(0, run.exitCode(), label + ": " + run.err());
            assertEquals(
                    "output" + System.lineSeparator() + "end" + System.lineSeparator(),
                    run.out(),
                    label);
            assertEquals(kept, Files.exists(marker(configuration)), label);
            assertEquals(
                    kept, run.err().contains("writing an AOT cache"), label + ": " + run.err());
            assertFalse(Files.exists(archive), label + ": no class-data archive as well");
        }
    }
}
