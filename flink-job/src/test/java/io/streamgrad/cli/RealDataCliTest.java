package io.streamgrad.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamgrad.model.Activation;
import io.streamgrad.model.DenseNetwork;
import io.streamgrad.model.ModelSpec;
import io.streamgrad.model.OptimizerSpec;
import io.streamgrad.producers.data.CsvOptions;
import io.streamgrad.producers.data.LabelKind;
import io.streamgrad.run.DemoData;
import io.streamgrad.run.Holdout;
import io.streamgrad.schema.LabeledEvent;
import io.streamgrad.schema.Task;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Issue 13 at the command line: data that cannot train is refused before Kafka starts, with one
 * line naming the file, line, column, value and the flag; data that can is read as the user means
 * it. No test here starts a broker.
 */
class RealDataCliTest {
    private record Run(int exit, String err) {}

    private static Run run(String... args) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int exit = Streamgrad.execute(args, new PrintStream(buf, true, StandardCharsets.UTF_8));
        return new Run(exit, buf.toString(StandardCharsets.UTF_8));
    }

    private static void refused(Run r, String expected) {
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains(expected), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
    }

    private static Path write(Path dir, String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    private static String rows(int n, String... labels) {
        StringBuilder b = new StringBuilder("a,b,y\n");
        for (int i = 0; i < n; i++) {
            b.append(i % 10).append(',').append((i * 7) % 5).append(',');
            b.append(labels[(i * 3 + i / 7) % labels.length]).append('\n');
        }
        return b.toString();
    }

    @Test
    void aNonNumberInTheTestFileStopsTheDemoBeforeKafka(@TempDir Path dir) throws IOException {
        Path train = write(dir, "train.csv", rows(30, "0", "1"));
        Path test = write(dir, "test.csv", "a,b,y\n1,2,0\n3,Infinity,1\n");
        refused(
                run("demo", "--dataset", "csv:" + train + "," + test),
                "test.csv:3: column 'b' is 'Infinity', not a finite number");
    }

    @Test
    void aMissingLabelNamesTheLineAndTheFlag(@TempDir Path dir) throws IOException {
        Path f = write(dir, "binary.csv", rows(30, "0", "1") + "4,4,NA\n");
        refused(
                run("demo", "--dataset", "csv:" + f),
                "binary.csv:32: the label is missing (column 'y' is 'NA'): fill it in, or pass"
                        + " --skip-missing-labels");
    }

    @Test
    void threeClassesForABinaryTaskAreRefusedWithTheClassesAndTheFlag(@TempDir Path dir)
            throws IOException {
        Path f = write(dir, "three.csv", rows(30, "red", "green", "blue"));
        refused(
                run("demo", "--dataset", "csv:" + f, "--model", "mlp:4", "--task", "binary"),
                "has 3 classes (blue, green, red) but --model mlp:4 (binary) takes two: use"
                        + " --model softmax or --task multiclass");
    }

    @Test
    void anEventOverKafkasRecordLimitIsRefusedUpFront(@TempDir Path dir) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int row = 0; row < 2; row++) {
            for (int j = 0; j < 280_000; j++) {
                b.append(j % 3).append(',');
            }
            b.append(row).append('\n');
        }
        Path wide = write(dir, "wide.csv", b.toString());
        refused(
                run("demo", "--dataset", "csv:" + wide, "--holdout-fraction", "0.5"),
                "an event of 280,000 features is 1,12");
    }

    @Test
    void aSyntheticEventOverTheLimitIsRefusedUpFrontToo() {
        refused(
                run("demo", "--features", "300000", "--model", "linear"),
                "an event of 300,000 features is 1,200,");
        refused(
                run(
                        "produce",
                        "synthetic",
                        "--bootstrap-servers",
                        "localhost:1",
                        "--features",
                        "300000"),
                "an event of 300,000 features is 1,200,");
    }

    private static DemoData load(Path f, String task, String model) {
        Task t =
                ModelSpec.parse(
                                model,
                                task == null ? null : Task.fromWireName(task),
                                1,
                                2,
                                Activation.RELU,
                                null,
                                0)
                        .task();
        return DemoData.load(
                "csv:" + f,
                "demo",
                new CsvOptions(null, LabelKind.forTraining(task, model), false),
                0.2,
                42,
                t,
                model);
    }

    /** --model linear on whole-number targets trains the same events as --task regression. */
    @Test
    void linearMeansRegressionAsTaskRegressionDoes(@TempDir Path dir) throws IOException {
        Path f = write(dir, "counts.csv", rows(50, "0", "3", "7", "12"));
        DemoData linear = load(f, null, "linear");
        DemoData regression = load(f, "regression", "mlp:8");
        assertTrue(linear.classNames().isEmpty(), "no classes: a regression");
        assertEquals(40, linear.trainEvents());
        for (long i = 0; i < linear.trainEvents(); i++) {
            LabeledEvent a = linear.trainEvent().apply(i);
            assertTrue(a.getLabel() instanceof Double, "a double target: " + a.getLabel());
            assertEquals(a, regression.trainEvent().apply(i));
        }
        assertEquals(linear.holdout(), regression.holdout());
    }

    /** Labels −1/+1 and 1/2 give the same events as 0/1, with their names kept. */
    @Test
    void minusOnePlusOneAndOneTwoAreTheSameTwoClassesAsZeroOne(@TempDir Path dir)
            throws IOException {
        DemoData zeroOne = load(write(dir, "01.csv", rows(50, "0", "1")), "binary", "logistic");
        DemoData pm = load(write(dir, "pm.csv", rows(50, "-1", "+1")), "binary", "logistic");
        DemoData oneTwo = load(write(dir, "12.csv", rows(50, "1", "2")), null, "logistic");
        assertEquals(List.of("-1", "1"), pm.classNames());
        assertEquals(List.of("1", "2"), oneTwo.classNames());
        for (long i = 0; i < zeroOne.trainEvents(); i++) {
            Object label = zeroOne.trainEvent().apply(i).getLabel();
            assertEquals(label, pm.trainEvent().apply(i).getLabel());
            assertEquals(label, oneTwo.trainEvent().apply(i).getLabel());
        }
    }

    /** A held-out event the model cannot score is counted, not a crash. */
    @Test
    void heldOutEventsTheModelCannotScoreAreCounted() {
        ModelSpec spec = ModelSpec.parse("logistic", 2, 2, Activation.RELU);
        DenseNetwork net =
                DenseNetwork.create(spec, new OptimizerSpec("sgd", 0.1), 1, DataType.FLOAT);
        List<LabeledEvent> events = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            events.add(
                    LabeledEvent.newBuilder()
                            .setModel("demo")
                            .setEventId("test-" + i)
                            .setEventTime(0)
                            .setFeatures(List.of(1f, i == 2 ? Float.NaN : 2f))
                            .setLabel(i == 3 ? 5 : i % 2)
                            .build());
        }
        Holdout h = Holdout.evaluate(net, events);
        assertEquals(2, h.scored());
        assertEquals(2, h.unscored());
        assertTrue(h.firstUnscored().contains("test-2 feature 1 is NaN"), h.firstUnscored());
        Holdout two = Holdout.evaluate(net, events.subList(0, 2));
        assertEquals(two.loss(), h.loss(), 1e-6, "scored on the good events only");
        Holdout none = Holdout.evaluate(net, events.subList(2, 4));
        assertNull(none.accuracy());
        assertArrayEquals(new int[] {0, 2}, new int[] {none.scored(), none.unscored()});
    }
}
