package io.streamgrad.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class JoinInputsTest {

    @Test
    void featureEventRoundTrips() {
        FeatureEvent f =
                FeatureEvent.newBuilder()
                        .setModel("m")
                        .setEventId("e-1")
                        .setEventTime(1_767_225_600_000L)
                        .setFeatures(List.of(1f, -2.5f))
                        .build();
        AvroSerde<FeatureEvent> serde = AvroSerde.of(FeatureEvent.class);
        FeatureEvent back = serde.deserialize(serde.serialize(f));
        assertEquals(f, back);
        assertEquals(null, back.getSource());
    }

    @Test
    void labelKeepsItsUnionBranch() {
        AvroSerde<LabelEvent> serde = AvroSerde.of(LabelEvent.class);
        LabelEvent classLabel = new LabelEvent("e-1", 3, 10L);
        LabelEvent target = new LabelEvent("e-2", -0.5d, 11L);
        assertEquals(
                Integer.class,
                serde.deserialize(serde.serialize(classLabel)).getLabel().getClass());
        assertEquals(-0.5d, (Double) serde.deserialize(serde.serialize(target)).getLabel());
    }

    @Test
    void aFeatureRecordIsNotALabel() {
        byte[] features =
                AvroSerde.of(FeatureEvent.class)
                        .serialize(new FeatureEvent("m", "e", 1L, List.of(1f), null));
        // Different fingerprint: refused by name, not misread.
        AvroDecodeException e =
                assertThrows(
                        AvroDecodeException.class,
                        () -> AvroSerde.of(LabelEvent.class).deserialize(features));
        assertEquals(true, e.getMessage().contains("LabelEvent"), e.getMessage());
    }
}
