package io.streamgrad.producers.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.apache.commons.io.input.BOMInputStream;

/**
 * Reads a CSV file of numeric features and one label column, as spreadsheets and ML tools export
 * it. Parsing is RFC 4180 by Apache Commons CSV: quoted fields ({@code "Toys, Games"} is one field,
 * {@code "12"" pipe"} is {@code 12" pipe}), CRLF or LF line endings, a trailing newline, blank
 * lines skipped, blanks around fields ignored. A UTF-8 byte-order mark is not data; gzip is
 * recognised by its magic bytes. The separator is a comma, or a tab or semicolon when the first
 * line has no comma.
 *
 * <ul>
 *   <li>Header: optional; the first row is a header when it contains the label column's name or one
 *       of its feature fields is a word (not a number and not a missing-value marker).
 *   <li>Features: plain decimal numbers within float32's range ({@link Numbers}); {@code NaN},
 *       {@code Infinity}, {@code 4e38}, {@code 7d}, {@code 0x1p3} and empty fields are refused at
 *       file:line with the column's name.
 *   <li>Labels: see {@link LabelKind} and {@link LabelMapping}; a missing label ({@link
 *       MissingValues}) is refused at file:line or, with {@link CsvOptions#skipMissingLabels()},
 *       the row is skipped and counted ({@link Dataset#skippedRows()}).
 *   <li>A test file is read with the training file's {@link LabelMapping}: a class it never saw is
 *       refused naming the line and the value.
 * </ul>
 *
 * Every refusal is a {@link DataFileException} whose one-line message names the file, the line, the
 * column and the value as read, and what to do.
 */
public final class CsvReader {
    private CsvReader() {}

    /** Flag names the messages point to; the CLI defines them. */
    static final String SKIP_FLAG = "--skip-missing-labels";

    /**
     * @param labelColumn header name or 0-based index, or null for the last column
     * @param trainingClasses the classes of the training file when reading a test file, else null
     */
    public static Dataset read(Path file, String labelColumn, List<String> trainingClasses) {
        return read(file, labelColumn, trainingClasses, false);
    }

    /**
     * As {@link #read(Path, String, List)}; with {@code regression} every label is a numeric
     * target, whole numbers included (a non-number is an error naming the line).
     */
    public static Dataset read(
            Path file, String labelColumn, List<String> trainingClasses, boolean regression) {
        LabelKind kind =
                regression
                        ? LabelKind.TARGETS
                        : trainingClasses != null ? LabelKind.CLASSES : LabelKind.GUESS;
        return readTest(
                file,
                new CsvOptions(labelColumn, kind, false),
                trainingClasses == null ? null : LabelMapping.of(trainingClasses));
    }

    /**
     * Reads a training file, or a test file of a regression (labels {@link LabelKind#TARGETS}).
     *
     * @throws DataFileException naming file, line, column and value
     */
    public static Dataset read(Path file, CsvOptions options) {
        return readTest(file, options, null);
    }

