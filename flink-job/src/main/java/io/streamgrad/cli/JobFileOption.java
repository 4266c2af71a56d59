package io.streamgrad.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --config FILE}: read by {@link JobFile} before parsing; declared so --help shows it. */
final class JobFileOption {
    @Option(
            names = "--config",
            paramLabel = "FILE",
            description =
                    "A job file (YAML) whose keys are these flags' names without --; flags given"
                            + " on the command line override it")
    Path config;
}
