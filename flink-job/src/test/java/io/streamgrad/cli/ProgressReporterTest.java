package io.streamgrad.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamgrad.schema.MetricKind;
import io.streamgrad.schema.TrainingMetric;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProgressReporterTest {
    private static TrainingMetric epochEnd(String model, double loss) {
        return TrainingMetric.newBuilder()
                .setRunId("r")
                .setModel(model)
                .setIteration(313)
                .setKind(MetricKind.EPOCH)
                .setEpoch(1)
                .setEpochIteration(313)
                .setBatchSize(10_000)
                .setLoss(loss)
                .setSmoothedLoss(loss)
                .setAccuracy(0.9)
                .setExamplesSeen(20_000)
                .setBatchEventTimeMin(0)
                .setBatchEventTimeMax(0)
                .setEmittedAt(0)
                .build();
    }

    @Test
    void aBacktestsEpochLinesNameTheirVariantAndATrainJobsDoNot() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ProgressReporter r =
                new ProgressReporter(new PrintStream(out, true, StandardCharsets.UTF_8));
        r.onMetric(epochEnd("default@sgd", 0.2434));
        r.onMetric(epochEnd("default@adam", 0.2050));
        r.onMetric(epochEnd("default", 0.1300));
        List<String> lines = out.toString(StandardCharsets.UTF_8).strip().lines().toList();
        assertEquals(3, lines.size(), lines.toString());
        assertTrue(lines.get(0).contains("default@sgd | epoch 1 done after 313"), lines.get(0));
        assertTrue(lines.get(1).contains("default@adam | epoch 1"), lines.get(1));
        assertTrue(lines.get(2).strip().startsWith("epoch 1 done"), lines.get(2));
    }

    @Test
    void aBacktestsIterationLineNamesItsVariantToo() {
        TrainingMetric step =
                TrainingMetric.newBuilder(epochEnd("default@adam", 0.25))
                        .setKind(MetricKind.ITERATION)
                        .setIteration(226)
                        .setExamplesSeen(14_464)
                        .build();
        assertEquals(
                "  default@adam | epoch 1 | iteration 226 | 14,464 examples | 7,232 examples/s"
                        + " | loss 0.2500 (smoothed 0.2500) | batch accuracy 0.900",
                ProgressReporter.line(step, 7_232, 0));
        step.setModel("default");
        assertTrue(ProgressReporter.line(step, 7_232, 0).startsWith("  epoch 1 | iteration 226"));
        assertTrue(
                ProgressReporter.line(step, 7_232, 1_234)
                        .endsWith("| batch accuracy 0.900 | 1,234 dead-lettered"));
    }

    @Test
    void deadLettersCountOnTheLinesAfterThem() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ProgressReporter r =
                new ProgressReporter(new PrintStream(out, true, StandardCharsets.UTF_8));
        TrainingMetric step =
                TrainingMetric.newBuilder(epochEnd("default", 0.25))
                        .setKind(MetricKind.ITERATION)
                        .build();
        r.onMetric(step);
        r.onMetric(epochEnd("default", 0.13));
        r.onDeadLetter();
        r.onDeadLetter();
        r.onMetric(TrainingMetric.newBuilder(step).setIteration(400).setEpoch(2).build());
        r.ended();
        List<String> lines = out.toString(StandardCharsets.UTF_8).strip().lines().toList();
        assertEquals(3, lines.size(), lines.toString());
        assertTrue(!lines.get(0).contains("dead-lettered"), lines.get(0));
        assertTrue(lines.get(2).endsWith("| 2 dead-lettered"), lines.get(2));
    }

    @Test
    void deadLettersCommittedAfterTheLastLineAreCountedAtTheEndOnce() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ProgressReporter r =
                new ProgressReporter(new PrintStream(out, true, StandardCharsets.UTF_8));
        TrainingMetric step =
                TrainingMetric.newBuilder(epochEnd("default", 0.25))
                        .setKind(MetricKind.ITERATION)
                        .build();
        r.onDeadLetter();
        r.onMetric(step);
        r.onMetric(epochEnd("default", 0.13)); // shows the iteration, 1 dead-lettered
        for (int i = 0; i < 1_200; i++) {
            r.onDeadLetter(); // committed with the job's last checkpoint
        }
        r.ended();
        r.ended();
        List<String> lines = out.toString(StandardCharsets.UTF_8).strip().lines().toList();
        assertEquals(3, lines.size(), lines.toString());
        assertTrue(lines.get(0).endsWith("| 1 dead-lettered"), lines.get(0));
        assertEquals("  1,201 dead-lettered by the end of the run", lines.get(2));
    }

    @Test
    void aRunWhoseLastLineHasTheWholeCountSaysItOnce() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ProgressReporter r =
                new ProgressReporter(new PrintStream(out, true, StandardCharsets.UTF_8));
        r.onDeadLetter();
        r.onMetric(
                TrainingMetric.newBuilder(epochEnd("default", 0.25))
                        .setKind(MetricKind.ITERATION)
                        .build());
        r.ended();
        List<String> lines = out.toString(StandardCharsets.UTF_8).strip().lines().toList();
        assertEquals(1, lines.size(), lines.toString());
        assertTrue(lines.get(0).endsWith("| 1 dead-lettered"), lines.get(0));
    }

    @Test
    void theIterationThatEndsAnEpochOrTheRunIsShownEvenWhenTheThrottleHeldItBack() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ProgressReporter r =
                new ProgressReporter(new PrintStream(out, true, StandardCharsets.UTF_8));
        TrainingMetric step = TrainingMetric.newBuilder(epochEnd("default", 0.25)).build();
        step.setKind(MetricKind.ITERATION);
        for (int i = 311; i <= 313; i++) {
            r.onMetric(TrainingMetric.newBuilder(step).setIteration(i).build());
        }
        // Nothing prints an iteration line but the end of an epoch or of the run (no poll here).
        assertEquals("", out.toString(StandardCharsets.UTF_8));
        r.onMetric(epochEnd("default", 0.1300));
        r.onMetric(TrainingMetric.newBuilder(step).setIteration(400).setEpoch(2).build());
        r.ended();
        List<String> lines = out.toString(StandardCharsets.UTF_8).strip().lines().toList();
        assertEquals(3, lines.size(), lines.toString());
        assertTrue(lines.get(0).contains("iteration 313 |"), lines.get(0));
        assertTrue(lines.get(1).contains("epoch 1 done after 313"), lines.get(1));
        assertTrue(lines.get(2).contains("epoch 2 | iteration 400 |"), lines.get(2));
        // Each once: the end of the run does not repeat a line already shown.
        r.ended();
        assertEquals(3, out.toString(StandardCharsets.UTF_8).strip().lines().count());
    }

    @Test
    void eachVariantsLastIterationIsShownBeforeItsOwnEpochLineAndAtTheEnd() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ProgressReporter r =
                new ProgressReporter(new PrintStream(out, true, StandardCharsets.UTF_8));
        for (int i = 312; i <= 313; i++) {
            for (String model : List.of("default@sgd", "default@adam")) {
                r.onMetric(
                        TrainingMetric.newBuilder(epochEnd(model, 0.2))
                                .setKind(MetricKind.ITERATION)
                                .setIteration(i)
                                .build());
            }
        }
        r.onMetric(epochEnd("default@sgd", 0.2434));
        r.ended();
        List<String> lines = out.toString(StandardCharsets.UTF_8).strip().lines().toList();
        assertEquals(3, lines.size(), lines.toString());
        assertTrue(lines.get(0).contains("default@sgd | epoch 1 | iteration 313 |"), lines.get(0));
        assertTrue(lines.get(1).contains("default@sgd | epoch 1 done after 313"), lines.get(1));
        assertTrue(lines.get(2).contains("default@adam | epoch 1 | iteration 313 |"), lines.get(2));
    }

    @Test
    void theRateIsSinceTheLineBeforeAndAResumedRunsEarlierAttemptsDoNotCount() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ProgressReporter r =
                new ProgressReporter(new PrintStream(out, true, StandardCharsets.UTF_8));
        long second = 1_000L;
        r.startedAt(10 * second);
        TrainingMetric step =
                TrainingMetric.newBuilder(epochEnd("default", 0.25))
                        .setKind(MetricKind.ITERATION)
                        .setEpoch(0)
                        .setBatchSize(64)
                        .build();
        // Resumed with 34,784 examples trained by earlier attempts: its first step, 2 s after
        // the start, trained 64 of them.
        r.onMetric(
                TrainingMetric.newBuilder(step)
                        .setIteration(544)
                        .setExamplesSeen(34_848)
                        .setEmittedAt(12 * second)
                        .build());
        r.ended();
        // Then 1,500 examples in the 5 s of updates to the next line, whenever they arrive (a
        // checkpoint's commit hands them over at once).
        r.onMetric(
                TrainingMetric.newBuilder(step)
                        .setIteration(568)
                        .setExamplesSeen(36_348)
                        .setEmittedAt(17 * second)
                        .build());
        r.ended();
        List<String> lines = out.toString(StandardCharsets.UTF_8).strip().lines().toList();
        assertEquals(2, lines.size(), lines.toString());
        assertTrue(lines.get(0).contains("| 34,848 examples | 32 examples/s |"), lines.get(0));
        assertTrue(lines.get(1).contains("| 36,348 examples | 300 examples/s |"), lines.get(1));

        // An earlier attempt's update, committed by this attempt's recovery, is history; and two
        // lines within one burst of updates say no rate.
        ByteArrayOutputStream again = new ByteArrayOutputStream();
        ProgressReporter resumed =
                new ProgressReporter(new PrintStream(again, true, StandardCharsets.UTF_8));
        resumed.startedAt(100 * second);
        resumed.onMetric(
                TrainingMetric.newBuilder(step)
                        .setIteration(600)
                        .setExamplesSeen(38_400)
                        .setEmittedAt(60 * second)
                        .build());
        resumed.onMetric(
                TrainingMetric.newBuilder(step)
                        .setIteration(601)
                        .setExamplesSeen(38_464)
                        .setEmittedAt(102 * second)
                        .build());
        resumed.ended();
        resumed.onMetric(
                TrainingMetric.newBuilder(step)
                        .setIteration(602)
                        .setExamplesSeen(38_528)
                        .setEmittedAt(102 * second + 10)
                        .build());
        resumed.ended();
        List<String> more = again.toString(StandardCharsets.UTF_8).strip().lines().toList();
        assertTrue(more.get(0).contains("| 38,464 examples | 32 examples/s |"), more.get(0));
        assertTrue(more.get(1).contains("| 38,528 examples | – examples/s |"), more.get(1));
    }
}
