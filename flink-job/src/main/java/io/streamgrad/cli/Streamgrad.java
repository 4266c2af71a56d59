package io.streamgrad.cli;

import io.streamgrad.config.InvalidSettingException;
import io.streamgrad.job.RunStoppedException;
import io.streamgrad.kafka.InvalidClientConfigException;
import io.streamgrad.kafka.KafkaAuthenticationException;
import io.streamgrad.kafka.KafkaUnreachableException;
import io.streamgrad.run.ClassDataArchive;
import io.streamgrad.run.JobRunner;
import io.streamgrad.run.flags.Flags;
import io.streamgrad.run.flags.JobFile;
import io.streamgrad.run.flags.Nearest;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "streamgrad",
        mixinStandardHelpOptions = true,
        version = "streamgrad 0.1.0",
        description = "Online mini-batch learning on Kafka streams with Apache Flink and ND4J.",
        footerHeading =
                "%nEnvironment, read by the ./streamgrad launcher (README: Memory, Threads,"
                        + " Start-up):%n",
        footer = {
            "  STREAMGRAD_HEAP       fixed JVM heap (-Xms = -Xmx), 512m or more; default 1g",
            "  STREAMGRAD_JAVA_OPTS  more JVM flags (a heap size there wins)",
            "  OMP_NUM_THREADS       ND4J's CPU threads, default 1",
            "  STREAMGRAD_CDS        0 turns off the start-up archive (JDK 25+: an AOT cache)",
            "  STREAMGRAD_CDS_DIR    where it lives; default flink-job/target/cds",
            "  JAVA_HOME             the Java to run: 17 or later (25+ for the AOT cache)"
        },
        subcommands = {
            DemoCommand.class,
            ProduceCommand.class,
            TrainCommand.class,
            EvaluateCommand.class,
            BacktestCommand.class,
            SnapshotsCommand.class,
            DeadLettersCommand.class,
            PredictCommand.class,
            PlotCommand.class,
            AdviseCommand.class,
            JoinCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Streamgrad {
    @Option(
            names = "--verbose",
            scope = CommandLine.ScopeType.INHERIT,
            description = "Show Flink/Kafka logs and stack traces of errors")
    boolean verbose;

    /**
     * Every command answers {@code --version} (their {@code -V} comes with the standard help
     * options) with the root's version, not an empty line.
     */
    private static void shareVersion(CommandLine command, String[] version) {
        for (CommandLine sub : command.getSubcommands().values()) {
            sub.getCommandSpec().version(version);
            shareVersion(sub, version);
        }
    }

    public static void main(String[] args) {
        int exitCode = 1;
        try {
            exitCode = execute(args, System.err);
            ClassDataArchive.writeIfAsked(exitCode, System.err);
        } finally {
            // Flink's non-daemon threads would keep the JVM alive past an error.
            System.exit(exitCode);
        }
    }

    /**
     * " (did you mean --features?)" for a mistyped flag within two edits of a flag of the command
     * (the nearest, at most two of them); "" otherwise. picocli's own suggestions are the flags
     * sharing the first two letters, which for {@code --bogus} named {@code --bootstrap-servers}.
     */
    static String suggestion(CommandLine.ParameterException ex) {
        // A required flag typed another way (--bootstrap-server, Kafka's own spelling) is
        // reported missing before it is reported unknown: the unknown one may be the fix.
        List<String> unmatched =
                ex instanceof CommandLine.UnmatchedArgumentException u
                        ? u.getUnmatched()
                        : ex instanceof CommandLine.MissingParameterException
                                        && ex.getCommandLine() != null
                                ? ex.getCommandLine().getUnmatchedArguments()
                                : List.of();
        if (unmatched.isEmpty()) {
            return "";
        }
        if (unmatched.stream().anyMatch(a -> a.startsWith("@"))) {
            return " (argument files are not read: put the settings in a job file, --config"
                    + " FILE.yaml)";
        }
        CommandLine.Model.CommandSpec spec = ex.getCommandLine().getCommandSpec();
        String first = unmatched.get(0);
        if (!first.startsWith("-") && !spec.subcommands().isEmpty()) {
            // A command mistyped (trian): the nearest commands, or all of them.
            List<String> commands =
                    spec.subcommands().keySet().stream().filter(n -> !n.equals("help")).toList();
            List<String> near = Nearest.to(first, commands);
            return near.isEmpty()
                    ? " (the commands: " + String.join(", ", commands) + ")"
                    : " (did you mean " + String.join(" or ", near) + "?)";
        }
        List<String> known =
                java.util.stream.Stream.concat(
                                spec.options().stream()
                                        .filter(o -> !o.hidden())
                                        .flatMap(o -> Arrays.stream(o.names())),
                                spec.negatedOptionsMap().keySet().stream())
                        .filter(n -> n.startsWith("--"))
                        .distinct()
                        .toList();
        java.util.Set<String> close = new java.util.LinkedHashSet<>();
        for (String typed : unmatched) {
            if (!typed.startsWith("--")) {
                continue;
            }
            String flag = typed.contains("=") ? typed.substring(0, typed.indexOf('=')) : typed;
            close.addAll(Nearest.to(flag, known));
        }
        return close.isEmpty() ? "" : " (did you mean " + String.join(" or ", close) + "?)";
    }

    /**
     * Runs a command line; returns the exit code (0 ok, 1 failed, 2 wrong usage, 3 nothing matched:
     * {@code dead-letters} with filters no letter passes).
     */
    public static int execute(String[] args, PrintStream err) {
        boolean verbose = Arrays.asList(args).contains("--verbose");
        // Read by log4j2-cli.properties; set before any library logs.
        System.setProperty("streamgrad.log.level", verbose ? "INFO" : "ERROR");
        System.setProperty("streamgrad.log.libraries", verbose ? "INFO" : "FATAL");
        // Charts are drawn off-screen; no display is needed or wanted.
        System.setProperty("java.awt.headless", "true");
        CommandLine cli = new CommandLine(new Streamgrad());
        // One way to give settings from a file: a job file (--config), whose values are named by
        // file:line in errors. picocli's @argfiles would be a second way, and one the job file's
        // bookkeeping of what the command line set cannot see.
        cli.setExpandAtFiles(false);
        shareVersion(cli, cli.getCommandSpec().version());
        cli.setErr(new java.io.PrintWriter(err, true));
        JobFile jobFile;
        try {
            jobFile = JobFile.fromArgs(args, cli);
            if (jobFile != null) {
                cli.setDefaultValueProvider(jobFile);
            }
        } catch (InvalidSettingException e) {
            err.println("streamgrad: " + Flags.message(e));
            return 2;
        }
        cli.setParameterExceptionHandler(
                (ex, a) -> {
                    err.println(
                            "streamgrad: "
                                    + JobFile.originPrefix(jobFile, ex)
                                    + ex.getMessage()
                                    + suggestion(ex));
                    err.println(
                            "Run '"
                                    + ex.getCommandLine().getCommandSpec().qualifiedName()
                                    + " --help' for the flags.");
                    return 2;
                });
        cli.setExecutionExceptionHandler(
                (ex, commandLine, parseResult) -> {
                    if (verbose) {
                        ex.printStackTrace(err);
                    }
                    if (ex instanceof InvalidSettingException e) {
                        err.println(
                                "streamgrad: "
                                        + JobFile.originPrefix(jobFile, e)
                                        + Flags.message(e));
                        return 2;
                    }
                    if (ex instanceof InvalidClientConfigException) {
                        err.println("streamgrad: " + ex.getMessage());
                        return 2;
                    }
                    if (ex instanceof JobRunner.JobCancelledException e) {
                        // Ctrl-C or SIGTERM (the job was cancelled on the way out, and that was
                        // said), or an interrupt: nothing failed.
                        if (!e.announced()) {
                            err.println("streamgrad: " + ex.getMessage());
                        }
                        return 130;
                    }
                    if (ex instanceof KafkaUnreachableException
                            || ex instanceof KafkaAuthenticationException) {
                        err.println("streamgrad: " + ex.getMessage());
                        return 1;
                    }
                    RunStoppedException stopped = RunStoppedException.find(ex);
                    if (stopped != null) {
                        // Says what stopped the run and what to do: no class name, no trace.
                        err.println("streamgrad: " + stopped.getMessage());
                        return 1;
                    }
                    err.println(
                            "streamgrad: failed: "
                                    + rootMessage(ex)
                                    + (verbose ? "" : " (--verbose shows the stack trace)"));
                    return 1;
                });
        if (args.length > 0
                && !args[0].startsWith("-")
                && !cli.getSubcommands().containsKey(args[0])
                && Arrays.stream(args)
                        .anyMatch(a -> a.equals("-h") || a.equals("--help") || a.equals("-V"))) {
            // A mistyped command with --help (evalute --help): picocli would print the root's
            // usage and exit 0, as if the help asked for were given.
            try {
                return cli.getParameterExceptionHandler()
                        .handleParseException(
                                new CommandLine.UnmatchedArgumentException(
                                        cli, Arrays.asList(args)),
                                args);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        return cli.execute(args);
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = root.getMessage();
        return root.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }
}
