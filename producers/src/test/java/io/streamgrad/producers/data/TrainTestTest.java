package io.streamgrad.producers.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainTestTest {
    private static String hundredRows() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            b.append(i).append(',').append((i * 7) % 13).append(',').append(i % 2).append('\n');
        }
        return b.toString();
    }

    /** Issue 13: 100 rows with a BOM, 20 % held out: 80 trained, 20 held out, as without it. */
    @Test
    void aBomFileSplitsEightyTwentyExactlyAsWithout(@TempDir Path dir) throws IOException {
        Path plain = Files.writeString(dir.resolve("plain.csv"), hundredRows());
        Path bom = Files.writeString(dir.resolve("bom.csv"), "\uFEFF" + hundredRows());
        TrainTest a = TrainTest.load("csv:" + plain, CsvOptions.guess(null), 0.2, 42);
        TrainTest b = TrainTest.load("csv:" + bom, CsvOptions.guess(null), 0.2, 42);
        assertEquals(80, b.train().size());
        assertEquals(20, b.test().size());
        assertArrayEquals(a.train().features(), b.train().features());
        assertArrayEquals(a.train().labels(), b.train().labels());
        assertArrayEquals(a.test().features(), b.test().features());
        assertArrayEquals(a.test().labels(), b.test().labels());
    }

    @Test
    void aRegressionTestFileIsReadAsTargetsEvenWhenItsValuesAreWhole(@TempDir Path dir)
            throws IOException {
        Path train = Files.writeString(dir.resolve("t.csv"), "1,0.5\n2,1.5\n");
        Path test = Files.writeString(dir.resolve("s.csv"), "3,2\n4,3\n");
        TrainTest t = TrainTest.load("csv:" + train + "," + test, CsvOptions.guess(null), 0.2, 1);
        assertFalse(t.test().classification());
        assertArrayEquals(new double[] {2, 3}, t.test().labels());
    }

    @Test
    void aTestFileUsesTheTrainingClasses(@TempDir Path dir) throws IOException {
        Path train = Files.writeString(dir.resolve("t.csv"), "1,-1\n2,+1\n");
        Path test = Files.writeString(dir.resolve("s.csv"), "3,1\n4,1\n5,-1\n");
        TrainTest t = TrainTest.load("csv:" + train + "," + test, CsvOptions.guess(null), 0.2, 1);
        assertEquals(List.of("-1", "1"), t.test().classNames());
        assertArrayEquals(new double[] {1, 1, 0}, t.test().labels());
        Path wide = Files.writeString(dir.resolve("w.csv"), "3,4,1\n");
        DataFileException e =
                assertThrows(
                        DataFileException.class,
                        () ->
                                TrainTest.load(
                                        "csv:" + train + "," + wide,
                                        CsvOptions.guess(null),
                                        0.2,
                                        1));
        assertTrue(e.getMessage().contains("has 2 features but"), e.getMessage());
    }

    @Test
    void skippedRowsAreCounted(@TempDir Path dir) throws IOException {
        Path f = Files.writeString(dir.resolve("m.csv"), hundredRows() + "5,5,NA\n6,6,?\n");
        TrainTest t =
                TrainTest.load("csv:" + f, new CsvOptions(null, LabelKind.GUESS, true), 0.2, 7);
        assertEquals(2, t.skippedRows());
        assertEquals(100, t.train().size() + t.test().size());
    }
}
