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

/** A multi-class model on a topic whose sample carries only classes 0 and 1 is warned about. */
class FewerClassesWarningTest {
    @Command(name = "train")
    static final class Train {
        @Mixin TrainJobOptions job = new TrainJobOptions();
    }

    private static Optional<String> warning(TopicSample sample, String... flags) {
        List<String> args = new ArrayList<>(List.of("--bootstrap-servers", "localhost:1"));
        args.addAll(List.of(flags));
        Train t = new Train();
        new CommandLine(t).parseArgs(args.toArray(String[]::new));
        JobConfig c = t.job.toJobConfig("r");
        return TrainRun.fewerClassesWarning(c, sample);
    }

    private static TopicSample sample(long events, int largestClass) {
        return new TopicSample(20, 100, events, largestClass);
    }

    @Test
    void softmaxOfTenClassesOnABinaryTopicIsWarnedAbout() {
        String w = warning(sample(4_096, 1), "--model", "softmax", "--classes", "10").orElseThrow();
        assertTrue(
                w.startsWith(
                        "warning: the last 4,096 events of streamgrad.events carry only classes 0"
                                + " and 1, and the model has 10: if the data set is binary,"
                                + " --model logistic"),
                w);
        // A bounded run samples the range's first events, a live one the newest.
        assertTrue(
                warning(sample(4_096, 1), "--bounded", "--model", "softmax", "--classes", "10")
                        .orElseThrow()
                        .startsWith("warning: the first 4,096 events"));
    }

    @Test
    void nothingToSayWhenTheClassesFitOrTheSampleIsSmallOrTheModelBinary() {
        String[] softmax = {"--model", "softmax", "--classes", "10"};
        assertEquals(Optional.empty(), warning(sample(4_096, 7), softmax), "class 7 seen");
        assertEquals(Optional.empty(), warning(sample(999, 1), softmax), "too few sampled");
        assertEquals(Optional.empty(), warning(sample(4_096, -1), softmax), "no int labels");
        assertEquals(Optional.empty(), warning(sample(4_096, 1)), "a binary model");
    }
}
