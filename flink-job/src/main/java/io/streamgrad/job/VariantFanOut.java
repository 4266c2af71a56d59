package io.streamgrad.job;

import io.streamgrad.batch.TrainingExample;
import io.streamgrad.train.ModelConfigs;
import java.util.List;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.util.Collector;

/**
 * A backtest's read of an event serves every variant: event of model key K becomes one example per
 * variant V, keyed {@code K@V} ({@link ModelConfigs#variantKey}), same features, label, time and
 * Kafka coordinates.
 */
final class VariantFanOut
        implements FlatMapFunction<TrainingExample, TrainingExample>,
                ResultTypeQueryable<TrainingExample> {
    private static final long serialVersionUID = 1L;

    private final List<String> variants;

    VariantFanOut(ModelConfigs configs) {
        this.variants = configs.variants().stream().map(ModelConfigs.Variant::name).toList();
    }

    @Override
    public TypeInformation<TrainingExample> getProducedType() {
        return TrainingExampleTypeInfo.INSTANCE;
    }

    @Override
    public void flatMap(TrainingExample e, Collector<TrainingExample> out) {
        for (String v : variants) {
            out.collect(
                    new TrainingExample(
                            ModelConfigs.variantKey(e.modelKey(), v),
                            e.eventId(),
                            e.eventTime(),
                            e.features(),
                            e.label(),
                            e.partition(),
                            e.offset()));
        }
    }
}
