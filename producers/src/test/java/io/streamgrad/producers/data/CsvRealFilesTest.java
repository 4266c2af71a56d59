package io.streamgrad.producers.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The kinds of CSV people export (issue 13), each as a small generated file. */
class CsvRealFilesTest {
    private static final String BOM = "\uFEFF";

    private static Path file(Path dir, String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text, StandardCharsets.UTF_8);
        return p;
    }

    /** 100 headerless rows "i/10, (i*7)%13, label", label alternating 0/1. */
    private static String hundredRows(String eol) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            b.append(
                    String.format(Locale.ROOT, "%.1f,%d,%d%s", i / 10.0, (i * 7) % 13, i % 2, eol));
        }
        return b.toString();
    }

    private static DataFileException refused(Path file, CsvOptions o, LabelMapping training) {
        DataFileException e =
                assertThrows(DataFileException.class, () -> CsvReader.readTest(file, o, training));
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        String withoutDir = e.getMessage().replace(file.getParent().toString(), "");
        assertTrue(withoutDir.length() < 250, "reasonable length: " + withoutDir);
        return e;
    }

    @Test
    void aByteOrderMarkIsNotDataHeaderlessFileKeepsAllRows(@TempDir Path dir) throws IOException {
        Dataset plain =
                CsvReader.read(file(dir, "plain.csv", hundredRows("\n")), CsvOptions.guess(null));
        Dataset bom =
                CsvReader.read(
                        file(dir, "bom.csv", BOM + hundredRows("\n")), CsvOptions.guess(null));
        assertEquals(100, bom.size(), "the first row is data, not a header");
        assertEquals(100, plain.size());
        assertArrayEquals(plain.features(), bom.features());
        assertArrayEquals(plain.labels(), bom.labels());
        assertEquals(List.of("0", "1"), bom.classNames());
        assertArrayEquals(new float[] {0f, 0f}, bom.features()[0]);
    }

    @Test
    void aByteOrderMarkBeforeAHeaderStillFindsTheLabelColumnByName(@TempDir Path dir)
            throws IOException {
        Path f = file(dir, "h.csv", BOM + "label,x,y\ncat,1,2\ndog,3,4\n");
        Dataset d = CsvReader.read(f, CsvOptions.guess("label"));
        assertEquals(List.of("cat", "dog"), d.classNames());
        assertArrayEquals(new float[] {3, 4}, d.features()[1]);
        assertArrayEquals(new double[] {0, 1}, d.labels());
    }

    @Test
    void quotedFieldsCommaInsideAndDoubledQuote(@TempDir Path dir) throws IOException {
        Path f =
                file(
                        dir,
                        "q.csv",
                        "price,weight,category\n"
                                + "1.5,2,\"Toys, Games\"\n"
                                + "\"3\",4,\"12\"\" pipe\"\n"
                                + "5,6,\"Toys, Games\"\n");
        Dataset d = CsvReader.read(f, CsvOptions.guess(null));
        assertEquals(List.of("12\" pipe", "Toys, Games"), d.classNames());
        assertArrayEquals(new double[] {1, 0, 1}, d.labels());
        assertArrayEquals(new float[] {3, 4}, d.features()[1]);
    }

    @Test
    void crlfLineEndingsAndATrailingNewline(@TempDir Path dir) throws IOException {
        Dataset lf = CsvReader.read(file(dir, "lf.csv", hundredRows("\n")), CsvOptions.guess(null));
        Dataset crlf =
                CsvReader.read(
                        file(dir, "crlf.csv", hundredRows("\r\n") + "\r\n"),
                        CsvOptions.guess(null));
        assertEquals(100, crlf.size());
        assertArrayEquals(lf.features(), crlf.features());
        assertArrayEquals(lf.labels(), crlf.labels());
        // and the line numbers of CRLF files are right
        Path bad = file(dir, "bad.csv", "a,b,l\r\n1,2,0\r\n\r\n3,x,1\r\n");
        assertTrue(
                refused(bad, CsvOptions.guess(null), null)
                        .getMessage()
                        .endsWith("bad.csv:4: column 'b' is 'x', not a number"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"NaN", "Infinity", "-Infinity", "4e38", "7d", "2.5f", "0x1p3"})
    void notNumbersAreRefusedAtFileLineAndColumnInTrainAndTestFiles(String value, @TempDir Path dir)
            throws IOException {
        String text = "height,width,label\n1,2,0\n3,4,1\n5," + value + ",1\n";
        DataFileException train =
                refused(file(dir, "train.csv", text), CsvOptions.guess(null), null);
        assertTrue(
                train.getMessage().contains("train.csv:4: column 'width' is '" + value + "', "),
                train.getMessage());
        DataFileException test =
                refused(
                        file(dir, "test.csv", text),
                        CsvOptions.guess(null),
                        LabelMapping.of(List.of("0", "1")));
        assertTrue(
                test.getMessage().contains("test.csv:4: column 'width' is '" + value + "', "),
                test.getMessage());
        String why = train.getMessage();
        switch (value) {
            case "NaN", "Infinity", "-Infinity" ->
                    assertTrue(why.contains("not a finite number"), why);
            case "4e38" -> assertTrue(why.contains("outside float32's range"), why);
            default -> assertTrue(why.contains("Java-only spelling"), why);
        }
        // regression targets are checked alike
        DataFileException target =
                refused(
                        file(dir, "r.csv", "x,y\n1,0.5\n2," + value + "\n"),
                        new CsvOptions(null, LabelKind.TARGETS, false),
                        null);
        assertTrue(
                target.getMessage()
                        .contains(
                                value.equals("NaN")
                                        ? "r.csv:3: the label is missing (column 'y' is 'NaN')"
                                        : "r.csv:3: column 'y' (the regression target) is '"
                                                + value),
                target.getMessage());
    }

    @Test
    void largestFloat32AndTinyValuesAreNumbers(@TempDir Path dir) throws IOException {
        Dataset d =
                CsvReader.read(
                        file(dir, "ok.csv", "3.4e38,-1.5E-3,0\n+2.,.5,1\n"),
                        CsvOptions.guess(null));
        assertEquals(3.4e38f, d.features()[0][0]);
        assertEquals(-0.0015f, d.features()[0][1]);
        assertArrayEquals(new float[] {2f, 0.5f}, d.features()[1]);
    }

    /** Labels −1/+1, −1/1 and 1/2 give the same two classes as 0/1, in sorted order. */
    @ParameterizedTest
    @ValueSource(strings = {"-1/+1", "-1/1", "1/2"})
    void wholeNumberLabelsNotZeroToKAreClassesInSortedOrder(String pair, @TempDir Path dir)
            throws IOException {
        String[] names = pair.split("/");
        StringBuilder zeroOne = new StringBuilder("a,b,y\n");
        StringBuilder other = new StringBuilder("a,b,y\n");
        for (int i = 0; i < 40; i++) {
            int k = (i * 7) % 3 == 0 ? 1 : 0;
            String row = i + "," + (i % 5) + ",";
            zeroOne.append(row).append(k).append('\n');
            other.append(row).append(names[k]).append('\n');
        }
        Dataset reference =
                CsvReader.read(file(dir, "01.csv", zeroOne.toString()), CsvOptions.guess(null));
        Dataset d = CsvReader.read(file(dir, "pm.csv", other.toString()), CsvOptions.guess(null));
        assertTrue(d.classification());
        assertEquals(2, d.classes());
        assertEquals(
                List.of(LabelMapping.key(names[0]), LabelMapping.key(names[1])), d.classNames());
        assertArrayEquals(reference.labels(), d.labels(), "same classes as the 0/1 file");
        assertArrayEquals(reference.features(), d.features());
        assertEquals(List.of("0", "1"), reference.classNames());
    }

    @Test
    void minusOneAndPlusOneKeepTheirNamesInSortedOrder(@TempDir Path dir) throws IOException {
        Dataset d =
                CsvReader.read(file(dir, "pm.csv", "1,+1\n2,-1\n3,1\n"), CsvOptions.guess(null));
        assertEquals(List.of("-1", "1"), d.classNames());
        assertArrayEquals(new double[] {1, 0, 1}, d.labels());
        Dataset tens =
                CsvReader.read(file(dir, "t.csv", "1,10\n2,2\n3,1\n"), CsvOptions.guess(null));
        assertEquals(List.of("1", "2", "10"), tens.classNames(), "by value, not text");
    }

    @Test
    void theUserSaysTargetsWholeNumbersAreARegression(@TempDir Path dir) throws IOException {
        Path f = file(dir, "w.csv", "1,2,3\n4,5,1\n7,8,2\n");
        Dataset linear =
                CsvReader.read(
                        f, new CsvOptions(null, LabelKind.forTraining(null, "linear"), false));
        Dataset regression =
                CsvReader.read(
                        f,
                        new CsvOptions(null, LabelKind.forTraining("regression", "mlp:8"), false));
        assertFalse(linear.classification());
        assertArrayEquals(new double[] {3, 1, 2}, linear.labels());
        assertArrayEquals(regression.labels(), linear.labels());
        assertArrayEquals(regression.features(), linear.features());
        Dataset explicit =
                CsvReader.read(
                        f,
                        new CsvOptions(null, LabelKind.forTraining("multiclass", "linear"), false));
        assertTrue(explicit.classification(), "an explicit --task wins over the model");
        assertEquals(List.of("1", "2", "3"), explicit.classNames());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "NA", "?"})
    void aMissingLabelIsRefusedAtItsLineOrSkippedAndCounted(String missing, @TempDir Path dir)
            throws IOException {
        StringBuilder b = new StringBuilder("x1,x2,label\n");
        for (int line = 2; line <= 150; line++) {
            b.append(line).append(",1,").append(line == 139 ? missing : line % 2).append('\n');
        }
        Path f = file(dir, "binary.csv", b.toString());
        DataFileException e = refused(f, CsvOptions.guess(null), null);
        assertTrue(
                e.getMessage().contains("binary.csv:139: the label is missing (column 'label' is"),
                e.getMessage());
        assertTrue(e.getMessage().contains("--skip-missing-labels"), e.getMessage());

        Dataset skipped = CsvReader.read(f, new CsvOptions(null, LabelKind.GUESS, true));
        assertEquals(148, skipped.size());
        assertEquals(1, skipped.skippedRows());
        assertEquals(List.of("0", "1"), skipped.classNames(), "a missing label is no class");
    }

    @Test
    void tooManyDistinctWholeNumbersToGuessSaysWhatItSawAndTheFlag(@TempDir Path dir)
            throws IOException {
        StringBuilder b = new StringBuilder("rooms,price\n");
        for (int i = 0; i < 869; i++) {
            b.append(i % 7).append(',').append(100_000 + 13 * i).append('\n');
        }
        DataFileException e =
                refused(file(dir, "prices.csv", b.toString()), CsvOptions.guess(null), null);
        assertTrue(
                e.getMessage()
                        .contains(
                                "prices.csv: label column 'price' has 869 distinct whole"
                                        + " numbers (100000, 100013, 100026, 100039, 100052, …"
                                        + " (869 in all)), too many to guess classes"),
                e.getMessage());
        assertTrue(e.getMessage().contains("--task regression"), e.getMessage());
        Dataset asked =
                CsvReader.read(
                        dir.resolve("prices.csv"), new CsvOptions(null, LabelKind.TARGETS, false));
        assertEquals(869, asked.size());
        assertEquals(100_013.0, asked.labels()[1]);
    }

    @Test
    void aTestClassNeverSeenIsNamedWithAShortListOfClasses(@TempDir Path dir) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            b.append(i).append(",c").append(i).append('\n');
        }
        Dataset train = CsvReader.read(file(dir, "t.csv", b.toString()), CsvOptions.guess(null));
        DataFileException e =
                refused(
                        file(dir, "s.csv", "1,c3\n2,zz\n"),
                        CsvOptions.guess(null),
                        train.labelMapping());
        assertTrue(
                e.getMessage()
                        .contains(
                                "s.csv:2: class 'zz' never appeared in training (classes: c0, c1,"
                                        + " c10, c11, c12, … (20 in all))"),
                e.getMessage());
    }

    @Test
    void gzipIsRecognisedByItsBytesWhateverTheName(@TempDir Path dir) throws IOException {
        Path noSuffix = dir.resolve("export.csv");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(noSuffix))) {
            out.write((BOM + "a,b,l\n1,2,x\n3,4,y\n").getBytes(StandardCharsets.UTF_8));
        }
        Dataset d = CsvReader.read(noSuffix, CsvOptions.guess(null));
        assertEquals(List.of("x", "y"), d.classNames());
        assertArrayEquals(new float[] {3, 4}, d.features()[1]);
        Dataset rawNamedGz =
                CsvReader.read(file(dir, "raw.csv.gz", "1,2,0\n3,4,1\n"), CsvOptions.guess(null));
        assertEquals(2, rawNamedGz.size());
    }

    @Test
    void tabAndSemicolonSeparatedFiles(@TempDir Path dir) throws IOException {
        Dataset tsv =
                CsvReader.read(file(dir, "t.tsv", "a\tb\tl\n1\t2\tx\n"), CsvOptions.guess(null));
        assertArrayEquals(new float[] {1, 2}, tsv.features()[0]);
        Dataset semi =
                CsvReader.read(file(dir, "s.csv", "a;b;l\n1.5;2;x\n"), CsvOptions.guess(null));
        assertArrayEquals(new float[] {1.5f, 2}, semi.features()[0]);
    }

    @Test
    void rowsLongerThanTheSeparatorSniffAreRead(@TempDir Path dir) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int row = 0; row < 2; row++) {
            for (int j = 0; j < 30_000; j++) {
                b.append("0.125,");
            }
            b.append(row).append('\n');
        }
        Dataset d = CsvReader.read(file(dir, "wide.csv", b.toString()), CsvOptions.guess(null));
        assertEquals(30_000, d.featureCount());
        assertEquals(0.125f, d.features()[1][29_999]);
    }
}
