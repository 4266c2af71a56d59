package io.streamgrad.batch;

/**
 * A decoded, validated event as it crosses operators: primitive arrays only, so Flink serializes it
 * with its POJO serializer and never falls back to Kryo.
 *
 * @param label the regression target, or the class index as a double
 */
public record TrainingExample(
        String model, String eventId, long eventTime, float[] features, double label) {}
