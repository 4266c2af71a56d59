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
    void progressLineShowsShareRateAndEta() {
        assertEquals(
                "  [###############...............]  50% 500/1,000 events | 100 events/s | ETA 5"
                        + " s\n",
                EvaluateProgress.line(500, 1000, 5.0, false));
        assertEquals("2 min 05 s", EvaluateProgress.formatSeconds(125));
    }
}
