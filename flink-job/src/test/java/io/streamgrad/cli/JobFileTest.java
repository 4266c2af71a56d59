package io.streamgrad.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamgrad.model.Activation;
import io.streamgrad.model.Loss;
import io.streamgrad.run.flags.JobFile;
import io.streamgrad.schema.Task;
import io.streamgrad.train.TrainingConfig;
import io.streamgrad.window.WindowSpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class JobFileTest {
    private static final String JOB =
            """
            # an MNIST-sized MLP
            model:
              model: mlp:128,64
              features: 784
              classes: 10
              activation: leaky-relu
              loss: softmax-cross-entropy
              l2: 0.0001
              standardize: frozen-after:5000
              class-names: [zero, one, two, three, four, five, six, seven, eight, nine]
            optimizer:
              optimizer: adamw
              learning-rate: 0.002
              weight-decay: 0.05
              lr-schedule: step:1000:0.5
              warmup: 100
              clip-norm: 5
            batching:
              batch-size: 128
              window: event-time:30s
              epochs: 3
            seed: 7
            """;

    /** Parses a command line the way {@link Streamgrad#execute} does, without running it. */
    private static TrainingConfig configOf(String... args) {
        CommandLine cli = new CommandLine(new Streamgrad());
        JobFile file = JobFile.fromArgs(args, cli);
        if (file != null) {
            cli.setDefaultValueProvider(file);
        }
        CommandLine.ParseResult r = cli.parseArgs(args);
        DemoCommand demo = (DemoCommand) r.subcommand().commandSpec().userObject();
        return demo.demo.model.toTrainingConfig(demo.demo.batching.toBatching());
    }

    /** The group id a command's options hold after parsing, before the command runs. */
    private static String groupIdOf(String... args) {
        CommandLine cli = new CommandLine(new Streamgrad());
        JobFile file = JobFile.fromArgs(args, cli);
        if (file != null) {
            cli.setDefaultValueProvider(file);
        }
        Object command = cli.parseArgs(args).subcommand().commandSpec().userObject();
        return ((TrainCommand) command).job.groupId;
    }

    @Test
    void aTrainKeepsAJobFilesGroupAndABacktestOnlyTheOneOnItsCommandLine(@TempDir Path dir)
            throws IOException {
        Path job = dir.resolve("job.yaml");
        Files.writeString(job, "group-id: live-job\nbootstrap-servers: localhost:9092\n");
        assertEquals(null, groupIdOf("train", "--bootstrap-servers", "localhost:9092"));
        assertEquals("live-job", groupIdOf("train", "--config", job.toString()));
        assertEquals(
                "other", groupIdOf("train", "--config", job.toString(), "--group-id", "other"));
        // A backtest run with the live job's file must not share its transactions.
        assertEquals("streamgrad-backtest-r1", BacktestCommand.groupId(false, "live-job", "r1"));
        assertEquals("streamgrad-backtest-r1", BacktestCommand.groupId(false, null, "r1"));
        assertEquals("mine", BacktestCommand.groupId(true, "mine", "r1"));

        StringWriter help = new StringWriter();
        new CommandLine(new Streamgrad())
                .getSubcommands()
                .get("backtest")
                .usage(new PrintWriter(help));
        assertTrue(help.toString().contains("streamgrad-backtest-<run id>"), help.toString());
    }

    @Test
    void theFileSetsWhatTheFlagsSetAndFlagsOverrideIt(@TempDir Path dir) throws IOException {
        Path job = dir.resolve("job.yaml");
        Files.writeString(job, JOB);
        TrainingConfig fromFile = configOf("demo", "--config", job.toString());
        assertEquals(List.of(128, 64), fromFile.spec().hiddenLayers());
        assertEquals(784, fromFile.spec().inputSize());
        assertEquals(10, fromFile.spec().outputSize());
        assertEquals(Task.MULTICLASS, fromFile.spec().task());
        assertEquals(Activation.LEAKY_RELU, fromFile.spec().activation());
        assertEquals(Loss.SOFTMAX_CROSS_ENTROPY, fromFile.spec().loss());
        assertEquals(1e-4, fromFile.spec().l2());
        assertEquals("frozen-after:5000", fromFile.spec().standardize().describe());
        assertEquals("nine", fromFile.spec().classNames().get(9));
        assertEquals("adamw", fromFile.optimizer().name());
        assertEquals(0.002, fromFile.optimizer().learningRate());
        assertEquals(0.05, fromFile.optimizer().weightDecay());
        assertEquals("step:1000:0.5, warm-up 100", fromFile.optimizer().schedule().describe());
        assertEquals(5.0, fromFile.optimizer().clipNorm());
        assertEquals(128, fromFile.batchSize());
        assertEquals(new WindowSpec.EventTime(30_000), fromFile.batching().window());
        assertEquals(3, fromFile.batching().epochs());
        assertEquals(7, fromFile.seed());

        TrainingConfig overridden =
                configOf(
                        "demo",
                        "--config",
                        job.toString(),
                        "--batch-size",
                        "32",
                        "--learning-rate",
                        "0.01");
        assertEquals(32, overridden.batchSize(), "the flag wins");
        assertEquals(0.01, overridden.optimizer().learningRate());
        assertEquals("adamw", overridden.optimizer().name(), "the rest from the file");

        // And the same settings as flags alone give the same config: one path.
        TrainingConfig flags =
                configOf(
                        "demo",
                        "--model",
                        "mlp:128,64",
                        "--features",
                        "784",
                        "--classes",
                        "10",
                        "--activation",
                        "leaky-relu",
                        "--loss",
                        "softmax-cross-entropy",
                        "--l2",
                        "0.0001",
                        "--standardize",
                        "frozen-after:5000",
                        "--class-names",
                        "zero,one,two,three,four,five,six,seven,eight,nine",
                        "--optimizer",
                        "adamw",
                        "--learning-rate",
                        "0.002",
                        "--weight-decay",
                        "0.05",
                        "--lr-schedule",
                        "step:1000:0.5",
                        "--warmup",
                        "100",
                        "--clip-norm",
                        "5",
                        "--batch-size",
                        "128",
                        "--window",
                        "event-time:30s",
                        "--epochs",
                        "3",
                        "--seed",
                        "7");
        assertEquals(flags, fromFile);
    }

    @Test
    void yamlsOtherWaysOfWritingSwitchesAndNumbersMeanWhatYamlSays(@TempDir Path dir)
            throws IOException {
        Path yaml = dir.resolve("yaml.yaml");
        Files.writeString(
                yaml,
                """
                full-pass-loss: off   # a switch: YAML's off is false
                standardize: on       # not a switch: the mode named on
                epochs: 0x3
                seed: 1_000
                warmup: 010           # YAML 1.1 octal
                learning-rate: 1e-3
                l2: 0.000_1
                """);
        TrainingConfig flags =
                configOf(
                        "demo",
                        "--no-full-pass-loss",
                        "--standardize",
                        "on",
                        "--epochs",
                        "3",
                        "--seed",
                        "1000",
                        "--warmup",
                        "8",
                        "--learning-rate",
                        "1e-3",
                        "--l2",
                        "0.0001");
        assertEquals(flags, configOf("demo", "--config", yaml.toString()));
        assertEquals(false, flags.batching().fullPassLoss());
        Files.writeString(yaml, "full-pass-loss: yes\n");
        assertEquals(true, configOf("demo", "--config", yaml.toString()).batching().fullPassLoss());
    }

    @Test
    void badFilesAndKeysAreOneLineErrors(@TempDir Path dir) throws IOException {
        Path typo = dir.resolve("typo.yaml");
        Files.writeString(typo, "batchsize: 64\n");
        assertUsage(
                "--config "
                        + typo
                        + ":1: unknown key 'batchsize' for 'demo' (did you mean batch-size?);"
                        + " keys are its flag names without --: ",
                "demo",
                "--config",
                typo.toString());
        Path broken = dir.resolve("broken.yaml");
        Files.writeString(broken, "model: [mlp\n  features: 3\n");
        assertUsage("is not valid YAML", "demo", "--config", broken.toString());
        assertUsage("no such file", "demo", "--config", dir.resolve("none.yaml").toString());
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "# a job file\nmodel:\n  features: 3\noptimizer: lbfgs\n");
        // A value the file gave is refused naming the file and line it is on ...
        assertUsage(bad + ":4: unknown --optimizer 'lbfgs'", "demo", "--config", bad.toString());
        // ... and one picocli cannot convert, too; a flag given on the command line wins.
        Path notANumber = dir.resolve("nan.yaml");
        Files.writeString(notANumber, "batch-size: sixty-four\n");
        assertUsage(
                notANumber + ":1: --batch-size 'sixty-four' is not a number",
                "demo",
                "--config",
                notANumber.toString());
        Files.writeString(notANumber, "epochs: three\n");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(
                2,
                Streamgrad.execute(
                        new String[] {"demo", "--config", notANumber.toString()},
                        new PrintStream(err, true, StandardCharsets.UTF_8)));
        assertTrue(
                err.toString(StandardCharsets.UTF_8)
                        .startsWith(
                                "streamgrad: "
                                        + notANumber
                                        + ":1: Invalid value for option '--epochs'"),
                err.toString(StandardCharsets.UTF_8));
        assertUsage(
                "streamgrad: unknown --optimizer 'nope'",
                "demo",
                "--config",
                bad.toString(),
                "--optimizer",
                "nope");
        Path twice = dir.resolve("twice.yaml");
        Files.writeString(twice, "a:\n  seed: 1\nb:\n  seed: 2\n");
        assertUsage(
                twice + ":4: 'seed' is set twice (line 2 set it first)",
                "demo",
                "--config",
                twice.toString());
        Path repeated = dir.resolve("repeated.yaml");
        Files.writeString(repeated, "drift-detector: [adwin, page-hinkley]\n");
        assertUsage(
                "--config "
                        + repeated
                        + ":1: 'drift-detector' takes one value in a job file, got a list of 2:"
                        + " keep one there, or give them all as --drift-detector on the command"
                        + " line, once each (values given there replace the file's)",
                "demo",
                "--config",
                repeated.toString());
        Path nested = dir.resolve("nested.yaml");
        Files.writeString(nested, "class-names:\n  - [a, b]\n");
        assertUsage(
                nested + ":2: 'class-names' is a list of values",
                "demo",
                "--config",
                nested.toString());
    }

    @Test
    void requiredFlagsMayComeFromTheFile(@TempDir Path dir) throws IOException {
        Path job = dir.resolve("train.yaml");
        Files.writeString(
                job, "kafka:\n  bootstrap-servers: localhost:1\n  kafka-timeout-ms: 1000\n");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit =
                Streamgrad.execute(
                        new String[] {"train", "--config", job.toString()},
                        new PrintStream(err, true, StandardCharsets.UTF_8));
        String message = err.toString(StandardCharsets.UTF_8);
        assertEquals(1, exit, message);
        assertTrue(message.contains("cannot reach Kafka at localhost:1"), message);
    }

    @Test
    void theJobJarsMainReadsTheSameFile(@TempDir Path dir) throws IOException {
        Path job = dir.resolve("cluster.yaml");
        Files.writeString(job, "run:\n  bootstrap-servers: kafka:9092\n  bounded: true\n");
        String[] args = {"--config", job.toString(), "--group-id", "g1"};
        TrainCommand train = new TrainCommand();
        CommandLine cli = new CommandLine(train);
        cli.setDefaultValueProvider(JobFile.forCommand(args, cli));
        cli.parseArgs(args);
        assertEquals("kafka:9092", train.job.kafka.bootstrapServers);
        assertTrue(train.job.bounded);
        assertEquals("g1", train.job.groupId);
    }

    @Test
    void aRemedyTheFileSetsIsNotBlamedForARefusalOfState(@TempDir Path dir) throws IOException {
        Path job = dir.resolve("train.yaml");
        Files.writeString(job, "run:\n  start-over: false\n  group-id: g1\n");
        String[] args = {"--config", job.toString()};
        CommandLine cli = new CommandLine(new TrainCommand());
        JobFile f = JobFile.forCommand(args, cli);
        // A damaged state directory names --start-over as the way out; the file's start-over
        // line did not cause it.
        assertEquals(
                "",
                JobFile.originPrefix(
                        f,
                        io.streamgrad.config.InvalidSettingException.withRemedies(
                                "the state directory d is damaged: {start-over} trains afresh, or"
                                        + " another {group-id}")));
        // A refusal of a value the file gave still names its line.
        assertEquals(
                job + ":3: ",
                JobFile.originPrefix(
                        f,
                        new io.streamgrad.config.InvalidSettingException(
                                "{group-id} g1 is in use; {start-over} does not help")));
    }

    private static void assertUsage(String expected, String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Streamgrad.execute(args, new PrintStream(err, true, StandardCharsets.UTF_8));
        String message = err.toString(StandardCharsets.UTF_8);
        assertEquals(2, exit, message);
        assertTrue(message.contains(expected), message);
        assertEquals(1, message.strip().lines().count(), "one line: " + message);
    }
}
