package io.streamgrad.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Bad input stops a command with one line that says what to do, and no stack trace. */
class StreamgradCliTest {

    private record Run(int exit, String err) {}

    private static Run run(String... args) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int exit = Streamgrad.execute(args, new PrintStream(buf, true, StandardCharsets.UTF_8));
        return new Run(exit, buf.toString(StandardCharsets.UTF_8));
    }

    private static void assertOneLineUsageError(Run r, String expected) {
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains(expected), r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace without --verbose: " + r.err());
    }

    @Test
    void helpNamesTheLaunchersEnvironmentWithTheDefaultsItApplies() throws Exception {
        String help = new picocli.CommandLine(new Streamgrad()).getUsageMessage();
        // The launcher (the project's root, one up from this module) is what applies them.
        String launcher = Files.readString(Path.of("..", "streamgrad"));
        Matcher heap = Pattern.compile("\\$\\{STREAMGRAD_HEAP:-(\\w+)}").matcher(launcher);
        Matcher omp = Pattern.compile("\\$\\{OMP_NUM_THREADS:-(\\w+)}").matcher(launcher);
        assertTrue(heap.find() && omp.find(), "the launcher's defaults");
        assertTrue(help.contains("STREAMGRAD_HEAP"), help);
        assertTrue(help.contains("default " + heap.group(1)), help);
        assertTrue(help.contains("ND4J's CPU threads, default " + omp.group(1)), help);
        assertTrue(help.contains("STREAMGRAD_JAVA_OPTS"), help);
    }

    @Test
    void anArgumentFileIsRefusedPointingAtJobFiles(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        // Were it expanded, its --batch-size would be credited to no file:line and its --config
        // would go unseen; job files are the one way to give settings from a file.
        Path args = dir.resolve("args.txt");
        Files.writeString(args, "--batch-size 64\n");
        Run r = run("train", "--bootstrap-servers", "localhost:1", "@" + args);
        assertOneLineUsageError(
                r,
                "(argument files are not read: put the settings in a job file, --config"
                        + " FILE.yaml)");
        assertTrue(r.err().contains("'@" + args + "'"), r.err());
    }

    @Test
    void unknownFlag() {
        assertOneLineUsageError(run("demo", "--bogus"), "Unknown option: '--bogus'");
        // A typo of a known flag names it.
        assertOneLineUsageError(
                run("train", "--bootstrap-servers", "localhost:1", "--featurs", "20"),
                "Unknown options: '--featurs', '20' (did you mean --features?)");
        // Nothing within two edits: no guess.
        assertFalse(run("train", "--bogus").err().contains("did you mean"));
        assertTrue(
                run("train", "--bootstrap-servers", "localhost:1", "--epoch=3")
                        .err()
                        .contains("(did you mean --epochs?)"));
        // Negated switches too, and a flag named once however often it is mistyped.
        assertTrue(
                run("train", "--bootstrap-servers", "localhost:1", "--no-full-pas-loss")
                        .err()
                        .contains("(did you mean --no-full-pass-loss?)"));
        assertTrue(
                run("train", "--bootstrap-servers", "localhost:1", "--featurs", "1", "--featres")
                        .err()
                        .contains("(did you mean --features?)"));
        // A mistyped command names the nearest, or lists them all; a subcommand's too.
        assertOneLineUsageError(
                run("trian", "--bootstrap-servers", "localhost:1"),
                "Unmatched arguments from index 0: 'trian', '--bootstrap-servers', 'localhost:1'"
                        + " (did you mean train?)");
        assertOneLineUsageError(run("dead-leters"), "'dead-leters' (did you mean dead-letters?)");
        assertOneLineUsageError(
                run("fit"),
                "'fit' (the commands: demo, produce, train, evaluate, backtest, snapshots,"
                        + " dead-letters, predict, plot, advise, join)");
        assertOneLineUsageError(run("snapshots", "lst"), "'lst' (did you mean list?)");
        // With --help too: not the root's usage, as if the help asked for were given.
        assertOneLineUsageError(
                run("evalute", "--help"),
                "Unmatched arguments from index 0: 'evalute', '--help' (did you mean evaluate?)");
        // Kafka's own spelling of a required flag: reported missing, with the one meant.
        Run kafkaSpelling = run("train", "--bootstrap-server", "localhost:1");
        assertTrue(
                kafkaSpelling.err().contains("Missing required option: '--bootstrap-servers"),
                kafkaSpelling.err());
        assertTrue(
                kafkaSpelling.err().contains("(did you mean --bootstrap-servers?)"),
                kafkaSpelling.err());
    }

    @Test
    void batchSizeNotAPowerOfTwo() {
        assertOneLineUsageError(run("demo", "--batch-size", "100"), "the nearest are 64 and 128");
        assertOneLineUsageError(run("demo", "--batch-size", "0"), "power of two");
        assertOneLineUsageError(run("demo", "--batch-size", "1048576"), "65536");
        assertOneLineUsageError(run("demo", "--batch-size", "3"), "the nearest are 2 and 4");
        assertOneLineUsageError(run("demo", "--batch-size", "abc"), "is not a number");
        assertOneLineUsageError(
                run("demo", "--batch-size", "99999999999999999999"), "maximum 65536");
    }

    @Test
    void windowsAndTimeouts() {
        assertOneLineUsageError(
                run("demo", "--window", "count:0"), "smaller than one batch; use count:1");
        assertOneLineUsageError(run("demo", "--window", "sliding:5s"), "use count:K");
        assertOneLineUsageError(
                run("demo", "--window", "event-time:100ms"),
                "holds about 10 events at the demo's 10 ms spacing, less than one batch of 64: use"
                        + " --window event-time:640ms or more");
        assertOneLineUsageError(run("demo", "--idle-timeout", "-5s"), "is negative");
        assertOneLineUsageError(run("demo", "--max-out-of-orderness", "-1s"), "is negative");
        assertOneLineUsageError(run("demo", "--idle-timeout", "30"), "has no unit");
        assertOneLineUsageError(run("demo", "--late-events", "drop"), "deadletter or next-window");
        assertOneLineUsageError(run("demo", "--epochs", "0"), "--epochs must be at least 1");
    }

    @Test
    void kafkaFlagsAreTheSameOnEveryCommand() {
        for (String command : List.of("plot", "produce synthetic")) {
            List<String> args = new ArrayList<>(List.of(command.split(" ")));
            args.addAll(List.of("--bootstrap-servers", "localhost:1", "--kafka-timeout-ms", "5"));
            assertOneLineUsageError(
                    run(args.toArray(String[]::new)), "--kafka-timeout-ms must be 1000 to");
        }
        assertOneLineUsageError(
                run(
                        "train",
                        "--bootstrap-servers",
                        "localhost:1",
                        "--kafka-timeout-ms",
                        "3000000000"),
                "--kafka-timeout-ms must be 1000 to 2147483647 (ms), got 3000000000");
        assertOneLineUsageError(run("plot"), "Missing required option: '--bootstrap-servers");
    }

    @Test
    void deadLettersRefusesAnUnknownReasonOrListSizeBeforeAskingKafka() {
        // localhost:1 answers nothing: the refusals come before any Kafka client.
        Run reason = run("dead-letters", "--bootstrap-servers", "localhost:1", "--reason", "lat");
        assertOneLineUsageError(reason, "--reason 'lat' is not a dead-letter reason: one of");
        for (io.streamgrad.schema.DeadLetterReason r :
                io.streamgrad.schema.DeadLetterReason.values()) {
            assertTrue(reason.err().contains(r.wireName()), r.wireName() + " in " + reason.err());
        }
        assertOneLineUsageError(
                run("dead-letters", "--bootstrap-servers", "localhost:1", "--list", "0"),
                "--list 0 is not a count of dead letters: give 1 or more");
        // The help names every reason the filter takes.
        java.io.StringWriter help = new java.io.StringWriter();
        new picocli.CommandLine(new DeadLettersCommand()).usage(new java.io.PrintWriter(help));
        String text = help.toString().replaceAll("\\s+", " ");
        for (io.streamgrad.schema.DeadLetterReason r :
                io.streamgrad.schema.DeadLetterReason.values()) {
            assertTrue(text.contains(r.wireName()), r.wireName() + " in --help");
        }
    }

    @Test
    void epochsAndFullBatchNeedABoundedRun() {
        assertOneLineUsageError(
                run("train", "--bootstrap-servers", "localhost:1", "--epochs", "3"),
                "--epochs 3 needs a bounded run (--bounded)");
        assertOneLineUsageError(
                run("train", "--bootstrap-servers", "localhost:1", "--batch-size", "full"),
                "--batch-size full needs a bounded run");
        assertOneLineUsageError(
                run("demo", "--batch-size", "full"),
                "--batch-size full is for small bounded sets, and there are 100000 events");
    }

    @Test
    void aBatchThatCannotFitIsRefusedNamingOneThatDoes() {
        Run r =
                run(
                        "demo",
                        "--model",
                        "mlp:8192,8192",
                        "--features",
                        "4096",
                        "--batch-size",
                        "65536");
        assertOneLineUsageError(r, "--batch-size 65536 does not fit");
        assertTrue(r.err().contains("the largest power of two that fits is --batch-size"), r.err());
    }

    @Test
    void badModelSettings() {
        assertOneLineUsageError(run("demo", "--model", "forest"), "unknown --model 'forest'");
        assertOneLineUsageError(
                run("demo", "--model", "mlp:128,0"),
                "--model mlp:128,0: a layer width of 0 is not a layer");
        assertOneLineUsageError(run("demo", "--features", "0"), "--features must be at least 1");
        assertOneLineUsageError(
                run("demo", "--optimizer", "lbfgs"),
                "unknown --optimizer 'lbfgs': use sgd, momentum, nesterov, adagrad, rmsprop,"
                        + " adam, adamw");
        assertOneLineUsageError(run("demo", "--learning-rate", "-1"), "--learning-rate");
        assertOneLineUsageError(
                run("demo", "--activation", "swish"),
                "unknown activation 'swish': use identity, relu, leaky-relu, tanh, sigmoid");
        assertOneLineUsageError(
                run("demo", "--loss", "hinge"),
                "unknown loss 'hinge': use mse, huber, binary-cross-entropy,"
                        + " softmax-cross-entropy");
        assertOneLineUsageError(
                run("demo", "--model", "logistic", "--loss", "mse"),
                "--loss mse trains regression, but the model's task is binary: use --loss"
                        + " binary-cross-entropy");
        assertOneLineUsageError(
                run("demo", "--model", "logistic", "--task", "regression"),
                "use --model linear or mlp:H for --task regression");
        assertOneLineUsageError(
                run("demo", "--optimizer", "adam", "--momentum", "0.5"),
                "--momentum is for --optimizer momentum or nesterov, not adam");
        assertOneLineUsageError(
                run("demo", "--optimizer", "sgd", "--weight-decay", "0.1"), "for sgd use --l2");
        assertOneLineUsageError(
                run("demo", "--lr-schedule", "cosine"), "unknown --lr-schedule 'cosine'");
        assertOneLineUsageError(run("demo", "--lr-schedule", "step:0:0.5"), "at least 1 iteration");
        assertOneLineUsageError(run("demo", "--clip-norm", "-1"), "--clip-norm must be zero");
        assertOneLineUsageError(run("demo", "--l2", "-0.1"), "--l2 must be zero or positive");
        // 2,000 × 4,096 + 4,096 × 3 weights with Adam's two moments: 98 MB.
        assertOneLineUsageError(
                run("demo", "--model", "mlp:4096", "--features", "2000", "--batch-size", "16"),
                "a snapshot of mlp:4096 with adam is 94 MB, more than the 64 MB");
    }

    @Test
    void badDataSets(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        String digits =
                java.nio.file.Path.of("src/test/resources/datasets/digits.csv.gz")
                        .toAbsolutePath()
                        .toString();
        assertOneLineUsageError(
                run("demo", "--dataset", "parquet:x"),
                "unknown --dataset 'parquet:x': use synthetic, idx:DIR or csv:TRAIN[,TEST]");
        assertOneLineUsageError(
                run("demo", "--dataset", "csv:" + digits),
                "has 10 classes (0, 1, 2, 3, 4, … (10 in all)) but --model logistic (binary)"
                        + " takes two: use --model softmax or --task multiclass");
        assertOneLineUsageError(
                run("demo", "--dataset", "csv:" + digits, "--label-column", "99"),
                "--label-column 99 does not exist: the file has columns 0 to 64");
        assertOneLineUsageError(
                run("demo", "--dataset", "csv:" + dir.resolve("none.csv")), "none.csv");
        java.nio.file.Path ragged = dir.resolve("ragged.csv");
        java.nio.file.Files.writeString(ragged, "1,2,a\n3,4,b\n5,b\n");
        assertOneLineUsageError(
                run("demo", "--dataset", "csv:" + ragged, "--model", "softmax"),
                "ragged.csv:3: 2 fields, expected 3 (as in the first row)");
        assertOneLineUsageError(
                run("demo", "--dataset", "idx:" + dir, "--model", "softmax"),
                "has none of train-images-idx3-ubyte");
        assertOneLineUsageError(
                run(
                        "produce",
                        "idx",
                        "--bootstrap-servers",
                        "localhost:1",
                        "--dir",
                        dir.toString()),
                "has none of train-images-idx3-ubyte");
    }

    @Test
    void missingRequiredFlag() {
        assertOneLineUsageError(run("train"), "--bootstrap-servers");
    }

    @Test
    void unreachableKafka() {
        Run r = run("train", "--bootstrap-servers", "localhost:1", "--kafka-timeout-ms", "1500");
        assertEquals(1, r.exit(), r.err());
        assertTrue(r.err().contains("cannot reach Kafka at localhost:1"), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
        Run unresolvable = run("train", "--bootstrap-servers", "no-such-host.invalid:9092");
        assertEquals(1, unresolvable.exit(), unresolvable.err());
        assertTrue(unresolvable.err().contains("no host name there resolves"), unresolvable.err());
        Run produce =
                run("produce", "synthetic", "--bootstrap-servers", "localhost:1", "--events", "1");
        assertEquals(1, produce.exit(), produce.err());
        assertTrue(produce.err().contains("cannot reach Kafka"), produce.err());
    }

    @Test
    void verboseShowsTheStackTrace() {
        Run r =
                run(
                        "train",
                        "--verbose",
                        "--bootstrap-servers",
                        "localhost:1",
                        "--kafka-timeout-ms",
                        "1000");
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("\tat "), r.err());
    }
}
