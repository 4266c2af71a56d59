package io.streamgrad.producers;

import io.streamgrad.schema.FeatureEvent;
import io.streamgrad.schema.LabelEvent;
import io.streamgrad.schema.LabeledEvent;
import java.util.SplittableRandom;

/**
 * The two sides of synthetic events whose labels arrive late: event i's features are those of
 * {@link SyntheticEvents#event}(i), and whether it gets a label and after what delay are functions
 * of (seed, i) too, so a run can be reproduced and its join outcome predicted exactly.
 *
 * @param labelRate share of events that get a label, in [0, 1]
 * @param meanDelayMs mean of the delay distribution, milliseconds
 */
public record DelayedLabels(
        SyntheticConfig synthetic,
        double labelRate,
        long meanDelayMs,
        DelayDistribution distribution) {

    /** Marks {@link #delayMs} of an event that never gets a label. */
    public static final long NO_LABEL = -1;

    public DelayedLabels {
        if (!(labelRate >= 0 && labelRate <= 1)) {
            throw new IllegalArgumentException("--label-rate must be in [0, 1], got " + labelRate);
        }
        if (meanDelayMs < 0) {
            throw new IllegalArgumentException("--delay must be >= 0, got " + meanDelayMs + " ms");
        }
    }

    /** The label delay of event {@code index} in milliseconds, or {@link #NO_LABEL}. */
    public long delayMs(long index) {
        // Its own stream, independent of the one that draws the features and label.
        SplittableRandom rng =
                new SplittableRandom(SyntheticEvents.mix(synthetic.seed() ^ 0xDE1A7EDL, index));
        if (rng.nextDouble() >= labelRate) {
            return NO_LABEL;
        }
        return distribution.sampleMs(rng, meanDelayMs);
    }

    public FeatureEvent features(SyntheticEvents events, long index) {
        LabeledEvent e = events.event(index);
        return FeatureEvent.newBuilder()
                .setModel(e.getModel())
                .setEventId(e.getEventId())
                .setEventTime(e.getEventTime())
                .setFeatures(e.getFeatures())
                .setSource(e.getSource())
                .build();
    }

    /** The label of event {@code index}, or null when it gets none. */
    public LabelEvent label(SyntheticEvents events, long index) {
        long delay = delayMs(index);
        if (delay == NO_LABEL) {
            return null;
        }
        LabeledEvent e = events.event(index);
        return new LabelEvent(e.getEventId(), e.getLabel(), e.getEventTime() + delay);
    }
}
