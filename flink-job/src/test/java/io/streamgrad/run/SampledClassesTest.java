package io.streamgrad.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamgrad.config.InvalidSettingException;
import io.streamgrad.job.JobConfig;
import io.streamgrad.run.flags.Flags;
import io.streamgrad.run.flags.TrainJobOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * The classes a topic's sampled events carry, against the model's: a model with fewer classes than
 * the data is refused (most of the data would be dead-lettered) or warned about (a few bad
 * records), a multi-class model on a binary topic warned about.
 */
class SampledClassesTest {
    @Command(name = "train")
    static final class Train {
        @Mixin TrainJobOptions job = new TrainJobOptions();
    }

    private static JobConfig config(String... flags) {
        List<String> args = new ArrayList<>(List.of("--bootstrap-servers", "localhost:1"));
        args.addAll(List.of(flags));
        Train t = new Train();
        new CommandLine(t).parseArgs(args.toArray(String[]::new));
        return t.job.toJobConfig("r");
    }

    private static Optional<String> warning(TopicSample sample, String... flags) {
        return TrainRun.fewerClassesWarning(config(flags), sample);
    }

    /** {@code events} sampled, labelled evenly with classes 0..largestClass. */
    private static TopicSample sample(long events, int largestClass) {
        TreeMap<Integer, Long> counts = new TreeMap<>();
        for (int k = 0; k <= largestClass; k++) {
            counts.put(k, events / (largestClass + 1));
        }
        return new TopicSample(20, 100, events, counts);
    }

    /** The same counts as each partition's newest events (a live run's sample). */
    private static TopicSample newest(TopicSample s) {
        return new TopicSample(
                s.featureCount(),
                s.eventsPerSecond(),
                s.sampled(),
                s.classCounts(),
                true,
                new TreeMap<>());
    }

    private static TopicSample sample(Map<Integer, Long> counts) {
        long events = counts.values().stream().mapToLong(Long::longValue).sum();
        return new TopicSample(20, 100, events, new TreeMap<>(counts));
    }

    @Test
    void aLogisticModelOnTenClassesIsRefusedNamingTheLargestClassAndSoftmax() {
        InvalidSettingException e =
                assertThrows(
                        InvalidSettingException.class,
                        () -> TrainRun.classesOutsideModel(config("--bounded"), sample(4_000, 9)));
        assertEquals(
                "3,200 of the first 4,000 labelled events of streamgrad.events carry classes"
                    + " outside the model's 0..1 (the largest seen is 9): the run would dead-letter"
                    + " them; if the data set has those classes, pass --model softmax --classes 10"
                    + " (or more, if the data set has classes the sample missed)",
                Flags.message(e));
        // A softmax of 5 classes on the same: --classes alone.
        String said =
                Flags.message(
                        assertThrows(
                                InvalidSettingException.class,
                                () ->
                                        TrainRun.classesOutsideModel(
                                                config("--model", "softmax", "--classes", "5"),
                                                newest(sample(4_000, 9)))));
        assertTrue(said.startsWith("2,000 of the last 4,000 labelled events"), said);
        assertTrue(said.contains("pass --classes 10 (or more"), said);
        // A binary MLP becomes multi-class.
        assertTrue(
                Flags.message(
                                assertThrows(
                                        InvalidSettingException.class,
                                        () ->
                                                TrainRun.classesOutsideModel(
                                                        config(
                                                                "--model", "mlp:8", "--task",
                                                                "binary"),
                                                        sample(4_000, 2))))
                        .contains("pass --task multiclass --classes 3"));
    }

    @Test
    void aFewClassesOutsideAreBadRecordsWarnedAboutAndNoneIsNothingToSay() {
        // 10% is the most that runs: 400 of 4,000, with classes 0..1 and 7.
        String w =
                TrainRun.classesOutsideModel(
                                config("--bounded"), sample(Map.of(0, 1_800L, 1, 1_800L, 7, 400L)))
                        .orElseThrow();
        assertEquals(
                "warning: 400 of the first 4,000 labelled events of streamgrad.events carry"
                        + " classes outside the model's 0..1 (the largest seen is 7): the job"
                        + " dead-letters them as class-out-of-range; if the data set has those"
                        + " classes, pass --model softmax --classes 8 (or more, if the data set"
                        + " has classes the sample missed)",
                w);
        assertThrows(
                InvalidSettingException.class,
                () ->
                        TrainRun.classesOutsideModel(
                                config("--bounded"),
                                sample(Map.of(0, 1_800L, 1, 1_799L, 7, 401L))));
        // Negative class indices are no setting's to fix.
        assertTrue(
                TrainRun.classesOutsideModel(config(), sample(Map.of(0, 99L, -1, 1L)))
                        .orElseThrow()
                        .endsWith(
                                "class-out-of-range; class indices are 0..K-1: check the"
                                        + " producer"));
        // Both kinds: the classes to give, and the negatives to fix.
        assertTrue(
                TrainRun.classesOutsideModel(config(), sample(Map.of(0, 98L, 3, 1L, -1, 1L)))
                        .orElseThrow()
                        .endsWith(
                                "pass --model softmax --classes 4 (or more, if the data set has"
                                        + " classes the sample missed); indices below 0 are the"
                                        + " producer's to fix"));
        assertEquals(Optional.empty(), TrainRun.classesOutsideModel(config(), sample(4_000, 1)));
        assertEquals(
                Optional.empty(),
                TrainRun.classesOutsideModel(config("--model", "linear"), sample(4_000, 9)),
                "regression has no classes");
    }

    @Test
    void softmaxOfTenClassesOnABinaryTopicIsWarnedAbout() {
        String w =
                warning(newest(sample(4_096, 1)), "--model", "softmax", "--classes", "10")
                        .orElseThrow();
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
        // One that starts at --from-offset says where its sample began.
        TopicSample from =
                new TopicSample(
                        20,
                        100,
                        4_096,
                        new TreeMap<>(Map.of(0, 2_048L, 1, 2_048L)),
                        false,
                        new TreeMap<>(Map.of(0, 6_000L, 2, 10L)));
        assertTrue(
                warning(from, "--bounded", "--model", "softmax", "--classes", "10")
                        .orElseThrow()
                        .startsWith(
                                "warning: the first 4,096 events of streamgrad.events from"
                                        + " partition 0's offset 6,000, partition 2's offset 10"
                                        + " carry only classes 0 and 1"));
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
