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

class CsvReaderTest {
    private static Path file(Path dir, String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    @Test
    void headerOptionalLabelLastByDefaultWholeNumbersAreClasses(@TempDir Path dir)
            throws IOException {
        Dataset plain =
                CsvReader.read(file(dir, "a.csv", "1,2,0\n3,4,2\n\n5,6,1\n"), (String) null, null);
        assertEquals(3, plain.size());
        assertArrayEquals(new float[] {3, 4}, plain.features()[1]);
        assertArrayEquals(new double[] {0, 2, 1}, plain.labels());
        assertEquals(List.of("0", "1", "2"), plain.classNames());

        Dataset named =
                CsvReader.read(
                        file(dir, "b.csv", "species,len,width\nsetosa,1,2\nvirginica,3,4\n"),
                        "species",
                        null);
        assertEquals(List.of("setosa", "virginica"), named.classNames());
        assertArrayEquals(new float[] {3, 4}, named.features()[1]);
        assertArrayEquals(new double[] {0, 1}, named.labels());

        Dataset byIndex = CsvReader.read(file(dir, "c.csv", "b,1,2\na,3,4\nb,5,6\n"), "0", null);
        assertEquals(List.of("a", "b"), byIndex.classNames(), "sorted names");
        assertArrayEquals(new double[] {1, 0, 1}, byIndex.labels());

        Dataset regression =
                CsvReader.read(file(dir, "d.csv", "1,2,0.5\n3,4,-1\n"), (String) null, null);
        assertFalse(regression.classification());
        assertArrayEquals(new double[] {0.5, -1}, regression.labels());
        Dataset wholeTargets =
                CsvReader.read(file(dir, "e.csv", "1,2,300\n3,4,250\n"), null, null, true);
        assertFalse(wholeTargets.classification(), "asked for regression: 300 is a target");
        assertArrayEquals(new double[] {300, 250}, wholeTargets.labels());
        DataFileException word =
                assertThrows(
                        DataFileException.class,
                        () ->
                                CsvReader.read(
                                        file(dir, "w.csv", "1,2,3\n3,4,x\n"), null, null, true));
        assertTrue(
                word.getMessage()
                        .endsWith("w.csv:2: column 2 (the regression target) is 'x', not a number"),
                word.getMessage());
    }

    @Test
    void aTestFileUsesTheTrainingClassesAndRefusesNewOnes(@TempDir Path dir) throws IOException {
        Dataset train = CsvReader.read(file(dir, "t.csv", "1,cat\n2,dog\n"), (String) null, null);
        Dataset test =
                CsvReader.read(file(dir, "s.csv", "5,dog\n6,cat\n"), null, train.classNames());
        assertArrayEquals(new double[] {1, 0}, test.labels());
        DataFileException unseen =
                assertThrows(
                        DataFileException.class,
                        () ->
                                CsvReader.read(
                                        file(dir, "u.csv", "5,dog\n6,cow\n"),
                                        null,
                                        train.classNames()));
        assertTrue(
                unseen.getMessage()
                        .endsWith(
                                "u.csv:2: class 'cow' never appeared in training (classes: cat,"
                                        + " dog): remove such rows or train on data that has"
                                        + " them"),
                unseen.getMessage());
    }

    @Test
    void badRowsAndColumnsNameFileAndLine(@TempDir Path dir) throws IOException {
        DataFileException fields =
                assertThrows(
                        DataFileException.class,
                        () ->
                                CsvReader.read(
                                        file(dir, "f.csv", "x,y,l\n1,2,0\n1,2\n"),
                                        (String) null,
                                        null));
        assertTrue(
                fields.getMessage().endsWith("f.csv:3: 2 fields, expected 3 (as in the header)"),
                fields.getMessage());
        DataFileException notNumber =
                assertThrows(
                        DataFileException.class,
                        () ->
                                CsvReader.read(
                                        file(dir, "g.csv", "1,2,0\n1,abc,0\n"),
                                        (String) null,
                                        null));
        assertTrue(
                notNumber.getMessage().endsWith("g.csv:2: column 1 is 'abc', not a number"),
                notNumber.getMessage());
        DataFileException noColumn =
                assertThrows(
                        DataFileException.class,
                        () -> CsvReader.read(file(dir, "h.csv", "x,y,l\n1,2,0\n"), "label", null));
        assertTrue(
                noColumn.getMessage()
                        .endsWith("--label-column 'label' does not exist; columns: x, y, l"),
                noColumn.getMessage());
        DataFileException noIndex =
                assertThrows(
                        DataFileException.class,
                        () -> CsvReader.read(file(dir, "i.csv", "1,2,0\n"), "5", null));
        assertTrue(noIndex.getMessage().contains("columns 0 to 2"), noIndex.getMessage());
    }
}
