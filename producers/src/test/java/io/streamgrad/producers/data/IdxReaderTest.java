package io.streamgrad.producers.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {
    private static byte[] idx(int magic, int[] dims, byte[] data) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(b);
        out.writeInt(magic);
        for (int d : dims) {
            out.writeInt(d);
        }
        out.write(data);
        return b.toByteArray();
    }

    private static void write(Path file, byte[] bytes, boolean gzip) throws IOException {
        try (OutputStream out =
                gzip
                        ? new GZIPOutputStream(Files.newOutputStream(file))
                        : Files.newOutputStream(file)) {
            out.write(bytes);
        }
    }

    /** Three 2×2 images, pixels 0..255, labels 7, 0, 9. */
    private static void pair(Path dir, String prefix, boolean gzip) throws IOException {
        byte[] pixels = {0, (byte) 255, 51, 102, 1, 2, 3, 4, (byte) 128, 0, 0, 0};
        String suffix = gzip ? ".gz" : "";
        write(
                dir.resolve(prefix + "-images-idx3-ubyte" + suffix),
                idx(0x803, new int[] {3, 2, 2}, pixels),
                gzip);
        write(
                dir.resolve(prefix + "-labels-idx1-ubyte" + suffix),
                idx(0x801, new int[] {3}, new byte[] {7, 0, 9}),
                gzip);
    }

    @Test
    void readsBothSplitsRawOrGzipped(@TempDir Path dir) throws IOException {
        pair(dir, "train", false);
        pair(dir, "t10k", true);
        for (String split : new String[] {"train", "test"}) {
            Dataset d = IdxReader.readSplit(dir, split);
            assertEquals(3, d.size());
            assertEquals(4, d.featureCount());
            assertArrayEquals(new float[] {0, 1, 0.2f, 0.4f}, d.features()[0], 1e-7f);
            assertArrayEquals(new double[] {1, 0, 2}, d.labels(), "labels 7, 0, 9 as classes");
            assertEquals(List.of("0", "7", "9"), d.classNames(), "the classes present");
            assertTrue(d.classification());
        }
    }

    @Test
    void wrongMagicSizesAndMissingFilesAreNamed(@TempDir Path dir) throws IOException {
        DataFileException missing =
                assertThrows(DataFileException.class, () -> IdxReader.readSplit(dir, "train"));
        assertTrue(missing.getMessage().contains("train-images-idx3-ubyte"), missing.getMessage());
        assertTrue(missing.getMessage().contains("scripts/fetch-mnist.sh"), missing.getMessage());

        pair(dir, "train", false);
        Path labels = dir.resolve("train-labels-idx1-ubyte");
        Path images = dir.resolve("train-images-idx3-ubyte");
        // Labels and images swapped: the magic numbers say so.
        DataFileException swapped =
                assertThrows(
                        DataFileException.class, () -> IdxReader.read(labels, images, "swapped"));
        assertTrue(
                swapped.getMessage()
                        .contains(
                                "magic number 0x00000801 is not an IDX image file (expected"
                                        + " 0x00000803"),
                swapped.getMessage());

        write(images, idx(0x803, new int[] {3, 2, 2}, new byte[11]), false);
        DataFileException truncated =
                assertThrows(DataFileException.class, () -> IdxReader.readSplit(dir, "train"));
        assertTrue(truncated.getMessage().contains("promises 12 bytes"), truncated.getMessage());

        write(images, idx(0x803, new int[] {3, 2, 2}, new byte[13]), false);
        DataFileException tooLong =
                assertThrows(DataFileException.class, () -> IdxReader.readSplit(dir, "train"));
        assertTrue(tooLong.getMessage().contains("continues past"), tooLong.getMessage());

        write(images, idx(0x803, new int[] {2, 2, 2}, new byte[8]), false);
        DataFileException count =
                assertThrows(DataFileException.class, () -> IdxReader.readSplit(dir, "train"));
        assertTrue(count.getMessage().contains("has 2 images but"), count.getMessage());
    }

    private static void split(Path dir, String prefix, byte[] labels, boolean gzip, String suffix)
            throws IOException {
        int n = labels.length;
        byte[] pixels = new byte[n * 4];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (i * 37);
        }
        write(
                dir.resolve(prefix + "-images-idx3-ubyte" + suffix),
                idx(0x803, new int[] {n, 2, 2}, pixels),
                gzip);
        write(
                dir.resolve(prefix + "-labels-idx1-ubyte" + suffix),
                idx(0x801, new int[] {n}, labels),
                gzip);
    }

    @Test
    void aZeroOneSetIsBinaryTheClassesAreTheLabelsPresent(@TempDir Path dir) throws IOException {
        split(dir, "train", new byte[] {0, 1, 1, 0, 1}, false, "");
        Dataset d = IdxReader.readSplit(dir, "train");
        assertEquals(2, d.classes(), "binary, not padded to ten classes");
        assertEquals(List.of("0", "1"), d.classNames());
        assertArrayEquals(new double[] {0, 1, 1, 0, 1}, d.labels());
    }

    @Test
    void aTestClassTrainingNeverSawIsRefusedNamingIt(@TempDir Path dir) throws IOException {
        split(dir, "train", new byte[] {0, 1, 1, 0}, false, "");
        split(dir, "t10k", new byte[] {1, 0, 2, 1}, false, "");
        Dataset train = IdxReader.readSplit(dir, "train");
        DataFileException e =
                assertThrows(
                        DataFileException.class,
                        () -> IdxReader.readSplit(dir, "test", train.labelMapping()));
        assertTrue(
                e.getMessage()
                        .endsWith(
                                "t10k-labels-idx1-ubyte: record 2 (from 0) has class '2', which"
                                        + " never appeared in training (classes: 0, 1): train on"
                                        + " a split that has it, or remove such records"),
                e.getMessage());
        split(dir, "t10k", new byte[] {1, 1}, false, "");
        Dataset test = IdxReader.readSplit(dir, "test", train.labelMapping());
        assertEquals(List.of("0", "1"), test.classNames(), "the training classes");
        assertArrayEquals(new double[] {1, 1}, test.labels());
    }

    @Test
    void gzipIsRecognisedByItsMagicBytesWhateverTheName(@TempDir Path dir) throws IOException {
        // gzip content under the raw names, raw content under .gz names
        split(dir, "train", new byte[] {3, 5, 3}, true, "");
        split(dir, "t10k", new byte[] {5, 3}, false, ".gz");
        Dataset train = IdxReader.readSplit(dir, "train");
        Dataset test = IdxReader.readSplit(dir, "test", train.labelMapping());
        assertEquals(List.of("3", "5"), train.classNames());
        assertArrayEquals(new double[] {0, 1, 0}, train.labels());
        assertArrayEquals(new double[] {1, 0}, test.labels());
        assertEquals(37 / 255f, train.features()[0][1], 1e-7f);
    }
}
