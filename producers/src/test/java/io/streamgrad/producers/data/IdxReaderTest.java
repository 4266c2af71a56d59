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
            assertArrayEquals(new double[] {7, 0, 9}, d.labels());
            assertEquals(10, d.classes());
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
}
