package io.streamgrad.producers.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.zip.GZIPInputStream;

/**
 * Reads a CSV file (optionally gzipped) of numeric features and one label column.
 *
 * <ul>
 *   <li>Header: optional; the first line is a header when one of its feature fields is not a
 *       number. A label column given by name needs a header.
 *   <li>Label column: by header name or 0-based index; the last column by default.
 *   <li>Labels: whole numbers ≥ 0 are class indices; other numbers make a regression target;
 *       anything else is a class name, mapped to indices in sorted order. The mapping is returned
 *       ({@link Dataset#classNames()}) so it can be kept with the model, and a test file is read
 *       with the training file's mapping: a class it never saw is an error naming the line.
 * </ul>
 *
 * Fields are separated by commas; surrounding double quotes are removed. Blank lines are skipped.
 */
public final class CsvReader {
    private CsvReader() {}

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
        List<String[]> rows = new ArrayList<>();
        List<Integer> lineNumbers = new ArrayList<>();
        String[] header = null;
        try (BufferedReader r = open(file)) {
            String line;
            int lineNo = 0;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                String[] fields = split(line);
                if (rows.isEmpty() && header == null && looksLikeHeader(fields, labelColumn)) {
                    header = fields;
                    continue;
                }
                rows.add(fields);
                lineNumbers.add(lineNo);
            }
        } catch (IOException e) {
            throw new DataFileException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (rows.isEmpty()) {
            throw new DataFileException(file + ": no data rows");
        }
        int width = header != null ? header.length : rows.get(0).length;
        if (width < 2) {
            throw new DataFileException(
                    file + ": " + width + " column; need at least one feature and a label");
        }
        int label = labelIndex(file, header, width, labelColumn);
        int n = rows.size();
        float[][] x = new float[n][width - 1];
        String[] rawLabels = new String[n];
        for (int i = 0; i < n; i++) {
            String[] f = rows.get(i);
            int lineNo = lineNumbers.get(i);
            if (f.length != width) {
                throw new DataFileException(
                        String.format(
                                "%s:%d: %d fields, expected %d (as in the %s)",
                                file,
                                lineNo,
                                f.length,
                                width,
                                header != null ? "header" : "first row"));
            }
            int k = 0;
            for (int j = 0; j < width; j++) {
                if (j == label) {
                    rawLabels[i] = f[j];
                    continue;
                }
                try {
                    x[i][k++] = Float.parseFloat(f[j]);
                } catch (NumberFormatException e) {
                    throw new DataFileException(
                            String.format(
                                    "%s:%d: column %s is '%s', not a number",
                                    file, lineNo, columnName(header, j), f[j]));
                }
            }
        }
        if (regression) {
            double[] y = new double[n];
            for (int i = 0; i < n; i++) {
                try {
                    y[i] = Double.parseDouble(rawLabels[i]);
                } catch (NumberFormatException e) {
                    throw new DataFileException(
                            String.format(
                                    "%s:%d: regression label '%s' is not a number",
                                    file, lineNumbers.get(i), rawLabels[i]));
                }
            }
            return new Dataset("csv:" + file, x, y, List.of(), false);
        }
        return labels(file, x, rawLabels, lineNumbers, trainingClasses);
    }

    private static Dataset labels(
            Path file,
            float[][] x,
            String[] raw,
            List<Integer> lineNumbers,
            List<String> trainingClasses) {
        int n = raw.length;
        double[] y = new double[n];
        boolean allNumbers = true;
        boolean allWhole = true;
        for (String s : raw) {
            try {
                double v = Double.parseDouble(s);
                if (v < 0 || v != Math.rint(v) || v > 1_000_000) {
                    allWhole = false;
                }
            } catch (NumberFormatException e) {
                allNumbers = false;
                allWhole = false;
            }
        }
        String name = "csv:" + file;
        if (allNumbers && !allWhole && trainingClasses == null) {
            for (int i = 0; i < n; i++) {
                y[i] = Double.parseDouble(raw[i]);
            }
            return new Dataset(name, x, y, List.of(), false);
        }
        List<String> classes;
        if (trainingClasses != null) {
            classes = trainingClasses;
        } else if (allWhole) {
            int max = 0;
            for (String s : raw) {
                max = Math.max(max, (int) Double.parseDouble(s));
            }
            classes = new ArrayList<>();
            for (int k = 0; k <= max; k++) {
                classes.add(Integer.toString(k));
            }
        } else {
            classes = new ArrayList<>(new TreeSet<>(List.of(raw)));
        }
        for (int i = 0; i < n; i++) {
            String s = allWhole ? Integer.toString((int) Double.parseDouble(raw[i])) : raw[i];
            int index = classes.indexOf(s);
            if (index < 0) {
                throw new DataFileException(
                        String.format(
                                "%s:%d: class '%s' never appeared in training (classes: %s)",
                                file, lineNumbers.get(i), raw[i], String.join(", ", classes)));
            }
            y[i] = index;
        }
        return new Dataset(name, x, y, classes, true);
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
                                : "; columns: " + String.join(", ", header)));
    }

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
            if (j == label) {
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

    private static String[] split(String line) {
        String[] f = line.split(",", -1);
        for (int i = 0; i < f.length; i++) {
            String s = f[i].strip();
            if (s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"")) {
                s = s.substring(1, s.length() - 1);
            }
            f[i] = s;
        }
        return f;
    }

    private static BufferedReader open(Path file) throws IOException {
        InputStream in = Files.newInputStream(file);
        if (file.getFileName().toString().endsWith(".gz")) {
            in = new GZIPInputStream(in, 1 << 16);
        }
        return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
    }
}
