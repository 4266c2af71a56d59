package io.streamgrad.job;

import io.streamgrad.batch.TrainingExample;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/**
 * The type of the examples' stream, so that an exchange serializes them with {@link
 * TrainingExampleSerializer} rather than as a POJO. The operators that emit examples ({@code
 * DecodeProcessFunction}, {@code VariantFanOut}) declare it as their produced type ({@code
 * ResultTypeQueryable}).
 */
public final class TrainingExampleTypeInfo extends TypeInformation<TrainingExample> {
    private static final long serialVersionUID = 1L;

    public static final TrainingExampleTypeInfo INSTANCE = new TrainingExampleTypeInfo();

    private TrainingExampleTypeInfo() {}

    @Override
    public boolean isBasicType() {
        return false;
    }

    @Override
    public boolean isTupleType() {
        return false;
    }

    @Override
    public int getArity() {
        return 1;
    }

    @Override
    public int getTotalFields() {
        return 1;
    }

    @Override
    public Class<TrainingExample> getTypeClass() {
        return TrainingExample.class;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<TrainingExample> createSerializer(SerializerConfig config) {
        return new TrainingExampleSerializer();
    }

    @Override
    public String toString() {
        return "TrainingExample (compact)";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TrainingExampleTypeInfo;
    }

    @Override
    public int hashCode() {
        return TrainingExampleTypeInfo.class.hashCode();
    }

    @Override
    public boolean canEqual(Object o) {
        return o instanceof TrainingExampleTypeInfo;
    }
}
