package io.streamgrad.producers;

import io.streamgrad.schema.LabeledEvent;
import java.util.function.LongConsumer;

/**
 * Writes synthetic {@link LabeledEvent}s to Kafka. Event i goes to partition i mod P (P = the
 * configured partitions, capped by the topic's), keyed by the model, at an optional rate limit.
 */
public final class SyntheticProducer {
    private final String bootstrapServers;
    private final SyntheticConfig config;
    private final int models;

    public SyntheticProducer(String bootstrapServers, SyntheticConfig config) {
        this(bootstrapServers, config, 1);
    }

    /**
     * @param models the model keys the events are spread over (see {@link SyntheticEvents})
     */
    public SyntheticProducer(String bootstrapServers, SyntheticConfig config, int models) {
        this.bootstrapServers = bootstrapServers;
        this.config = config;
        this.models = models;
    }

    /**
     * Creates the topic if needed, produces every event and waits until all are acknowledged.
     *
     * @param progress called with the count of events sent so far, every 10,000 events
     * @return the number of events written
     */
    public long run(LongConsumer progress) {
        SyntheticEvents events = new SyntheticEvents(config, DriftSpec.NONE, models);
        return new EventProducer(
                        bootstrapServers,
                        config.topic(),
                        config.partitions(),
                        config.ratePerSecond())
                .run(config.firstIndex(), config.events(), events::event, progress);
    }
}
