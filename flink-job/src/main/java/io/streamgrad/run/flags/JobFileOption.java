package io.streamgrad.run.flags;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --config FILE}: read by {@link JobFile} before parsing; declared so --help shows it. */
public final class JobFileOption {
    @Option(
            names = "--config",
            paramLabel = "FILE",
            description =
                    "A job file (YAML) whose keys are these flags' names without --; flags given"
                            + " on the command line override it")
    public Path config;
}
