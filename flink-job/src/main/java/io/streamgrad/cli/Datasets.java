package io.streamgrad.cli;

import io.streamgrad.producers.data.DataFileException;
import io.streamgrad.producers.data.Dataset;
import java.util.function.Supplier;

/** Loads a data set for a command; a file that cannot be read is a usage error naming it. */
final class Datasets {
    private Datasets() {}

    static Dataset load(Supplier<Dataset> reader) {
        try {
            Dataset d = reader.get();
            if (d.size() == 0) {
                throw new UsageException(d.name() + " holds no examples");
            }
            return d;
        } catch (DataFileException | IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }
}
