package io.streamgrad.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamgrad.kafka.EmbeddedKafkaBroker;
import io.streamgrad.kafka.Topic;
import io.streamgrad.kafka.TopicAdmin;
import io.streamgrad.producers.EventProducer;
import io.streamgrad.producers.SyntheticConfig;
import io.streamgrad.producers.SyntheticEvents;
import io.streamgrad.schema.Task;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./streamgrad advise} end to end on small synthetic samples (no timing asserted). */
class AdviseCommandTest {
    private record Run(int exit, String out, String err) {}

    private static Run run(String... args) {
        PrintStream stdout = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            int exit = Streamgrad.execute(args, new PrintStream(err, true, StandardCharsets.UTF_8));
            return new Run(
                    exit,
                    out.toString(StandardCharsets.UTF_8),
                    err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(stdout);
        }
    }

    @Test
    void printsTheTableWritesEveryQuantityAndDrawsTheChart(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("advice.json");
        Run r =
                run(
                        "advise",
                        "--features",
                        "10",
                        "--optimizer",
                        "sgd",
                        "--learning-rate",
                        "0.5",
                        "--sample-events",
                        "1024",
                        "--min-batch-size",
                        "8",
                        "--max-batch-size",
                        "64",
                        "--noise-pairs",
                        "30",
                        "--timing-repeats",
                        "3",
                        "--pilot-iterations",
                        "60",
                        "--summary-json",
                        json.toString(),
                        "--plot",
                        dir.resolve("advice").toString());
        assertEquals(0, r.exit(), r.err() + r.out());
        assertTrue(r.out().contains("<- recommended"), r.out());
        assertTrue(r.out().contains("why:"), r.out());
        JsonNode s = new ObjectMapper().readTree(json.toFile());
        for (String field :
                new String[] {
                    "tau_f_seconds",
                    "tau_d_seconds",
                    "fit_rms_residual_seconds",
                    "trace_sigma",
                    "grad_norm_sq",
                    "noise_scale",
                    "c_var",
                    "n_iter",
                    "b_opt",
                    "recommended_batch_size",
                    "suggested_learning_rate"
                }) {
            assertTrue(s.has(field), field + " in " + s);
        }
        int b = s.get("recommended_batch_size").asInt();
        assertTrue(b >= 1 && Integer.bitCount(b) == 1, "a power of two: " + b);
        assertEquals(
                s.get("n_iter").asDouble() * s.get("noise_scale").asDouble(),
                s.get("c_var").asDouble(),
                1e-9 * s.get("c_var").asDouble());
        // The four measured sizes, and the recommendation when it was not among them.
        int rows = s.get("table").size();
        assertTrue(rows == 4 || rows == 5 && b > 64, "table of " + rows);
        assertTrue(Files.size(dir.resolve("advice.png")) > 1_000);
    }

    @Test
    void readsItsSampleFromATopic(@TempDir Path dir) throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
            String bootstrap = broker.bootstrapServers();
            try (TopicAdmin admin = new TopicAdmin(bootstrap)) {
                admin.ensureTopic(Topic.EVENTS, "advise.events", 2);
            }
            SyntheticConfig c =
                    new SyntheticConfig(
                            "advise.events", "m", Task.BINARY, 6, 2, 0.5, 600, 0, 2, 3, 0, false);
            new EventProducer(bootstrap, "advise.events", 2, 0)
                    .run(0, 600, new SyntheticEvents(c)::event, n -> {});
            Path json = dir.resolve("a.json");
            Run r =
                    run(
                            "advise",
                            "--bootstrap-servers",
                            bootstrap,
                            "--events-topic",
                            "advise.events",
                            "--optimizer",
                            "sgd",
                            "--learning-rate",
                            "0.5",
                            "--sample-events",
                            "512",
                            "--min-batch-size",
                            "8",
                            "--max-batch-size",
                            "32",
                            "--noise-pairs",
                            "20",
                            "--timing-repeats",
                            "2",
                            "--pilot-iterations",
                            "40",
                            "--summary-json",
                            json.toString());
            assertEquals(0, r.exit(), r.err() + r.out());
            JsonNode s = new ObjectMapper().readTree(json.toFile());
            assertEquals(512, s.get("sample_events").asInt(), "read up to --sample-events");
            assertTrue(s.get("data").asText().contains("advise.events"), s.toString());
            // The input size comes from the events (6), not the --features default.
            assertTrue(r.out().contains("logistic"), r.out());
            // A missing topic is named as one, not as a sample too small.
            Run missing =
                    run("advise", "--bootstrap-servers", bootstrap, "--events-topic", "nosuch");
            assertEquals(2, missing.exit(), missing.err());
            assertTrue(
                    missing.err().contains("--events-topic nosuch does not exist on " + bootstrap),
                    missing.err());
        }
        // Nothing listening: in seconds, as every command says it.
        Run down =
                run("advise", "--bootstrap-servers", "localhost:1", "--kafka-timeout-ms", "60000");
        assertEquals(1, down.exit(), down.err());
        assertTrue(down.err().contains("nothing listens at localhost:1"), down.err());
    }

    @Test
    void aSampleTooSmallSaysHowManyEventsAreNeeded() {
        Run r = run("advise", "--sample-events", "100", "--max-batch-size", "64");
        assertEquals(2, r.exit(), r.err());
        assertEquals(
                "streamgrad: --sample-events 100 is too few: batches of up to --max-batch-size 64"
                        + " need a sample of at least 128 events (two of the largest batch)",
                r.err().strip());
    }

    @Test
    void topicFlagsWithoutATopicAreRefusedNotIgnored() {
        Run one = run("advise", "--kafka-timeout-ms", "30000");
        assertEquals(2, one.exit(), one.err());
        assertEquals(
                "streamgrad: --kafka-timeout-ms is for reading the sample from a topic: give"
                        + " --bootstrap-servers too, or leave it out",
                one.err().strip());
        Run two = run("advise", "--events-topic", "clicks", "--kafka-timeout-ms", "30000");
        assertEquals(2, two.exit(), two.err());
        assertTrue(
                two.err().contains("--events-topic, --kafka-timeout-ms are for reading"),
                two.err());
    }

    @Test
    void aDataSetAndATopicAreRefusedTogether() {
        Run r = run("advise", "--dataset", "synthetic", "--bootstrap-servers", "localhost:1");
        assertEquals(2, r.exit(), r.err());
        assertEquals(
                "streamgrad: --dataset synthetic and --bootstrap-servers localhost:1 are two"
                        + " samples: give one, the data set or the topic",
                r.err().strip());
    }
}
