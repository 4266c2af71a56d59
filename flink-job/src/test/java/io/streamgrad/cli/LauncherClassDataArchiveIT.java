package io.streamgrad.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamgrad.kafka.EmbeddedKafkaBroker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's side of the class-data archive (README "Start-up"), through {@code ./streamgrad}
 * itself: a bounded {@code train} leaves an archive, its done marker and its writer's marker; the
 * next launch, once that JVM is gone, claims the archive, keeps it because the JVM maps it, and
 * starts the CLI with it (its classes load from the archive); a finished-looking archive the JVM
 * cannot map is refused, removed, and not written again for the same build, while the command runs
 * as if there were none. ({@code ClassDataArchiveTest} covers the JVM's side: the dump itself.) On
 * JDK 25 and later, when one is installed, the AOT cache that replaces the archive there.
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
        Assumptions.assumeTrue(
                Runtime.version().feature() < 25, "JDK 25 and later keep an AOT cache instead");
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
        // With the archive off the directory is never used: nothing to refuse.
        out =
                Launcher.run(
                        dir,
                        spaced,
                        Map.of("STREAMGRAD_CDS_DIR", "cds", "STREAMGRAD_CDS", "0"),
                        0,
                        "--version");
        assertTrue(out.startsWith("streamgrad "), out);

        // A directory others can write could hold a planted archive: the command runs without.
        Path shared = Files.createDirectories(dir.resolve("shared"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        out = Launcher.run(dir, Map.of("STREAMGRAD_CDS_DIR", shared.toString()), "--version");
        assertTrue(out.contains("not using a class-data archive"), out);
        assertTrue(out.contains("streamgrad "), out);
    }

    /**
     * On JDK 25 and later the launcher records an AOT cache instead (README "Start-up"): a refused
     * command records nothing and says nothing of it; a bounded {@code train} leaves the cache and
     * nothing else; the next launch maps it; a killed recorder's leftovers go; a later bounded
     * {@code train} does not record again. Runs where a JDK 25 or later is installed ({@code
     * STREAMGRAD_TEST_JDK25} names one, or one under {@code /usr/lib/jvm}); skipped elsewhere.
     */
    @Test
    void onJdk25OrLaterABoundedTrainLeavesAnAotCacheThatLaterLaunchesMap() throws Exception {
        Path jdk = jdk25OrLater();
        Assumptions.assumeTrue(
                jdk != null, "no JDK 25 or later installed (STREAMGRAD_TEST_JDK25 names one)");
        Path aot = dir.resolve("aot");
        Map<String, String> env =
                Map.of("JAVA_HOME", jdk.toString(), "STREAMGRAD_CDS_DIR", aot.toString());

        // 1. Refused before its job: no cache and no configuration left, and nothing on standard
        // output, where some commands write data (the JVM prints that it recorded one as it
        // exits: on standard error).
        Launcher.Output refused =
                Launcher.runApart(dir, env, 2, "train", "--bounded", "--features", "4");
        assertTrue(refused.err().contains("Missing required option"), refused.err());
        assertEquals("", refused.out());
        assertEquals(List.of(), names(aot));

        // 2. A bounded train: the cache, assembled once its JVM exited, and nothing else; its
        // standard output holds no word of it.
        Launcher.Output first = Launcher.runApart(dir, env, 0, train("aot-first"));
        assertTrue(first.err().contains("writing an AOT cache"), first.err());
        assertFalse(first.out().contains("AOT"), first.out());
        List<String> written = names(aot);
        assertEquals(1, written.size(), written.toString());
        String cache = written.get(0);
        assertTrue(cache.matches("streamgrad-\\d+\\.aot"), cache);

        // 3. The next launch maps it: -XX:AOTMode=on stops a JVM that cannot, and the
        // class-loading log names the cache as the CLI's classes' source.
        Path classLog = dir.resolve("aot-class-load.log");
        Map<String, String> on = new HashMap<>(env);
        on.put("STREAMGRAD_JAVA_OPTS", "-XX:AOTMode=on -Xlog:class+load=info:file=" + classLog);
        String version = Launcher.run(dir, on, "--version");
        assertTrue(version.startsWith("streamgrad "), version);
        String loads = Files.readString(classLog);
        assertTrue(
                loads.contains("io.streamgrad.cli.Streamgrad source: shared objects file"),
                loads.lines()
                        .filter(l -> l.contains("io.streamgrad.cli.Streamgrad"))
                        .findFirst()
                        .orElse("the CLI's class not loaded"));
        // The user's own -Xshare: flag, which the JVM refuses beside an AOT option, wins: the
        // launcher adds none, and the command starts.
        Map<String, String> shareOff = new HashMap<>(env);
        shareOff.put("STREAMGRAD_JAVA_OPTS", "-Xshare:off");
        assertTrue(Launcher.run(dir, shareOff, "--version").startsWith("streamgrad "));

        // 4. What a killed recorder left (a PID no process has) goes; a later bounded train uses
        // the cache and records no other.
        long dead = pidMax();
        Files.writeString(aot.resolve(cache + "." + dead + ".aotconf"), "");
        Files.writeString(aot.resolve(cache + "." + dead + ".writing"), "");
        FileTime assembled = Files.getLastModifiedTime(aot.resolve(cache));
        String out = Launcher.run(dir, env, train("aot-second"));
        assertFalse(out.contains("writing an AOT cache"), out);
        assertEquals(List.of(cache), names(aot));
        assertEquals(assembled, Files.getLastModifiedTime(aot.resolve(cache)));
    }

    /**
     * A JDK of feature release 25 or later: {@code STREAMGRAD_TEST_JDK25} if set (which must be
     * one), else the first under {@code /usr/lib/jvm}; null if there is none.
     */
    private static Path jdk25OrLater() throws IOException {
        String given = System.getenv("STREAMGRAD_TEST_JDK25");
        if (given != null && !given.isBlank()) {
            assertTrue(
                    feature(Path.of(given)) >= 25, "STREAMGRAD_TEST_JDK25=" + given + ": not 25+");
            return Path.of(given);
        }
        List<Path> homes = new ArrayList<>();
        Path jvms = Path.of("/usr/lib/jvm");
        if (Files.isDirectory(jvms)) {
            try (Stream<Path> s = Files.list(jvms)) {
                s.sorted().forEach(homes::add);
            }
        }
        for (Path home : homes) {
            if (feature(home) >= 25) {
                return home;
            }
        }
        return null;
    }

    /**
     * A JDK's feature release from its {@code release} file; 0 if it has no readable one, or no
     * java.
     */
    private static int feature(Path home) {
        Path release = home.resolve("release");
        if (!Files.isReadable(release) || !Files.isExecutable(home.resolve("bin/java"))) {
            return 0;
        }
        Pattern version = Pattern.compile("^JAVA_VERSION=\"(\\d+)");
        List<String> lines;
        try {
            lines = Files.readAllLines(release);
        } catch (IOException e) {
            return 0;
        }
        for (String line : lines) {
            Matcher m = version.matcher(line);
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
        }
        return 0;
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
        return names(cds);
    }

    /** The file names in {@code directory}, sorted; none if it does not exist. */
    private static List<String> names(Path directory) throws IOException {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(directory)) {
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

    /**
     * Runs {@code ./streamgrad ARGS} with its archive in {@link #cds}, on the JDK running the tests
     * (a JDK 17 to 24 writes the class-data archive these tests check).
     */
    private static String launch(Map<String, String> env, String... args) throws Exception {
        Map<String, String> e = new HashMap<>(env);
        e.put("STREAMGRAD_CDS_DIR", cds.toString());
        e.put("JAVA_HOME", System.getProperty("java.home"));
        return Launcher.run(dir, e, args);
    }
}
