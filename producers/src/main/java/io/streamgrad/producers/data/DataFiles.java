package io.streamgrad.producers.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** Opens data files, recognising gzip by its content rather than its name. */
final class DataFiles {
    private DataFiles() {}

    /** The two bytes every gzip member starts with (RFC 1952, section 2.3.1: ID1, ID2). */
    private static final int GZIP_ID1 = 0x1f;

    private static final int GZIP_ID2 = 0x8b;

    /**
     * The file's bytes, decompressed when it starts with gzip's magic bytes whatever its name (a
     * {@code .gz} name on a raw file is read raw, a gzip file without one is still unpacked).
     *
     * @throws IOException when the file cannot be opened or its gzip header is damaged
     */
    static InputStream open(Path file) throws IOException {
        BufferedInputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        in.mark(2);
        int id1 = in.read();
        int id2 = in.read();
        in.reset();
        if (id1 == GZIP_ID1 && id2 == GZIP_ID2) {
            return new GZIPInputStream(in, 1 << 16);
        }
        return in;
    }
}
