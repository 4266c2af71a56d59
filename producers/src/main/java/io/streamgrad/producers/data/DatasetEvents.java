package io.streamgrad.producers.data;

import io.streamgrad.producers.SyntheticConfig;
import io.streamgrad.schema.LabeledEvent;
import java.util.ArrayList;
import java.util.List;

/**
 * The rows of a {@link Dataset} as {@link LabeledEvent}s: row i has event id {@code prefix-i} and
 * event time {@link SyntheticConfig#EPOCH_MS} + 10 ms · i, so a replay of the same file gives the
 * same events, ids and windows.
 */
public final class DatasetEvents {
    private final Dataset data;
    private final String model;
    private final String prefix;

    public DatasetEvents(Dataset data, String model, String prefix) {
        this.data = data;
        this.model = model;
        this.prefix = prefix;
    }

    public LabeledEvent event(long index) {
        int i = (int) index;
        float[] row = data.features()[i];
        List<Float> features = new ArrayList<>(row.length);
        for (float v : row) {
            features.add(v);
        }
        double label = data.labels()[i];
        return LabeledEvent.newBuilder()
                .setModel(model)
                .setEventId(prefix + "-" + i)
                .setEventTime(SyntheticConfig.EPOCH_MS + index * SyntheticConfig.EVENT_SPACING_MS)
                .setFeatures(features)
                .setLabel(data.classification() ? (Object) (int) label : (Object) label)
                .setSource(data.name())
                .build();
    }

    public long size() {
        return data.size();
    }
}
