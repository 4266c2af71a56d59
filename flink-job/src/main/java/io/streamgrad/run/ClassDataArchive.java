package io.streamgrad.run;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.management.JMException;
import javax.management.ObjectName;

/**
 * The class-data archive the {@code streamgrad} launcher asks a {@code train} or {@code backtest}
 * to write (README "Start-up"): the classes this JVM loaded, parsed and verified, dumped while it
 * runs (JDK 17's {@code VM.cds dynamic_dump}, which needs {@code -XX:+RecordDynamicDumpInfo}), once
 * the command has run a job. A command stopped before its job (a bad flag, {@code --help}) writes
 * nothing and costs nothing; the JVM's own {@code -XX:ArchiveClassesAtExit}, used before, wrote at
 * every exit, refused commands included.
 *
 * <p>On JDK 25 and later the launcher keeps an AOT cache instead (JEP 483: classes loaded and
 * linked; JEP 515: method profiles, so the JIT compiles hot code sooner): this JVM records with
 * {@code -XX:AOTMode=record}, writes its configuration at exit, and the launcher assembles the
 * cache from it afterwards, only if this class has marked the run as one worth keeping.
 */
public final class ClassDataArchive {
    /** The file the launcher asks for; unset when the launcher wants no archive from this run. */
    static final String PROPERTY = "streamgrad.cds.archive";

    /**
     * The AOT configuration file this JVM records to ({@code -XX:AOTConfiguration}), set by the
     * launcher on JDK 25 and later; unset when it wants no cache from this run.
     */
    static final String AOT_PROPERTY = "streamgrad.aot.configuration";

    /**
     * Created next to the archive once the dump has returned: the launcher keeps only archives with
     * it, so a JVM killed during the dump leaves nothing it would map. Next to an AOT
     * configuration, it marks the recording as one to assemble a cache from.
     */
    static final String DONE_SUFFIX = ".done";

    private static volatile boolean jobStarted;

    /** Whether the JVM has begun its shutdown (a hook can no longer be added then). */
    private static boolean shuttingDown() {
        Thread probe = new Thread(() -> {});
        try {
            Runtime.getRuntime().addShutdownHook(probe);
            Runtime.getRuntime().removeShutdownHook(probe);
            return false;
        } catch (IllegalStateException e) {
            return true;
        }
    }

    private ClassDataArchive() {}

    /** A job has started: the classes a later run needs are being loaded. */
    static void jobStarted() {
        jobStarted = true;
    }

    /**
     * Writes the archive the launcher asked for (or, on JDK 25 and later, marks the AOT recording
     * it asked for), if the command ran a job and succeeded; says so first, as it takes seconds.
     * Not while the JVM is going down (Ctrl-C on a live run): the dump would hold up its exit. A
     * failure the dump reports costs only the speed-up: it is said on {@code err}. (On JDK 17 a
     * failed write of the file, a full disk say, ends the JVM with exit code 1: the JDK's own
     * behaviour, changed in JDK 24.)
     *
     * @param exitCode the command's exit code: only 0 writes
     * @param err where the notice goes (standard error: some commands write data to standard
     *     output)
     */
    public static void writeIfAsked(int exitCode, PrintStream err) {
        if (!jobStarted || exitCode != 0 || shuttingDown()) {
            return;
        }
        String configuration = System.getProperty(AOT_PROPERTY);
        if (configuration != null) {
            markAotRecording(Path.of(configuration), err);
            return;
        }
        String file = System.getProperty(PROPERTY);
        if (file == null) {
            return;
        }
        Path dir = Path.of(file).toAbsolutePath().getParent();
        err.println(
                "streamgrad: writing a class-data archive for faster starts, once per build (about"
                        + " 100 MB in "
                        + dir
                        + ", about 10 s; STREAMGRAD_CDS=0 skips it)");
        // JDK 17's dump prints "Dynamic dump to file …" on System.out, where some commands write
        // data; the command has finished writing its own.
        PrintStream out = System.out;
        System.setOut(new PrintStream(OutputStream.nullOutputStream()));
        try {
            // The command reports a refusal (no -XX:+RecordDynamicDumpInfo, say) as its output,
            // not as an exception: only an archive that exists afterwards counts.
            Object said =
                    ManagementFactory.getPlatformMBeanServer()
                            .invoke(
                                    new ObjectName("com.sun.management:type=DiagnosticCommand"),
                                    "vmCds",
                                    new Object[] {new String[] {"dynamic_dump", file}},
                                    new String[] {String[].class.getName()});
            if (Files.isRegularFile(Path.of(file))) {
                Files.writeString(Path.of(file + DONE_SUFFIX), "");
            } else {
                err.println(
                        "streamgrad: the class-data archive was not written: "
                                + String.valueOf(said).strip());
            }
        } catch (JMException | IOException | RuntimeException | LinkageError | OutOfMemoryError e) {
            err.println("streamgrad: the class-data archive was not written: " + e);
        } finally {
            System.setOut(out);
        }
    }

    /**
     * Marks this run's AOT recording as one to keep ({@code <configuration>.done}): the JVM writes
     * the configuration when it exits, after this, and the launcher then assembles the cache from
     * it (the JDK's {@code -XX:AOTMode=create}). Without the mark, the launcher deletes the
     * configuration. A mark that cannot be written costs only the speed-up: it is said on {@code
     * err}.
     */
    private static void markAotRecording(Path configuration, PrintStream err) {
        err.println(
                "streamgrad: writing an AOT cache for faster starts and warm-up, once per build"
                        + " (about 130 MB in "
                        + configuration.toAbsolutePath().getParent()
                        + ", about 30 s; STREAMGRAD_CDS=0 skips it)");
        try {
            Files.writeString(Path.of(configuration + DONE_SUFFIX), "");
        } catch (IOException | RuntimeException e) {
            err.println("streamgrad: the AOT cache will not be written: " + e);
        }
    }
}