    /**
     * Reads a test file with the training file's classes: a class training never saw is refused
     * naming the line.
     *
     * @param training the training set's classes, or null to read as {@link #read(Path,
     *     CsvOptions)}
     * @throws DataFileException naming file, line, column and value
     */
    public static Dataset readTest(Path file, CsvOptions options, LabelMapping training) {
        Table t = parse(file, options.labelColumn());
        int width = t.header != null ? t.header.length : t.rows.get(0).length;
        if (width < 2) {
            throw new DataFileException(
                    file
                            + ": 1 column; need at least one feature and a label (fields are"
                            + " separated by commas, or by tabs or semicolons when the first line"
                            + " has no comma)");
        }
        int label = labelIndex(file, t.header, width, options.labelColumn());
        String labelName = columnName(t.header, label);
        List<float[]> x = new ArrayList<>(t.rows.size());
        List<String> rawLabels = new ArrayList<>(t.rows.size());
        List<Long> lines = new ArrayList<>(t.rows.size());
        int skipped = 0;
        for (int i = 0; i < t.rows.size(); i++) {
            String[] f = t.rows.get(i);
            long line = t.lines.get(i);
            if (f.length != width) {
                throw new DataFileException(
                        String.format(
                                "%s:%d: %d fields, expected %d (as in the %s)",
                                file,
                                line,
                                f.length,
                                width,
                                t.header != null ? "header" : "first row"));
            }
            if (MissingValues.isMissing(f[label])) {
                if (options.skipMissingLabels()) {
                    skipped++;
                    continue;
                }
                throw new DataFileException(
                        String.format(
                                "%s:%d: the label is missing (column %s is '%s'): fill it in, or"
                                        + " pass %s to skip and count such rows",
                                file, line, labelName, f[label], SKIP_FLAG));
            }
            float[] row = new float[width - 1];
            int k = 0;
            for (int j = 0; j < width; j++) {
                if (j == label) {
                    continue;
                }
                try {
                    row[k++] = Numbers.parseFloat32(f[j]);
                } catch (Numbers.NotANumber e) {
                    throw new DataFileException(
                            String.format(
                                    "%s:%d: column %s is '%s', %s",
                                    file, line, columnName(t.header, j), f[j], e.getMessage()));
                }
            }
            x.add(row);
            rawLabels.add(f[label]);
            lines.add(line);
        }
        if (x.isEmpty()) {
            throw new DataFileException(
                    file + ": no data rows (" + skipped + " skipped for a missing label)");
        }
        String name = "csv:" + file;
        float[][] features = x.toArray(new float[0][]);
        LabelKind kind = training != null ? LabelKind.CLASSES : options.labels();
        if (kind == LabelKind.GUESS) {
            kind = guess(file, labelName, rawLabels, lines);
        }
        if (kind == LabelKind.TARGETS) {
            double[] y = new double[rawLabels.size()];
            for (int i = 0; i < y.length; i++) {
                try {
                    y[i] = Numbers.parseFloat32(rawLabels.get(i));
                    // the value as written, not its float32 rounding: labels travel as doubles
                    y[i] = Double.parseDouble(rawLabels.get(i));
                } catch (Numbers.NotANumber e) {
                    throw new DataFileException(
                            String.format(
                                    "%s:%d: column %s (the regression target) is '%s', %s",
                                    file,
                                    lines.get(i),
                                    labelName,
                                    rawLabels.get(i),
                                    e.getMessage()));
                }
            }
            return new Dataset(name, features, y, List.of(), false, skipped);
        }
        LabelMapping mapping = training != null ? training : LabelMapping.fromLabels(rawLabels);
        double[] y = new double[rawLabels.size()];
        for (int i = 0; i < y.length; i++) {
            int k = mapping.indexOf(rawLabels.get(i));
            if (k < 0) {
                throw new DataFileException(
                        String.format(
                                "%s:%d: class '%s' never appeared in training (classes: %s):"
                                        + " remove such rows or train on data that has them",
                                file, lines.get(i), rawLabels.get(i), mapping));
            }
            y[i] = k;
        }
        return new Dataset(name, features, y, mapping.names(), true, skipped);
    }

    /**
     * Classes when every label is a whole number or some label is a word, targets when the labels
     * are numbers and some are fractional; refused when more than {@link
     * LabelMapping#MAX_GUESSED_CLASSES} distinct values would be classes.
     */
    private static LabelKind guess(
            Path file, String labelName, List<String> raw, List<Long> lines) {
        boolean allNumbers = true;
        boolean allWhole = true;
        int firstWord = -1;
        Map<String, Boolean> distinct = new LinkedHashMap<>();
        for (int i = 0; i < raw.size(); i++) {
            String key = LabelMapping.key(raw.get(i));
            if (distinct.putIfAbsent(key, Boolean.TRUE) != null) {
                continue;
            }
            if (!Numbers.isDecimal(key)) {
                allNumbers = false;
                if (firstWord < 0) {
                    firstWord = i;
                }
            } else if (!LabelMapping.isWhole(key)) {
                allWhole = false;
            }
        }
        if (allNumbers && !allWhole) {
            return LabelKind.TARGETS;
        }
        if (distinct.size() <= LabelMapping.MAX_GUESSED_CLASSES) {
            return LabelKind.CLASSES;
        }
        String hint =
                allNumbers
                        ? "use --task regression (or --model linear) for a target, --task"
                                + " multiclass for classes"
                        : String.format(
                                "line %d has '%s'; check --label-column, or use --task multiclass"
                                        + " for classes",
                                lines.get(firstWord), raw.get(firstWord));
        throw new DataFileException(
                String.format(
                        "%s: label column %s has %d distinct %s (%s), too many to guess classes"
                                + " (at most %d): %s",
                        file,
                        labelName,
                        distinct.size(),
                        allNumbers ? "whole numbers" : "values",
                        LabelMapping.preview(new LinkedHashSet<>(distinct.keySet())),
                        LabelMapping.MAX_GUESSED_CLASSES,
                        hint));
    }

    /** The file's records: header (or null), data rows and the line each starts on. */
    private record Table(String[] header, List<String[]> rows, List<Long> lines) {}

