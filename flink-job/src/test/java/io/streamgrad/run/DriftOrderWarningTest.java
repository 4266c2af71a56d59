package io.streamgrad.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamgrad.job.JobConfig;
import io.streamgrad.run.flags.TrainJobOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * Drift detectors over a replay that shuffles its range are warned about; in order they are not.
 */
class DriftOrderWarningTest {
    @Command(name = "train")
    static final class Train {
        @Mixin TrainJobOptions job = new TrainJobOptions();
    }

    private static Optional<String> warning(String... flags) {
        List<String> args = new ArrayList<>(List.of("--bootstrap-servers", "localhost:1"));
        args.addAll(List.of(flags));
        Train t = new Train();
        new CommandLine(t).parseArgs(args.toArray(String[]::new));
        JobConfig c = t.job.toJobConfig("r");
        return TrainRun.driftOrderWarning(c);
    }

    @Test
    void aShuffledReplayHidesADriftAndSaysHowToKeepTheOrder() {
        String w = warning("--bounded", "--drift-detector", "adwin").orElseThrow();
        assertTrue(w.contains("--shuffle blocks reads streamgrad.events in a shuffled order"), w);
        assertTrue(w.contains("--shuffle window"), w);
        // pass reads its first epoch in order and shuffles the later ones.
        assertTrue(
                warning(
                                "--bounded",
                                "--shuffle",
                                "pass",
                                "--epochs",
                                "3",
                                "--drift-detector",
                                "adwin")
                        .orElseThrow()
                        .contains("--shuffle pass reads epochs 2 to 3 of streamgrad.events"));
    }

    @Test
    void inOrderLiveOrWithoutDetectorsThereIsNothingToSay() {
        assertEquals(Optional.empty(), warning("--bounded"));
        assertEquals(
                Optional.empty(),
                warning("--bounded", "--shuffle", "window", "--drift-detector", "adwin"));
        assertEquals(
                Optional.empty(),
                warning("--bounded", "--window", "event-time:10s", "--drift-detector", "adwin"));
        assertEquals(Optional.empty(), warning("--drift-detector", "adwin"));
        assertEquals(
                Optional.empty(),
                warning("--bounded", "--shuffle", "pass", "--drift-detector", "adwin"));
    }
}
