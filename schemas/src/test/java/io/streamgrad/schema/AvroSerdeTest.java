package io.streamgrad.schema;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;

class AvroSerdeTest {

    private static LabeledEvent event() {
        return LabeledEvent.newBuilder()
                .setModel("m1")
                .setEventId("e-7")
                .setEventTime(1_700_000_000_000L)
                .setFeatures(List.of(0.5f, -1.25f, 3e-8f))
                .setLabel(2)
                .setSource("test")
                .build();
    }

    @Test
    void labeledEventRoundTripsAndStartsWithTheSingleObjectHeader() {
        AvroSerde<LabeledEvent> serde = AvroSerde.of(LabeledEvent.class);
        byte[] bytes = serde.serialize(event());
        // Single-object encoding: marker C3 01, then the schema's 8-byte CRC-64-AVRO fingerprint.
        assertEquals((byte) 0xC3, bytes[0]);
        assertEquals((byte) 0x01, bytes[1]);
        long fp = SchemaNormalization.parsingFingerprint64(LabeledEvent.getClassSchema());
        long written =
                ByteBuffer.wrap(bytes, 2, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(fp, written);
        assertEquals(event(), serde.deserialize(bytes));
    }

    @Test
    void regressionLabelStaysADouble() {
        AvroSerde<LabeledEvent> serde = AvroSerde.of(LabeledEvent.class);
        LabeledEvent e = event();
        e.setLabel(-0.75d);
        Object label = serde.deserialize(serde.serialize(e)).getLabel();
        assertEquals(Double.class, label.getClass());
        assertEquals(-0.75d, (Double) label);
    }

    @Test
    void otherRecordsRoundTrip() {
        TrainingMetric metric =
                TrainingMetric.newBuilder()
                        .setRunId("r")
                        .setModel("m")
                        .setIteration(3)
                        .setBatchSize(64)
                        .setLoss(0.5)
                        .setSmoothedLoss(0.6)
                        .setAccuracy(null)
                        .setExamplesSeen(192)
                        .setBatchEventTimeMin(1)
                        .setBatchEventTimeMax(2)
                        .setEmittedAt(3)
                        .build();
        assertEquals(
                metric,
                AvroSerde.of(TrainingMetric.class)
                        .deserialize(AvroSerde.of(TrainingMetric.class).serialize(metric)));

        float[] w = {1f, 2f, 3f, 4f, 5f, 6f};
        ModelSnapshot snapshot =
                ModelSnapshot.newBuilder()
                        .setRunId("r")
                        .setModel("m")
                        .setVersion(10)
                        .setCreatedAt(5)
                        .setArchitecture(
                                Architecture.newBuilder()
                                        .setTask("multiclass")
                                        .setFamily("mlp")
                                        .setInputSize(2)
                                        .setHiddenLayers(List.of(3))
                                        .setHiddenActivation("relu")
                                        .setOutputSize(2)
                                        .build())
                        .setParameters(List.of(Tensors.of("W0", new int[] {2, 3}, w)))
                        .setOptimizer(
                                OptimizerState.newBuilder()
                                        .setName("adam")
                                        .setLearningRate(0.01)
                                        .setState(Tensors.of("adam", new int[] {0}, new float[0]))
                                        .build())
                        .setExamplesSeen(640)
                        .setSeed(42)
                        .setBatchSize(64)
                        .setLastLoss(0.1)
                        .setSmoothedLoss(0.2)
                        .setParametersChecksum(Tensors.checksum(w))
                        .setProvenance(Map.of("topic", "t"))
                        .build();
        AvroSerde<ModelSnapshot> snapshots = AvroSerde.of(ModelSnapshot.class);
        ModelSnapshot back = snapshots.deserialize(snapshots.serialize(snapshot));
        assertEquals(snapshot, back);
        assertArrayEquals(w, Tensors.values(back.getParameters().get(0)));
        assertArrayEquals(new int[] {2, 3}, Tensors.shape(back.getParameters().get(0)));

        DeadLetter dead =
                DeadLetter.newBuilder()
                        .setTopic("t")
                        .setPartition(1)
                        .setOffset(99)
                        .setTimestamp(4)
                        .setKey(null)
                        .setValue(ByteBuffer.wrap(new byte[] {1, 2}))
                        .setReason("undecodable")
                        .setDetail("bad header")
                        .setFailedAt(5)
                        .build();
        AvroSerde<DeadLetter> deadSerde = AvroSerde.of(DeadLetter.class);
        assertEquals(dead, deadSerde.deserialize(deadSerde.serialize(dead)));
    }

    @Test
    void recordWrittenWithVersion1IsReadByTheCurrentReader() {
        List<Schema> history = AvroSerde.historyOf(LabeledEvent.getClassSchema().getFullName());
        assertEquals(1, history.size());
        Schema v1 = history.get(0);
        assertNull(v1.getField("source"), "v1 has no 'source' field");

        GenericRecord old = new GenericData.Record(v1);
        old.put("model", "legacy");
        old.put("event_id", "old-1");
        old.put("event_time", 42L);
        old.put(
                "features",
                new GenericData.Array<>(v1.getField("features").schema(), List.of(1f, 2f)));
        old.put("label", 1);
        byte[] bytes;
        try {
            bytes =
                    new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1)
                            .encode(old)
                            .array();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }

        LabeledEvent read = AvroSerde.of(LabeledEvent.class).deserialize(bytes);
        assertEquals("legacy", read.getModel());
        assertEquals("old-1", read.getEventId());
        assertEquals(42L, read.getEventTime());
        assertEquals(List.of(1f, 2f), read.getFeatures());
        assertEquals(1, read.getLabel());
        assertNull(read.getSource(), "the field added in v2 takes its default");
    }