    private static Table parse(Path file, String labelColumn) {
        List<String[]> rows = new ArrayList<>();
        List<Long> lines = new ArrayList<>();
        String[] header = null;
        try (BufferedReader r =
                new BufferedReader(
                        new InputStreamReader(
                                BOMInputStream.builder().setInputStream(DataFiles.open(file)).get(),
                                StandardCharsets.UTF_8),
                        1 << 16)) {
            CSVFormat format =
                    CSVFormat.DEFAULT
                            .builder()
                            .setDelimiter(delimiter(r))
                            .setTrim(true)
                            .setIgnoreEmptyLines(true)
                            .get();
            CSVParser parser = format.parse(r);
            for (CSVRecord rec : parser) {
                String[] fields = rec.values();
                if (fields.length == 1 && fields[0].isEmpty()) {
                    continue; // a line of blanks
                }
                // The parser reports the line a record ends on; a quoted field may span lines.
                long line = parser.getCurrentLineNumber() - newlines(fields);
                if (rows.isEmpty() && header == null && looksLikeHeader(fields, labelColumn)) {
                    header = fields;
                    continue;
                }
                rows.add(fields);
                lines.add(line);
            }
        } catch (IOException | UncheckedIOException e) {
            String why = e instanceof UncheckedIOException u ? u.getCause().getMessage() : null;
            throw new DataFileException(
                    "cannot read "
                            + file
                            + ": "
                            + (why != null ? why : e.getMessage())
                            + " (check the quoting: a quote inside a quoted field is written"
                            + " twice)",
                    e);
        }
        if (rows.isEmpty()) {
            throw new DataFileException(file + ": no data rows");
        }
        return new Table(header, rows, lines);
    }

    /** How much of the file's start the separator is guessed from. */
    private static final int SNIFF_CHARS = 1 << 16;

    /**
     * Comma, unless the first non-blank line (or its first 64 Ki characters) has none and has a tab
     * or a semicolon.
     */
    private static char delimiter(BufferedReader r) throws IOException {
        r.mark(SNIFF_CHARS);
        char[] buf = new char[SNIFF_CHARS];
        int n = 0;
        int got;
        while (n < buf.length && (got = r.read(buf, n, buf.length - n)) > 0) {
            n += got;
        }
        r.reset();
        String start = new String(buf, 0, n).stripLeading();
        int eol = start.indexOf('\n');
        String line = eol < 0 ? start : start.substring(0, eol);
        if (line.indexOf(',') < 0) {
            if (line.indexOf('\t') >= 0) {
                return '\t';
            }
            if (line.indexOf(';') >= 0) {
                return ';';
            }
        }
        return ',';
    }

    private static int newlines(String[] fields) {
        int n = 0;
        for (String f : fields) {
            for (int i = 0; i < f.length(); i++) {
                char c = f.charAt(i);
                if (c == '\n' || (c == '\r' && (i + 1 == f.length() || f.charAt(i + 1) != '\n'))) {
                    n++;
                }
            }
        }
        return n;
    }

    private static int labelIndex(Path file, String[] header, int width, String labelColumn) {
        if (labelColumn == null) {
            return width - 1;
        }
        if (labelColumn.matches("\\d+")) {
            int i = Integer.parseInt(labelColumn);
            if (i >= width) {
                throw new DataFileException(
                        file
                                + ": --label-column "
                                + i
                                + " does not exist: the file has columns 0 to "
                                + (width - 1));
            }
            return i;
        }
        if (header != null) {
            for (int j = 0; j < header.length; j++) {
                if (header[j].equals(labelColumn)) {
                    return j;
                }
            }
        }
        throw new DataFileException(
                file
                        + ": --label-column '"
                        + labelColumn
                        + "' does not exist"
                        + (header == null
                                ? " (the file has no header: give a 0-based index)"
                                : "; columns: " + LabelMapping.preview(List.of(header))));
    }

    /**
     * A header names the label column, or has a feature field that is a word: not a number in any
     * spelling (so a first row with {@code NaN} or {@code 7d} is data, and refused as such) and not
     * a missing-value marker.
     */
    private static boolean looksLikeHeader(String[] fields, String labelColumn) {
        for (String f : fields) {
            if (labelColumn != null && f.equals(labelColumn)) {
                return true;
            }
        }
        int label =
                labelColumn != null && labelColumn.matches("\\d+")
                        ? Integer.parseInt(labelColumn)
                        : fields.length - 1;
        for (int j = 0; j < fields.length; j++) {
            if (j == label || MissingValues.isMissing(fields[j])) {
                continue;
            }
            try {
                Double.parseDouble(fields[j]);
            } catch (NumberFormatException e) {
                return true;
            }
        }
        return false;
    }

    private static String columnName(String[] header, int j) {
        return header != null ? "'" + header[j] + "'" : Integer.toString(j);
    }
}
