package io.streamgrad.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JVM flags of {@code flink-job/src/main/cli/jvm.options} reach the launcher's JVM, and a
 * collector the user gives replaces the file's instead of stopping the JVM ("Multiple garbage
 * collectors selected"). Each run is {@code ./streamgrad --version} with {@code
 * -XX:+PrintFlagsFinal}, whose table says which flags the JVM ended up with.
 */
class LauncherJvmOptionsIT {
    private static final Path OPTIONS =
            Path.of("src", "main", "cli", "jvm.options").toAbsolutePath();

    @TempDir Path logs;

    /** The file's flags, '#' lines and blank lines left out. */
    private static List<String> fileFlags() throws Exception {
        return Files.readAllLines(OPTIONS).stream()
                .map(String::trim)
                .filter(l -> !l.isEmpty() && !l.startsWith("#"))
                .toList();
    }

    /** The value of {@code flag} in a -XX:+PrintFlagsFinal table. */
    private static String finalValue(String table, String flag) {
        Matcher m =
                Pattern.compile("\\s" + Pattern.quote(flag) + "\\s+= (\\S+)", Pattern.MULTILINE)
                        .matcher(table);
        assertTrue(m.find(), flag + " is not in the JVM's flags:\n" + table);
        return m.group(1);
    }

    private String flagsWith(String variable, String value) throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("STREAMGRAD_CDS", "0");
        env.put(variable, value);
        String out = Launcher.run(logs, env, "--version");
        assertTrue(out.contains("streamgrad "), out);
        return out;
    }

    @Test
    void theFilesFlagsAreTheJvmsByDefault() throws Exception {
        List<String> flags = fileFlags();
        assertTrue(flags.contains("-XX:+UseSerialGC"), flags.toString());
        String table = flagsWith("STREAMGRAD_JAVA_OPTS", "-XX:+PrintFlagsFinal");
        for (String flag : flags) {
            Matcher set = Pattern.compile("-XX:(\\w+)=(\\S+)").matcher(flag);
            Matcher on = Pattern.compile("-XX:\\+(\\w+)").matcher(flag);
            if (set.matches()) {
                assertEquals(set.group(2), finalValue(table, set.group(1)), flag);
            } else if (on.matches()) {
                assertEquals("true", finalValue(table, on.group(1)), flag);
            }
        }
        assertEquals("false", finalValue(table, "UseG1GC"));
    }

    @Test
    void aCollectorInStreamgradJavaOptsReplacesTheFilesAndTheRestStays() throws Exception {
        String table = flagsWith("STREAMGRAD_JAVA_OPTS", "-XX:+UseG1GC -XX:+PrintFlagsFinal");
        assertEquals("true", finalValue(table, "UseG1GC"));
        assertEquals("false", finalValue(table, "UseSerialGC"));
        assertEquals("50000", finalValue(table, "Tier4InvocationThreshold"));
    }

    @Test
    void aCollectorInJavaToolOptionsReplacesTheFiles() throws Exception {
        String table = flagsWith("JAVA_TOOL_OPTIONS", "-XX:+UseParallelGC -XX:+PrintFlagsFinal");
        assertEquals("true", finalValue(table, "UseParallelGC"));
        assertEquals("false", finalValue(table, "UseSerialGC"));
        // _JAVA_OPTIONS, which the JVM applies after the command line, too.
        table = flagsWith("_JAVA_OPTIONS", "-XX:+UseParallelGC -XX:+PrintFlagsFinal");
        assertEquals("true", finalValue(table, "UseParallelGC"));
    }

    @Test
    void theSerialCollectorTurnedOffInJdkJavaOptionsStaysOff() throws Exception {
        // JDK_JAVA_OPTIONS comes before the launcher's flags: the file's +UseSerialGC would win
        // were it not left out. A flag that merely ends in "GC" is no collector.
        String table =
                flagsWith(
                        "JDK_JAVA_OPTIONS",
                        "-XX:-UseSerialGC -XX:+UseMaximumCompactionOnSystemGC"
                                + " -XX:+PrintFlagsFinal");
        assertEquals("false", finalValue(table, "UseSerialGC"));
        String kept =
                flagsWith(
                        "STREAMGRAD_JAVA_OPTS",
                        "-XX:+UseMaximumCompactionOnSystemGC -XX:+PrintFlagsFinal");
        assertEquals("true", finalValue(kept, "UseSerialGC"));
    }
}