    @Test
    void metricWrittenBeforeEpochFieldsIsReadAsAnIterationRecord() throws Exception {
        List<Schema> history = AvroSerde.historyOf(TrainingMetric.getClassSchema().getFullName());
        assertEquals(
                5,
                history.size(),
                "v1 (no epochs), v2 (no alerts), v3 (no drift), v4 (no counts), v5 (no step time)");
        Schema v1 = history.get(0);
        assertNull(v1.getField("kind"), "v1 has no 'kind' field");
        GenericRecord old = new GenericData.Record(v1);
        for (String f :
                List.of(
                        "iteration",
                        "window",
                        "examples_seen",
                        "batch_event_time_min",
                        "batch_event_time_max",
                        "emitted_at")) {
            old.put(f, 7L);
        }
        old.put("run_id", "r");
        old.put("model", "m");
        old.put("epoch", 0);
        old.put("batch_size", 64);
        old.put("loss", 0.5);
        old.put("smoothed_loss", 0.6);
        byte[] bytes =
                new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1).encode(old).array();

        TrainingMetric read = AvroSerde.of(TrainingMetric.class).deserialize(bytes);
        assertEquals(MetricKind.ITERATION, read.getKind());
        assertEquals(0L, read.getEpochIteration());
        assertEquals(0.5, read.getLoss());
        assertEquals(7L, read.getIteration());
        assertEquals("", read.getDetail(), "the field added in v3 takes its default");
    }

    @Test
    void aDriftRecordReadsAsAnIterationForReadersWithoutDrift() throws Exception {
        Schema v3 = AvroSerde.historyOf(TrainingMetric.getClassSchema().getFullName()).get(2);
        assertTrue(!v3.getField("kind").schema().getEnumSymbols().contains("DRIFT"));
        TrainingMetric drift =
                TrainingMetric.newBuilder()
                        .setRunId("r")
                        .setModel("m")
                        .setIteration(3)
                        .setKind(MetricKind.DRIFT)
                        .setDetail("adwin fired")
                        .setBatchSize(64)
                        .setLoss(0.9)
                        .setSmoothedLoss(0.6)
                        .setExamplesSeen(192)
                        .setBatchEventTimeMin(1)
                        .setBatchEventTimeMax(2)
                        .setEmittedAt(3)
                        .build();
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        var encoder = org.apache.avro.io.EncoderFactory.get().binaryEncoder(out, null);
        new org.apache.avro.specific.SpecificDatumWriter<TrainingMetric>(TrainingMetric.class)
                .write(drift, encoder);
        encoder.flush();
        GenericRecord old =
                new org.apache.avro.generic.GenericDatumReader<GenericRecord>(
                                TrainingMetric.getClassSchema(), v3)
                        .read(
                                null,
                                org.apache.avro.io.DecoderFactory.get()
                                        .binaryDecoder(out.toByteArray(), null));
        assertEquals("ITERATION", old.get("kind").toString(), "the enum default");
        assertEquals(
                drift,
                AvroSerde.of(TrainingMetric.class)
                        .deserialize(AvroSerde.of(TrainingMetric.class).serialize(drift)));
    }

    @Test
    void countsRoundTripAndAV4RecordReadsWithNullCounts() throws Exception {
        AvroSerde<TrainingMetric> serde = AvroSerde.of(TrainingMetric.class);
        TrainingMetric m =
                TrainingMetric.newBuilder()
                        .setRunId("r")
                        .setModel("m")
                        .setIteration(2)
                        .setBatchSize(4)
                        .setLoss(0.5)
                        .setSmoothedLoss(0.5)
                        .setExamplesSeen(8)
                        .setBatchEventTimeMin(1)
                        .setBatchEventTimeMax(2)
                        .setEmittedAt(3)
                        .setCounts(new EventCounts(11L, 8L, 1L, 2L))
                        .build();
        TrainingMetric read = serde.deserialize(serde.serialize(m));
        assertEquals(11L, read.getCounts().getConsumed());
        assertEquals(2L, read.getCounts().getPending());

        Schema v4 = AvroSerde.historyOf(TrainingMetric.getClassSchema().getFullName()).get(3);
        assertNull(v4.getField("counts"), "v4 has no counts");
        GenericRecord old = new GenericData.Record(v4);
        for (Schema.Field f : v4.getFields()) {
            old.put(f.name(), GenericData.get().deepCopy(f.schema(), m.get(f.name())));
        }
        old.put(
                "kind",
                new GenericData.EnumSymbol(v4.getField("kind").schema(), m.getKind().name()));
        byte[] bytes =
                new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v4).encode(old).array();
        TrainingMetric fromV4 = serde.deserialize(bytes);
        assertEquals(2L, fromV4.getIteration());
        assertNull(fromV4.getCounts(), "the field added in v5 takes its default");
    }

    @Test
    void currentMetricReaderKnowsTheSchemaOfEveryHistoryEntry() {
        // Each history file parses (shared records such as Tensor resolve) and is a different
        // version from the current one, so records written with it are recognised.
        for (Class<? extends org.apache.avro.specific.SpecificRecord> type :
                List.of(TrainingMetric.class, ModelSnapshot.class, LabeledEvent.class)) {
            Schema current = AvroSerde.of(type).schema();
            for (Schema old : AvroSerde.historyOf(current.getFullName())) {
                assertTrue(
                        org.apache.avro.SchemaNormalization.parsingFingerprint64(old)
                                != org.apache.avro.SchemaNormalization.parsingFingerprint64(
                                        current),
                        type.getSimpleName() + ": a history entry equal to the current schema");
            }
        }
        assertEquals(4, AvroSerde.historyOf(ModelSnapshot.getClassSchema().getFullName()).size());
    }

    private static ModelSnapshot.Builder snapshotWithoutLineage() {
        float[] w = {1f, 2f};
        return ModelSnapshot.newBuilder()
                .setRunId("r")
                .setModel("m")
                .setVersion(10)
                .setCreatedAt(5)
                .setArchitecture(
                        Architecture.newBuilder()
                                .setTask("binary")
                                .setFamily("logistic")
                                .setInputSize(2)
                                .setHiddenLayers(List.of())
                                .setHiddenActivation("identity")
                                .setOutputSize(1)
                                .setClassNames(List.of())
                                .build())
                .setParameters(List.of(Tensors.of("W0", new int[] {2, 1}, w)))
                .setOptimizer(
                        OptimizerState.newBuilder()
                                .setName("sgd")
                                .setLearningRate(0.1)
                                .setState(Tensors.of("sgd", new int[] {0}, new float[0]))
                                .build())
                .setExamplesSeen(640)
                .setSeed(42)
                .setBatchSize(64)
                .setLastLoss(0.1)
                .setSmoothedLoss(0.2)
                .setParametersChecksum(Tensors.checksum(w))
                .setStandardization(
                        FeatureStatistics.newBuilder()
                                .setMode("on")
                                .setCount(640)
                                .setMean(List.of(0.5, -0.5))
                                .setM2(List.of(1.0, 2.0))
                                .build())
                .setProvenance(Map.of("topics.events", "t"));
    }

    @Test
    void snapshotLineageRoundTrips() {
        ModelSnapshot s =
                snapshotWithoutLineage()
                        .setLineage(
                                Lineage.newBuilder()
                                        .setSourceTopic("events")
                                        .setTrainedOffsets(
                                                List.of(
                                                        new OffsetRange(0, 100L, 199L, 100L),
                                                        new OffsetRange(1, 90L, 180L, 91L)))
                                        .setInheritedOffsets(
                                                List.of(new OffsetRange(0, 0L, 99L, 100L)))
                                        .setOffsetsComplete(true)
                                        .setParentRunId("r0")
                                        .setParentVersion(7L)
                                        .setCodeVersion("0.1.0")
                                        .setGitCommit("abc123")
                                        .setBackend("CPU (CpuBackend)")
                                        .setDevice("host")
                                        .setDeviceMemoryBytes(1L << 30)
                                        .build())
                        .build();
        AvroSerde<ModelSnapshot> serde = AvroSerde.of(ModelSnapshot.class);
        ModelSnapshot back = serde.deserialize(serde.serialize(s));
        assertEquals(s, back);
        assertEquals(199L, back.getLineage().getTrainedOffsets().get(0).getLast());
        assertEquals(7L, back.getLineage().getParentVersion());
    }

    /**
     * v3 (standardization, no class names) was written by the code between the commits that added
     * standardization and class names; v4 (class names, no lineage) until lineage: both stay
     * readable, with the fields added since at their defaults.
     */
    @Test
    void snapshotsWrittenBeforeLineageReadWithNone() throws Exception {
        List<Schema> history = AvroSerde.historyOf(ModelSnapshot.getClassSchema().getFullName());
        Schema v3 = history.get(2);
        Schema v4 = history.get(3);
        assertNull(v3.getField("architecture").schema().getField("class_names"));
        assertTrue(v3.getField("standardization") != null, "v3 has standardization");
        assertNull(v4.getField("lineage"), "v4 has no lineage");
        ModelSnapshot current = snapshotWithoutLineage().build();
        AvroSerde<ModelSnapshot> serde = AvroSerde.of(ModelSnapshot.class);
        for (Schema old : List.of(v3, v4)) {
            // The same snapshot as the old code wrote it: projected onto the old schema.
            GenericRecord written =
                    new org.apache.avro.generic.GenericDatumReader<GenericRecord>(
                                    current.getSchema(), old)
                            .read(
                                    null,
                                    org.apache.avro.io.DecoderFactory.get()
                                            .binaryDecoder(bytesOf(current), null));
            byte[] bytes =
                    new BinaryMessageEncoder<GenericRecord>(GenericData.get(), old)
                            .encode(written)
                            .array();
            ModelSnapshot read = serde.deserialize(bytes);
            assertNull(read.getLineage(), "the field added in v5 takes its default");
            assertEquals(640L, read.getStandardization().getCount());
            assertEquals(current.getParametersChecksum(), read.getParametersChecksum());
            assertEquals(List.of(), read.getArchitecture().getClassNames());
        }
    }

    /** The record's Avro binary body (no single-object header). */
    private static byte[] bytesOf(ModelSnapshot s) throws java.io.IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        org.apache.avro.io.BinaryEncoder enc =
                org.apache.avro.io.EncoderFactory.get().binaryEncoder(out, null);
        new org.apache.avro.specific.SpecificDatumWriter<ModelSnapshot>(s.getSchema())
                .write(s, enc);
        enc.flush();
        return out.toByteArray();
    }

    @Test
    void garbageAndUnknownSchemasGiveReasonsNotStackTraces() {
        AvroSerde<LabeledEvent> serde = AvroSerde.of(LabeledEvent.class);
        AvroDecodeException notAvro =
                assertThrows(
                        AvroDecodeException.class,
                        () -> serde.deserialize("hello, world".getBytes()));
        assertTrue(notAvro.getMessage().contains("bad header"), notAvro.getMessage());
        assertEquals(DeadLetterReason.UNDECODABLE, notAvro.reason());

        byte[] metric =
                AvroSerde.of(TrainingMetric.class)
                        .serialize(
                                TrainingMetric.newBuilder()
                                        .setRunId("r")
                                        .setModel("m")
                                        .setIteration(1)
                                        .setBatchSize(1)
                                        .setLoss(1)
                                        .setSmoothedLoss(1)
                                        .setExamplesSeen(1)
                                        .setBatchEventTimeMin(1)
                                        .setBatchEventTimeMax(1)
                                        .setEmittedAt(1)
                                        .build());
        AvroDecodeException wrongType =
                assertThrows(AvroDecodeException.class, () -> serde.deserialize(metric));
        assertTrue(wrongType.getMessage().contains("does not know"), wrongType.getMessage());
        assertEquals(DeadLetterReason.UNKNOWN_SCHEMA, wrongType.reason());

        byte[] good = serde.serialize(event());
        byte[] truncated = java.util.Arrays.copyOf(good, good.length - 5);
        assertEquals(
                DeadLetterReason.UNDECODABLE,
                assertThrows(AvroDecodeException.class, () -> serde.deserialize(truncated))
                        .reason());
        assertThrows(AvroDecodeException.class, () -> serde.deserialize(null));
    }

    /** The schema's own doc of the reason field names every reason a dead letter can carry. */
    @Test
    void theDeadLetterSchemaDocumentsEveryReason() {
        String doc = DeadLetter.getClassSchema().getField("reason").doc();
        for (DeadLetterReason r : DeadLetterReason.values()) {
            assertTrue(
                    java.util.regex.Pattern.compile("(^|[ :(|])" + r.wireName() + "([ ;.|]|$)")
                            .matcher(doc)
                            .find(),
                    r.wireName() + " in: " + doc);
        }
        // The doc is not part of the fingerprint: changing it keeps old dead letters readable.
        String json = DeadLetter.getClassSchema().toString();
        String changed = json.replace(doc, "changed");
        assertTrue(!changed.equals(json), "the doc was replaced");
        assertEquals(
                SchemaNormalization.parsingFingerprint64(DeadLetter.getClassSchema()),
                SchemaNormalization.parsingFingerprint64(new Schema.Parser().parse(changed)));
    }

    /**
     * A record that declares 10^9 floats (4 GB) or a string of 10^8 characters is refused by the
     * declared length, before anything is allocated: a decode error, not an OutOfMemoryError.
     */
    @Test
    void hostileSizesAreRefusedBeforeAllocation() throws Exception {
        byte[] legit =
                AvroSerde.of(LabeledEvent.class)
                        .serialize(
                                LabeledEvent.newBuilder()
                                        .setModel("m")
                                        .setEventId("e")
                                        .setEventTime(0)
                                        .setFeatures(List.of(1f))
                                        .setLabel(0)
                                        .build());
        byte[] header = java.util.Arrays.copyOf(legit, 10); // marker + schema fingerprint

        java.io.ByteArrayOutputStream hugeArray = new java.io.ByteArrayOutputStream();
        hugeArray.write(header);
        var enc = org.apache.avro.io.EncoderFactory.get().binaryEncoder(hugeArray, null);
        enc.writeString("m");
        enc.writeString("e");
        enc.writeLong(0);
        enc.writeArrayStart();
        enc.setItemCount(1_000_000_000L);
        enc.startItem();
        enc.writeFloat(1f);
        enc.flush();
        AvroDecodeException arrays =
                assertThrows(
                        AvroDecodeException.class,
                        () ->
                                AvroSerde.of(LabeledEvent.class)
                                        .deserialize(hugeArray.toByteArray()));
        assertTrue(arrays.getMessage().contains("exceeds"), arrays.getMessage());

        java.io.ByteArrayOutputStream hugeString = new java.io.ByteArrayOutputStream();
        hugeString.write(header);
        enc = org.apache.avro.io.EncoderFactory.get().binaryEncoder(hugeString, null);
        // The length of the model key, 2 MiB (over the 1 MiB limit, far under Avro's own), then
        // no characters: refused for its declared length, not for running out of bytes.
        enc.writeLong(2L << 20);
        enc.flush();
        AvroDecodeException strings =
                assertThrows(
                        AvroDecodeException.class,
                        () ->
                                AvroSerde.of(LabeledEvent.class)
                                        .deserialize(hugeString.toByteArray()));
        assertTrue(strings.getMessage().contains("exceeds"), strings.getMessage());
        assertEquals(
                Integer.toString(AvroSerde.MAX_COLLECTION_ITEMS),
                System.getProperty("org.apache.avro.limits.collectionItems.maxLength"));
    }
}
