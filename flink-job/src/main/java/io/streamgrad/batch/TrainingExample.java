package io.streamgrad.batch;

/**
 * A decoded, validated event as it crosses operators: primitive arrays only, so Flink never falls
 * back to Kryo. Across an exchange it travels with the job's own serializer (features copied as one
 * block); in keyed state (open windows, carried remainder) Flink's POJO serializer keeps it.
 *
 * @param label the regression target, or the class index as a double
 * @param partition Kafka partition it was read from (-1 when it did not come from Kafka); with
 *     {@code offset}, where a late event is reported in the dead-letter topic
 */
public record TrainingExample(
        String modelKey,
        String eventId,
        long eventTime,
        float[] features,
        double label,
        int partition,
        long offset) {

    /** The same example, read from this Kafka partition and offset. */
    public TrainingExample at(int kafkaPartition, long kafkaOffset) {
        return new TrainingExample(
                modelKey, eventId, eventTime, features, label, kafkaPartition, kafkaOffset);
    }
}
