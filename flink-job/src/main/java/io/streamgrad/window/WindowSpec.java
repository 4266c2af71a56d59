package io.streamgrad.window;

import io.streamgrad.config.InvalidSettingException;
import java.io.Serializable;

/**
 * How the stream is cut into shuffle windows: by count ({@code count:K}, K batches) or by event
 * time ({@code event-time:10s}, tumbling windows aligned to the Unix epoch).
 */
public sealed interface WindowSpec extends Serializable {
    String USAGE = "count:K (K batches, K >= 1) or event-time:DURATION (e.g. event-time:10s)";

    /** The flag value that gives this window. */
    String describe();

    /** A window closes when K full batches have arrived. */
    record Count(int batches) implements WindowSpec {
        public Count {
            if (batches < 1) {
                throw new InvalidSettingException(
                        "{window} count:"
                                + batches
                                + " is smaller than one batch; use count:1 or more (the window"
                                + " holds K batches)");
            }
        }

        @Override
        public String describe() {
            return "count:" + batches;
        }
    }

    /** Tumbling event-time windows [k·size, (k+1)·size) in epoch milliseconds. */
    record EventTime(long sizeMs) implements WindowSpec {
        public EventTime {
            if (sizeMs < 1) {
                throw new InvalidSettingException(
                        "{window} event-time needs a positive duration, e.g. event-time:10s");
            }
        }

        /** Index of the window holding this event time. */
        public long windowOf(long eventTime) {
            return Math.floorDiv(eventTime, sizeMs);
        }

        /**
         * The last millisecond of window {@code w}: its timer fires when the watermark gets here.
         */
        public long lastMillisOf(long window) {
            return (window + 1) * sizeMs - 1;
        }

        @Override
        public String describe() {
            return "event-time:" + Durations.format(sizeMs);
        }
    }

    static WindowSpec parse(String value) {
        String v = value == null ? "" : value.trim();
        int colon = v.indexOf(':');
        String kind = colon < 0 ? v : v.substring(0, colon);
        String arg = colon < 0 ? "" : v.substring(colon + 1);
        switch (kind) {
            case "count" -> {
                try {
                    return new Count(Integer.parseInt(arg.trim()));
                } catch (NumberFormatException e) {
                    throw new InvalidSettingException(
                            "{window} '"
                                    + value
                                    + "': count needs a whole number of batches,"
                                    + " e.g. count:4");
                }
            }
            case "event-time" -> {
                return new EventTime(Durations.parseMillis("{window} event-time", arg));
            }
            default ->
                    throw new InvalidSettingException(
                            "{window} '" + value + "' is not a window; use " + USAGE);
        }
    }
}
