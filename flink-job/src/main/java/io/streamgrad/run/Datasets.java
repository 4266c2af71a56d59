package io.streamgrad.run;

import io.streamgrad.config.InvalidSettingException;
import io.streamgrad.producers.data.DataFileException;
import io.streamgrad.producers.data.Dataset;
import java.util.function.Supplier;

/** Loads a data set for a command; a file that cannot be read is a usage error naming it. */
public final class Datasets {
    private Datasets() {}

    public static Dataset load(Supplier<Dataset> reader) {
        try {
            Dataset d = reader.get();
            if (d.size() == 0) {
                throw new InvalidSettingException(d.name() + " holds no examples");
            }
            return d;
        } catch (DataFileException | IllegalArgumentException e) {
            throw new InvalidSettingException(e.getMessage());
        }
    }
}
