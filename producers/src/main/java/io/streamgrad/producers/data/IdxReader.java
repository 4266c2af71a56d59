package io.streamgrad.producers.data;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the IDX format of MNIST: a big-endian header (two zero bytes, the element type 0x08 for
 * unsigned bytes, the number of dimensions), the size of each dimension, then the elements. Images
 * are 3-dimensional (count × rows × cols), labels 1-dimensional; files may be gzipped, recognised
 * by gzip's magic bytes whatever the file name. Pixels are scaled to [0, 1] (divided by 255), as
 * the usual references do. The classes are the labels present ({@link LabelMapping}: a set with
 * labels 0 and 1 is binary, MNIST's 0..9 map to themselves); a test split is read with the training
 * split's classes and a label training never saw is refused naming it.
 */
public final class IdxReader {
    private IdxReader() {}

    /**
     * Finds a split's two files in a directory by their standard names, raw or {@code .gz}: {@code
     * train-images-idx3-ubyte} and {@code train-labels-idx1-ubyte} for split "train", and {@code
     * t10k-…} for split "test".
     */
    public static Dataset readSplit(Path dir, String split) {
        return readSplit(dir, split, null);
    }

    /**
     * As {@link #readSplit(Path, String)}, the labels mapped with {@code training} (the training
     * split's classes) when it is not null.
     */
    public static Dataset readSplit(Path dir, String split, LabelMapping training) {
        String prefix =
                switch (split) {
                    case "train" -> "train";
                    case "test" -> "t10k";
                    default ->
                            throw new IllegalArgumentException(
                                    "unknown split '" + split + "': use train or test");
                };
        Path images = find(dir, prefix + "-images-idx3-ubyte", prefix + "-images.idx3-ubyte");
        Path labels = find(dir, prefix + "-labels-idx1-ubyte", prefix + "-labels.idx1-ubyte");
        return read(images, labels, "idx:" + dir + "/" + split, training);
    }

    private static Path find(Path dir, String... names) {
        List<String> tried = new ArrayList<>();
        for (String n : names) {
            for (String candidate : List.of(n, n + ".gz")) {
                Path p = dir.resolve(candidate);
                if (Files.isRegularFile(p)) {
                    return p;
                }
                tried.add(candidate);
            }
        }
        throw new DataFileException(
                dir
                        + " has none of "
                        + String.join(", ", tried)
                        + ": point idx:DIR at a directory with the four MNIST files"
                        + " (scripts/fetch-mnist.sh fetches them)");
    }

    public static Dataset read(Path imagesFile, Path labelsFile, String name) {
        return read(imagesFile, labelsFile, name, null);
    }

    /**
     * Reads a pair of files; {@code training} (nullable) is the training split's classes, which a
     * test split's labels must be among.
     *
     * @throws DataFileException naming the file and, for a label, its record number
     */
    public static Dataset read(
            Path imagesFile, Path labelsFile, String name, LabelMapping training) {
        int[] imageDims;
        byte[] pixels;
        try (DataInputStream in = open(imagesFile)) {
            imageDims = header(in, imagesFile, 3, "image");
            pixels = body(in, imagesFile, imageDims);
        } catch (IOException e) {
            throw new DataFileException("cannot read " + imagesFile + ": " + e.getMessage(), e);
        }
        int[] labelDims;
        byte[] labelBytes;
        try (DataInputStream in = open(labelsFile)) {
            labelDims = header(in, labelsFile, 1, "label");
            labelBytes = body(in, labelsFile, labelDims);
        } catch (IOException e) {
            throw new DataFileException("cannot read " + labelsFile + ": " + e.getMessage(), e);
        }
        if (imageDims[0] != labelDims[0]) {
            throw new DataFileException(
                    imagesFile
                            + " has "
                            + imageDims[0]
                            + " images but "
                            + labelsFile
                            + " has "
                            + labelDims[0]
                            + " labels: the files are not a pair");
        }
        int n = imageDims[0];
        int d = imageDims[1] * imageDims[2];
        float[][] x = new float[n][d];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                x[i][j] = (pixels[i * d + j] & 0xff) / 255f;
            }
        }
        String[] raw = new String[n];
        for (int i = 0; i < n; i++) {
            raw[i] = Integer.toString(labelBytes[i] & 0xff);
        }
        LabelMapping classes = training != null ? training : LabelMapping.fromLabels(List.of(raw));
        for (int i = 0; i < n; i++) {
            int k = classes.indexOf(raw[i]);
            if (k < 0) {
                throw new DataFileException(
                        String.format(
                                "%s: record %d (from 0) has class '%s', which never appeared in"
                                        + " training (classes: %s): train on a split that has it,"
                                        + " or remove such records",
                                labelsFile, i, raw[i], classes));
            }
            y[i] = k;
        }
        return new Dataset(name, x, y, classes.names(), true);
    }

    private static DataInputStream open(Path file) throws IOException {
        return new DataInputStream(DataFiles.open(file));
    }

    private static int[] header(DataInputStream in, Path file, int dims, String what)
            throws IOException {
        int magic;
        try {
            magic = in.readInt();
        } catch (EOFException e) {
            throw new DataFileException(file + ": too short for an IDX header");
        }
        int expected = 0x0800 | dims;
        if (magic != expected) {
            throw new DataFileException(
                    String.format(
                            "%s: magic number 0x%08X is not an IDX %s file (expected 0x%08X:"
                                    + " unsigned bytes, %d dimension%s)",
                            file, magic, what, expected, dims, dims == 1 ? "" : "s"));
        }
        int[] size = new int[dims];
        for (int i = 0; i < dims; i++) {
            size[i] = in.readInt();
            if (size[i] < 0 || (i > 0 && size[i] == 0)) {
                throw new DataFileException(
                        file + ": dimension " + (i + 1) + " has size " + size[i]);
            }
        }
        return size;
    }

    private static byte[] body(DataInputStream in, Path file, int[] dims) throws IOException {
        long total = 1;
        for (int s : dims) {
            total *= s;
        }
        if (total > Integer.MAX_VALUE - 8) {
            throw new DataFileException(file + ": " + total + " elements are too many to load");
        }
        byte[] data = new byte[(int) total];
        try {
            in.readFully(data);
        } catch (EOFException e) {
            throw new DataFileException(
                    file
                            + ": the header promises "
                            + total
                            + " bytes of data ("
                            + java.util.Arrays.toString(dims)
                            + ") but the file ends before: truncated or not a pair of header and"
                            + " data");
        }
        if (in.read() != -1) {
            throw new DataFileException(
                    file
                            + ": data continues past the "
                            + total
                            + " bytes the header promises ("
                            + java.util.Arrays.toString(dims)
                            + ")");
        }
        return data;
    }
}
