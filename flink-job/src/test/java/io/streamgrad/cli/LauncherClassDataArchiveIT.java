package io.streamgrad.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamgrad.kafka.EmbeddedKafkaBroker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's side of the class-data archive (README "Start-up"), through {@code ./streamgrad}
 * itself: a bounded {@code train} leaves an archive, its done marker and its writer's marker; the
 * next launch, once that JVM is gone, claims the archive, keeps it because the JVM maps it, and
 * starts the CLI with it (its classes load from the archive); a finished-looking archive the JVM
 * cannot map is refused, removed, and not written again for the same build, while the command runs
 * as if there were none. ({@code ClassDataArchiveTest} covers the JVM's side: the dump itself.)
 */
class LauncherClassDataArchiveIT {
    private static final Pattern ARCHIVE = Pattern.compile("streamgrad-(\\d+)\\.jsa");

    private static EmbeddedKafkaBroker broker;
    @TempDir static Path dir;
    private static Path cds;

    @BeforeAll
    static void produce() throws Exception {
        broker = EmbeddedKafkaBroker.start();
        cds = dir.resolve("cds");
        launch(
                Map.of("STREAMGRAD_CDS", "0"),
                "produce",
                "synthetic",
                "--bootstrap-servers",
                broker.bootstrapServers(),
                "--topic",
                "cds.events",
                "--features",
                "4",
                "--events",
                "2000");
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void aWrittenArchiveIsClaimedMappedAndABrokenOneRefused() throws Exception {
        // 1. A bounded train writes the archive when its command is done.
        String out = launch(Map.of(), train("first"));
        assertTrue(out.contains("writing a class-data archive"), out);
        assertTrue(out.contains(cds.toRealPath().toString()), "names where: " + out);
        List<String> written = names();
        assertEquals(3, written.size(), written.toString());
        String tmp = only(written, ".tmp");
        String key = key(tmp);
        assertTrue(written.contains(tmp + ".done"), written.toString());
        assertTrue(
                written.contains(tmp.substring(0, tmp.length() - ".tmp".length()) + ".writing"),
                written.toString());

        // 2. The next launch claims it, and the CLI's JVM maps it: -Xshare:on would stop a JVM
        // that cannot, and the class-loading log names the archive as the classes' source. (The
        // launcher's check of the claimed archive, a java -version with the same flags, logs
        // there first; the CLI's JVM starts the file anew, and -version loads no streamgrad
        // class either way.)
        Path classLog = dir.resolve("class-load.log");
        String version =
                launch(
                        Map.of(
                                "STREAMGRAD_JAVA_OPTS",
                                "-Xshare:on -Xlog:class+load=info:file=" + classLog),
                        "--version");
        assertTrue(version.startsWith("streamgrad "), version);
        assertEquals(List.of("streamgrad-" + key + ".jsa"), names());
        String loads = Files.readString(classLog);
        // (top): the dynamic archive the launcher wrote, not the JDK's base archive.
        assertTrue(
                loads.contains("io.streamgrad.cli.Streamgrad source: shared objects file (top)"),
                "the CLI's class came from the archive: "
                        + loads.lines()
                                .filter(l -> l.contains("io.streamgrad"))
                                .findFirst()
                                .orElse("no streamgrad class loaded"));

        // 3. A finished-looking archive the JVM cannot map (as one written by another JDK build
        // under the same path would be): a dead writer's leftovers are claimed, refused by the
        // JVM, and removed; the command runs as if there were none.
        Files.delete(cds.resolve("streamgrad-" + key + ".jsa"));
        long dead = pidMax(); // no process has it
        String base = "streamgrad-" + key + ".jsa." + dead;
        byte[] garbage = new byte[4096];
        new Random(1).nextBytes(garbage);
        Files.write(cds.resolve(base + ".tmp"), garbage);
        Files.writeString(cds.resolve(base + ".tmp.done"), "");
        Files.writeString(cds.resolve(base + ".writing"), "");
        version = launch(Map.of(), "--version");
        assertTrue(version.startsWith("streamgrad "), version);
        assertEquals(List.of("streamgrad-" + key + ".jsa.refused"), names());

        // 4. Refused once, not written again for this build.
        out = launch(Map.of(), train("second"));
        assertFalse(out.contains("writing a class-data archive"), out);
        assertEquals(List.of("streamgrad-" + key + ".jsa.refused"), names());
    }

    @Test
    void aDirectoryTheArchiveCannotLiveInIsRefusedOrGoneWithout() throws Exception {
        // Resolved against the working directory: a space there is a space in the path, which the
        // dump's command would split. Refused before anything starts.
        Path spaced = Files.createDirectories(dir.resolve("with space"));
        String out = Launcher.run(dir, spaced, Map.of("STREAMGRAD_CDS_DIR", "cds"), 2, "--version");
        assertTrue(out.contains("STREAMGRAD_CDS_DIR='cds' is " + spaced.toRealPath()), out);
        assertFalse(Files.exists(spaced.resolve("cds")));

        // A directory others can write could hold a planted archive: the command runs without.
        Path shared = Files.createDirectories(dir.resolve("shared"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        out = Launcher.run(dir, Map.of("STREAMGRAD_CDS_DIR", shared.toString()), "--version");
        assertTrue(out.contains("not using a class-data archive"), out);
        assertTrue(out.contains("streamgrad "), out);
    }

    private static String[] train(String name) {
        return new String[] {
            "train",
            "--bounded",
            "--bootstrap-servers",
            broker.bootstrapServers(),
            "--events-topic",
            "cds.events",
            "--features",
            "4",
            "--model",
            "logistic",
            "--batch-size",
            "32",
            "--group-id",
            "cds-" + name,
            "--from-offset",
            "0",
            "--state-dir",
            dir.resolve("state-" + name).toString()
        };
    }

    /** The archive directory's file names, sorted. */
    private static List<String> names() throws IOException {
        try (Stream<Path> files = Files.list(cds)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static String only(List<String> names, String suffix) {
        List<String> matching = names.stream().filter(n -> n.endsWith(suffix)).toList();
        assertEquals(1, matching.size(), names.toString());
        return matching.get(0);
    }

    private static String key(String name) {
        Matcher m = ARCHIVE.matcher(name);
        assertTrue(m.lookingAt(), name);
        return m.group(1);
    }

    /**
     * The kernel's PID limit: every PID is below it. (Read by lines: procfs reports a size that
     * {@code Files.readString} trusts, and it read "3" of "32768".)
     */
    private static long pidMax() throws IOException {
        return Long.parseLong(
                Files.readAllLines(Path.of("/proc/sys/kernel/pid_max")).get(0).strip());
    }

    /** Runs {@code ./streamgrad ARGS} with its archive in {@link #cds}. */
    private static String launch(Map<String, String> env, String... args) throws Exception {
        Map<String, String> e = new HashMap<>(env);
        e.put("STREAMGRAD_CDS_DIR", cds.toString());
        return Launcher.run(dir, e, args);
    }
}
