package io.streamgrad.producers.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamgrad.kafka.EmbeddedKafkaBroker;
import io.streamgrad.kafka.RecordWriter;
import io.streamgrad.kafka.Topic;
import io.streamgrad.kafka.TopicAdmin;
import io.streamgrad.schema.AvroSerde;
import io.streamgrad.schema.LabeledEvent;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.junit.jupiter.api.Test;

class EventSizeTest {
    private static DatasetEvents events(int features) {
        float[][] x = new float[2][features];
        return new DatasetEvents(
                new Dataset("wide", x, new double[] {0, 1}, List.of("0", "1"), true),
                "demo",
                "train");
    }

    /** The most features whose events still fit the default limit. */
    private static int largestFitting() {
        int lo = 1;
        int hi = 300_000;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            DatasetEvents e = events(mid);
            if (EventSize.recordBytes(e.event(1), "demo") <= EventSize.KAFKA_DEFAULT_RECORD_BYTES) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    @Test
    void anEventOver1MiBIsRefusedWithItsSizeTheLimitAndTheFix() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                EventSize.requireFits(
                                        events(280_000),
                                        "demo",
                                        EventSize.KAFKA_DEFAULT_RECORD_BYTES));
        assertTrue(
                e.getMessage().startsWith("an event of 280,000 features is 1,12"), e.getMessage());
        assertTrue(e.getMessage().contains("over the 1,048,576 bytes"), e.getMessage());
        int fits = largestFitting();
        java.util.regex.Matcher advice =
                java.util.regex.Pattern.compile("use at most about ([0-9,]+) features")
                        .matcher(e.getMessage());
        assertTrue(advice.find(), e.getMessage());
        int advised = Integer.parseInt(advice.group(1).replace(",", ""));
        assertTrue(
                advised <= fits && advised >= fits - 2,
                "the advice " + advised + " is about the real limit " + fits);
        // 4 bytes per float: about 262,000 features
        assertTrue(fits > 261_000 && fits < 262_144, "fits " + fits);
    }

    /** The check agrees with a real broker and producer at their defaults, at the limit. */
    @Test
    void atTheLimitAKafkaBrokerTakesTheEventOneFeatureMoreItRefuses() {
        int fits = largestFitting();
        EventSize.requireFits(events(fits), "demo", EventSize.KAFKA_DEFAULT_RECORD_BYTES);
        assertThrows(
                IllegalArgumentException.class,
                () ->
                        EventSize.requireFits(
                                events(fits + 1), "demo", EventSize.KAFKA_DEFAULT_RECORD_BYTES));
        AvroSerde<LabeledEvent> serde = AvroSerde.of(LabeledEvent.class);
        byte[] key = "demo".getBytes(StandardCharsets.UTF_8);
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
            try (TopicAdmin admin = new TopicAdmin(broker.bootstrapServers())) {
                admin.ensureTopic(Topic.EVENTS, "events", 1);
            }
            try (RecordWriter w = RecordWriter.to(broker.bootstrapServers(), "size-test")) {
                w.send(new ProducerRecord<>("events", key, serde.serialize(events(fits).event(1))));
                w.flush();
                assertEquals(1, w.acknowledged());
            }
            RecordWriter w = RecordWriter.to(broker.bootstrapServers(), "size-test-2");
            w.send(new ProducerRecord<>("events", key, serde.serialize(events(fits + 1).event(1))));
            IllegalStateException tooLarge = assertThrows(IllegalStateException.class, w::close);
            assertTrue(tooLarge.getCause() instanceof RecordTooLargeException, tooLarge.toString());
        }
    }
}
