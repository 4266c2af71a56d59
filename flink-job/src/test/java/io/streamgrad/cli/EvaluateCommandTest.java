package io.streamgrad.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class EvaluateCommandTest {
    @Test
    void helpListsEveryFlagTheReadmeDocuments() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream saved = System.out;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            assertEquals(0, Streamgrad.execute(new String[] {"evaluate", "--help"}, System.err));
        } finally {
            System.setOut(saved);
        }
        String help = out.toString(StandardCharsets.UTF_8);
        String readme = Files.readString(Path.of("..", "README.md"));
        int start = readme.indexOf("## Evaluating a snapshot");
        String section = readme.substring(start, readme.indexOf("\n## ", start + 1));
        Matcher flag = Pattern.compile("`(--[a-z-]+)").matcher(section);
        int found = 0;
        while (flag.find()) {
            found++;
            assertTrue(help.contains(flag.group(1)), flag.group(1) + " in --help:\n" + help);
        }
        assertTrue(found >= 14, "the README's flag table: " + found);
        for (String f :
                List.of(
                        "--snapshot",
                        "--model-key",
                        "--from-offset",
                        "--to-offset",
                        "--from-time",
                        "--to-time",
                        "--last",
                        "--summary-json",
                        "--predictions-out",
                        "--plot")) {
            assertTrue(section.contains("`" + f), f + " documented in the README");
        }
    }

    @Test
    void badRangeFlagsAndAMissingSnapshotFileAreRefusedBeforeKafkaIsAsked() throws Exception {
        // Nothing listens on port 1: a command that connected first would say Kafka is down.
        String[][] bad = {
            {"--from-time", "yesterday"},
            {"--last", "5", "--from-offset", "3"},
            {"--snapshot", "file:/nonexistent/model.avro"},
        };
        for (String[] flags : bad) {
            List<String> args =
                    new java.util.ArrayList<>(
                            List.of(
                                    "evaluate",
                                    "--bootstrap-servers",
                                    "localhost:1",
                                    "--kafka-timeout-ms",
                                    "1000"));
            args.addAll(List.of(flags));
            String err = CommandLines.run(2, args.toArray(String[]::new));
            assertTrue(!err.contains("reach"), String.join(" ", flags) + " -> " + err);
            assertTrue(err.contains(flags[0]), String.join(" ", flags) + " -> " + err);
        }
        // Good flags, then Kafka. Nothing listens: said in about a second and a half (two probes
        // a second apart), whatever the timeout.
        String down =
                CommandLines.run(
                        1,
                        "evaluate",
                        "--bootstrap-servers",
                        "localhost:1",
                        "--kafka-timeout-ms",
                        "60000");
        assertTrue(
                down.contains("cannot reach Kafka at localhost:1: nothing listens at localhost:1"),
                down);
        // A listener that never answers: its timeout as given, not rounded down to "0 s".
        try (java.net.ServerSocket silent = new java.net.ServerSocket(0)) {
            String address = "localhost:" + silent.getLocalPort();
            String slow =
                    CommandLines.run(
                            1,
                            "evaluate",
                            "--bootstrap-servers",
                            address,
                            "--kafka-timeout-ms",
                            "1000");
            assertTrue(slow.contains("cannot reach Kafka at " + address + " within 1 s"), slow);
        }
    }

    @Test
    void progressLineShowsShareRateAndEta() {
        assertEquals(
                "  [###############...............]  50% 500/1,000 events | 100 events/s | ETA 5"
                        + " s\n",
                EvaluateProgress.line(500, 1000, 5.0, false));
        assertEquals("2 min 05 s", EvaluateProgress.formatSeconds(125));
        // Before a second of scoring there is no rate to tell an ETA by.
        assertEquals(
                "  [###...........................]  10% 100/1,000 events | ? events/s | ETA ?\n",
                EvaluateProgress.lineAtRate(100, 1000, Double.NaN, false));
        // Done is done: no time left, whatever the rate.
        assertEquals(
                "  [##############################] 100% 1,000/1,000 events | ? events/s | ETA 0"
                        + " s\n",
                EvaluateProgress.lineAtRate(1000, 1000, Double.NaN, false));
    }
}
