package io.streamgrad.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamgrad.batch.TrainingExample;
import io.streamgrad.kafka.EmbeddedKafkaBroker;
import io.streamgrad.kafka.KafkaClientConfig;
import io.streamgrad.kafka.Topic;
import io.streamgrad.kafka.TopicAdmin;
import io.streamgrad.producers.SyntheticConfig;
import io.streamgrad.producers.SyntheticProducer;
import io.streamgrad.schema.LabeledEventDecoder;
import io.streamgrad.schema.Task;
import io.streamgrad.train.Batching;
import io.streamgrad.train.ReplayPlan;
import io.streamgrad.train.ShuffleMode;
import io.streamgrad.window.WindowSpec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The replay source's reader against a real broker: every pass reads every record of the range
 * once, in the plan's order, with its pass's timestamp shift; a reader restored from a checkpoint
 * taken mid-pass emits exactly the rest; a range whose head retention deleted stops the run naming
 * the lost offsets.
 */
class ReplaySourceIT {
    private static final int EVENTS = 3_000;
    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafkaBroker.start();
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    private static ReplayPlan plan(ShuffleMode mode) {
        return plan(mode, 128);
    }

    /** Two epochs with full-pass losses, count windows of 4 batches, groups of 3 blocks. */
    private static ReplayPlan plan(ShuffleMode mode, int blockOffsets) {
        Batching b =
                Batching.defaults()
                        .withWindow(new WindowSpec.Count(4))
                        .withEpochs(2)
                        .withShuffle(mode)
                        .withBlocks(blockOffsets, 3);
        return ReplayPlan.of(b, 17);
    }

    /**
     * Each record carries when the read that returned it began ({@link KafkaRecord#receivedAtMs}):
     * within the read, and never before the record emitted before it.
     */
    private static void assertReceivedDuringTheReadInOrder(
            List<KafkaRecord> records, long started, long ended) {
        for (int i = 0; i < records.size(); i++) {
            long at = records.get(i).receivedAtMs();
            assertTrue(at >= started && at <= ended, "received during the read: " + at);
            if (i > 0) {
                assertTrue(at >= records.get(i - 1).receivedAtMs(), "reads one after another");
            }
        }
    }

    private static ReplaySource source(String topic, ReplayPlan plan) {
        return source(KafkaClientConfig.plain(broker.bootstrapServers()), topic, plan);
    }

    private static ReplaySource source(KafkaClientConfig kafka, String topic, ReplayPlan plan) {
        return new ReplaySource(kafka, topic, "replay-it", plan, true, true, null);
    }

    private static void produce(String topic) {
        new SyntheticProducer(
                        broker.bootstrapServers(),
                        new SyntheticConfig(
                                topic, "m", Task.BINARY, 4, 2, 0.5, EVENTS, 0, 3, 5, 0, false))
                .run(n -> {});
    }

    @Test
    void everyPassReadsTheRangeOnceInThePlansOrderAndAReaderRestoredMidPassEmitsTheRest()
            throws Exception {
        String topic = "replay.blocks";
        produce(topic);
        ReplayPlan plan = plan(ShuffleMode.BLOCKS);
        ReplaySource source = source(topic, plan);
        Map<Integer, long[]> range = source.resolveRange();
        assertEquals(EVENTS, range.values().stream().mapToLong(r -> r[1] - r[0]).sum());

        long started = System.currentTimeMillis();
        List<KafkaRecord> all = readAll(source, range, plan, -1, null);
        long ended = System.currentTimeMillis();
        assertEquals(plan.passes() * EVENTS, all.size());
        // The first emitted record carries the start of the first group's read (the rate span's
        // start), though the group was read whole before any of it was emitted, and in another
        // order.
        assertReceivedDuringTheReadInOrder(all, started, ended);
        assertTrue(
                all.subList(0, EVENTS).stream()
                                .mapToLong(KafkaRecord::receivedAtMs)
                                .distinct()
                                .count()
                        <= plan.groups(0, range).size(),
                "one time per group read");
        LabeledEventDecoder decoder = new LabeledEventDecoder();
        for (int pass = 0; pass < plan.passes(); pass++) {
            List<KafkaRecord> records = all.subList(pass * EVENTS, (pass + 1) * EVENTS);
            HashSet<String> seen = new HashSet<>();
            List<TrainingExample> examples = new ArrayList<>();
            for (KafkaRecord r : records) {
                assertEquals(pass, plan.passOf(r.timestamp()), "shifted into its pass");
                assertTrue(seen.add(r.partition() + ":" + r.offset()), "read once in a pass");
                var e = decoder.decode(r.value());
                examples.add(
                        new TrainingExample(
                                "m",
                                e.eventId(),
                                r.timestamp() - plan.shift(pass),
                                new float[0],
                                0,
                                r.partition(),
                                r.offset()));
            }
            // The offline order of the same examples is the reader's.
            assertEquals(
                    plan.order(pass, examples).stream().map(TrainingExample::eventId).toList(),
                    examples.stream().map(TrainingExample::eventId).toList(),
                    "pass " + pass);
        }
        assertNotEquals(
                all.subList(0, EVENTS).stream().map(KafkaRecord::offset).toList(),
                all.subList(2 * EVENTS, 3 * EVENTS).stream().map(KafkaRecord::offset).toList(),
                "epoch 2 reads its blocks in another order");

        // A checkpoint in the middle of pass 2, inside a group of blocks: a new reader from it
        // emits exactly what the first had not.
        List<ReplaySplit> checkpoint = new ArrayList<>();
        List<KafkaRecord> before = readAll(source, range, plan, 2 * EVENTS + 1_000, checkpoint);
        int cut = before.size();
        assertTrue(cut > 2 * EVENTS + 1_000 && cut < 3 * EVENTS, "inside pass 2: " + cut);
        assertEquals(coordinates(all.subList(0, cut)), coordinates(before));
        assertEquals(new ReplaySplit.Grouping(128, 3), checkpoint.get(0).grouping());
        ReplaySplit stored = asStored(checkpoint.get(0));
        List<KafkaRecord> after = readFrom(source, stored);
        assertEquals(coordinates(all.subList(cut, all.size())), coordinates(after));

        // A job cut into other blocks would read other records from that position: refused
        // before its reader reads anything, naming the flags that resume it.
        ReplayPlan otherBlocks = plan(ShuffleMode.BLOCKS, 64);
        // Not restarted: every restart would restore the same position.
        SuppressRestartsException refused =
                assertThrows(
                        SuppressRestartsException.class,
                        () -> readFrom(source(topic, otherBlocks), stored));
        assertTrue(
                refused.getCause().getMessage().contains("--shuffle-block 128 --shuffle-group 3"),
                refused.getCause().getMessage());

        // A checkpoint after the last pass keeps the split, past the last pass (so a restored run
        // still commits the range's end), and restores to nothing more.
        List<ReplaySplit> end = new ArrayList<>();
        assertEquals(all.size(), readAll(source, range, plan, Integer.MAX_VALUE - 1, end).size());
        assertEquals(1, end.size());
        assertEquals(plan.passes(), end.get(0).pass());
        assertEquals(List.of(), readFrom(source, end.get(0)));
    }

    @Test
    void fetchesSmallerThanABlockStillReadEveryBlockWholeInThePlansOrder() throws Exception {
        // A --command-config may make fetches small. Batches of a few records (a 512-byte batch
        // size, no linger) and 1,024-byte fetches make a block of 128 records take several polls.
        String topic = "replay.small-fetches";
        Map<String, Object> common = Map.of("bootstrap.servers", broker.bootstrapServers());
        // Made and awaited as the product makes topics: a producer writing at once to a topic its
        // broker does not serve yet may have its first batch refused as out of order for good
        // (KAFKA-15591), which expired this test's records in one CI run.
        try (TopicAdmin a = new TopicAdmin(broker.bootstrapServers())) {
            a.ensureTopic(Topic.EVENTS, topic, 3);
        }
        Map<String, Object> producerSettings = new HashMap<>(common);
        producerSettings.put("key.serializer", ByteArraySerializer.class.getName());
        producerSettings.put("value.serializer", ByteArraySerializer.class.getName());
        producerSettings.put("batch.size", 512);
        producerSettings.put("linger.ms", 0);
        // Keys and values of every kind a group packs: null, empty and of varying lengths.
        Map<String, byte[][]> sent = new HashMap<>();
        try (var producer =
                new org.apache.kafka.clients.producer.KafkaProducer<byte[], byte[]>(
                        producerSettings)) {
            List<java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata>>
                    acks = new ArrayList<>();
            List<byte[][]> contents = new ArrayList<>();
            for (int i = 0; i < EVENTS; i++) {
                byte[] key =
                        i % 5 == 0
                                ? null
                                : i % 13 == 0
                                        ? new byte[0]
                                        : ("k" + i).getBytes(StandardCharsets.UTF_8);
                byte[] value = i % 7 == 0 ? null : new byte[i % 11 == 0 ? 0 : 50 + i % 100];
                if (value != null && value.length > 0) {
                    value[0] = (byte) i;
                    value[value.length - 1] = (byte) (i >> 8);
                }
                contents.add(new byte[][] {key, value});
                acks.add(
                        producer.send(
                                new org.apache.kafka.clients.producer.ProducerRecord<>(
                                        topic, i % 3, key, value)));
            }
            producer.flush();
            for (int i = 0; i < EVENTS; i++) {
                var m = acks.get(i).get();
                sent.put(m.partition() + "@" + m.offset(), contents.get(i));
            }
        }
        String smallFetch = "1024";
        Map<String, Object> consumerSettings = new HashMap<>(common);
        consumerSettings.put("key.deserializer", ByteArrayDeserializer.class.getName());
        consumerSettings.put("value.deserializer", ByteArrayDeserializer.class.getName());
        consumerSettings.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, smallFetch);
        try (var consumer =
                new org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]>(
                        consumerSettings)) {
            consumer.assign(List.of(new TopicPartition(topic, 0)));
            consumer.seekToBeginning(List.of(new TopicPartition(topic, 0)));
            int first = 0;
            for (int i = 0; i < 50 && first == 0; i++) {
                first = consumer.poll(java.time.Duration.ofMillis(200)).count();
            }
            assertTrue(first > 0 && first < 128, "one fetch holds part of a block: " + first);
        }

        ReplayPlan plan = plan(ShuffleMode.BLOCKS);
        ReplaySource small =
                source(
                        KafkaClientConfig.of(
                                broker.bootstrapServers(),
                                Map.of(
                                        ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG,
                                        smallFetch)),
                        topic,
                        plan);
        ReplaySource usual = source(topic, plan);
        Map<Integer, long[]> range = small.resolveRange();
        assertEquals(EVENTS, range.values().stream().mapToLong(r -> r[1] - r[0]).sum());
        List<KafkaRecord> read = readAll(small, range, plan, -1, null);
        assertEquals(plan.passes() * EVENTS, read.size());
        assertEquals(coordinates(readAll(usual, range, plan, -1, null)), coordinates(read));
        for (KafkaRecord r : read) {
            byte[][] expected = sent.get(r.partition() + "@" + r.offset());
            assertArrayEquals(expected[0], r.key(), "key at " + r.offset());
            assertArrayEquals(expected[1], r.value(), "value at " + r.offset());
        }
    }

    @Test
    void mergeOrderIsEachPartitionInOffsetOrderAndARestoredReaderEmitsTheRest() throws Exception {
        String topic = "replay.window";
        produce(topic);
        ReplayPlan plan = plan(ShuffleMode.WINDOW);
        ReplaySource source = source(topic, plan);
        Map<Integer, long[]> range = source.resolveRange();
        long started = System.currentTimeMillis();
        List<KafkaRecord> all = readAll(source, range, plan, -1, null);
        long ended = System.currentTimeMillis();
        assertEquals(plan.passes() * EVENTS, all.size());
        assertReceivedDuringTheReadInOrder(all, started, ended);
        for (int pass = 0; pass < plan.passes(); pass++) {
            List<KafkaRecord> records = all.subList(pass * EVENTS, (pass + 1) * EVENTS);
            for (int p = 0; p < 3; p++) {
                int partition = p;
                List<Long> offsets =
                        records.stream()
                                .filter(r -> r.partition() == partition)
                                .map(KafkaRecord::offset)
                                .toList();
                assertEquals(offsets.stream().sorted().toList(), offsets);
            }
            for (int i = 1; i < records.size(); i++) {
                // Synthetic events are produced in time order: the merge keeps it.
                assertTrue(records.get(i - 1).timestamp() <= records.get(i).timestamp());
            }
        }
        List<ReplaySplit> checkpoint = new ArrayList<>();
        int cut = readAll(source, range, plan, EVENTS + 1_234, checkpoint).size();
        assertTrue(cut > EVENTS && cut < 2 * EVENTS, "inside pass 1: " + cut);
        assertEquals(new ReplaySplit.Grouping(128, 3), checkpoint.get(0).grouping());
        ReplaySplit stored = asStored(checkpoint.get(0));
        List<KafkaRecord> after = readFrom(source, stored);
        assertEquals(coordinates(all.subList(cut, all.size())), coordinates(after));

        // Merge order counts offsets, not groups: a job cut into other blocks resumes it alike.
        ReplayPlan otherBlocks = plan(ShuffleMode.WINDOW, 64);
        assertEquals(
                coordinates(all.subList(cut, all.size())),
                coordinates(readFrom(source(topic, otherBlocks), stored)));
    }

    @Test
    void aRangeWhoseHeadRetentionDeletedStopsNamingTheLostOffsets() throws Exception {
        String topic = "replay.retention";
        produce(topic);
        ReplayPlan plan = plan(ShuffleMode.BLOCKS);
        ReplaySource source = source(topic, plan);
        Map<Integer, long[]> range = source.resolveRange();
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        try (Admin admin = Admin.create(p)) {
            admin.deleteRecords(
                            Map.of(
                                    new TopicPartition(topic, 1),
                                    RecordsToDelete.beforeOffset(100),
                                    new TopicPartition(topic, 2),
                                    RecordsToDelete.beforeOffset(7)))
                    .all()
                    .get();
        }
        // Restarting cannot bring the offsets back: the job is told not to try.
        org.apache.flink.runtime.execution.SuppressRestartsException stop =
                assertThrows(
                        org.apache.flink.runtime.execution.SuppressRestartsException.class,
                        () -> readAll(source, range, plan, -1, null));
        String message = stop.getCause().getMessage();
        assertTrue(
                message.contains(
                        "topic "
                                + topic
                                + ": offsets of this run's range were deleted (by retention, or a"
                                + " delete-records request) after the run fixed it: partition 1"
                                + " offsets [0, 100) (it now begins at 100), partition 2 offsets"
                                + " [0, 7) (it now begins at 7). Reading on would make an epoch"
                                + " shorter"),
                message);
        assertTrue(message.contains("retention.ms"), message);
        assertTrue(message.contains("--start-over"), message);

        // A run fixing its range now starts partition 1 where retention left it, even from a
        // committed position retention deleted.
        try (var consumer =
                new org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]>(
                        Map.of(
                                "bootstrap.servers", broker.bootstrapServers(),
                                "group.id", "replay-it",
                                "key.deserializer", ByteArrayDeserializer.class.getName(),
                                "value.deserializer", ByteArrayDeserializer.class.getName()))) {
            consumer.commitSync(
                    Map.of(
                            new TopicPartition(topic, 1),
                            new org.apache.kafka.clients.consumer.OffsetAndMetadata(5)));
        }
        Map<Integer, long[]> now = source.resolveRange();
        assertEquals(100, now.get(1)[0]);
        assertEquals(range.get(1)[1], now.get(1)[1]);
        assertEquals(0, now.get(0)[0]);
        assertEquals(7, now.get(2)[0]);
        assertEquals(EVENTS - 100 - 7, readAll(source, now, plan, -1, null).size() / plan.passes());
    }

    @Test
    void aRangeTheTopicNoLongerReachesStopsAtOnce() throws Exception {
        // As if the topic had been deleted and made again with fewer records since the run fixed
        // its range: the pass's start finds the end short, before anything is read.
        String topic = "replay.recreated";
        produce(topic);
        ReplayPlan plan = plan(ShuffleMode.WINDOW);
        ReplaySource source = source(topic, plan);
        Map<Integer, long[]> range = source.resolveRange();
        long end = range.get(2)[1];
        range.get(2)[1] = end + 50;
        org.apache.flink.runtime.execution.SuppressRestartsException stop =
                assertThrows(
                        org.apache.flink.runtime.execution.SuppressRestartsException.class,
                        () -> readAll(source, range, plan, -1, null));
        assertEquals(
                "topic "
                        + topic
                        + " no longer holds this run's range (was it deleted and made again?):"
                        + " partition 2 ends at "
                        + end
                        + ", before the range's end "
                        + (end + 50)
                        + ". The run stops: train on it afresh with --start-over",
                stop.getCause().getMessage());
    }

    private static String topicId(String topic) {
        try (TopicAdmin admin = new TopicAdmin(broker.bootstrapServers())) {
            return admin.topicId(topic).orElseThrow();
        }
    }

    @Test
    void aTopicMadeAgainAndRefilledPastTheRangeStopsAtOnceNamingBothIds() throws Exception {
        // The range's offsets all exist in the new topic, but they are other records: only the
        // topic's id tells.
        String topic = "replay.remade";
        produce(topic);
        ReplayPlan plan = plan(ShuffleMode.BLOCKS);
        ReplaySource source = source(topic, plan);
        Map<Integer, long[]> range = source.resolveRange();
        String before = topicId(topic);
        broker.deleteTopic(topic);
        produce(topic);
        produce(topic);
        String after = topicId(topic);
        assertNotEquals(before, after);
        assertTrue(source.resolveRange().get(0)[1] > range.get(0)[1], "refilled past the range");

        ReplaySplit split = start(range, plan, before);
        SuppressRestartsException stop =
                assertThrows(SuppressRestartsException.class, () -> readFrom(source, split));
        assertEquals(
                "topic "
                        + topic
                        + " was deleted and made again since this run fixed its range (topic id "
                        + before
                        + ", now "
                        + after
                        + "): its offsets name other records, so the run stops. Train on the new"
                        + " topic afresh with --start-over",
                stop.getCause().getMessage());
        // The same range with the new topic's id reads as ever.
        assertEquals(EVENTS * plan.passes(), readFrom(source, start(range, plan, after)).size());
    }

    @Test
    void aTopicDeletedWhileARunReadsItStopsInSecondsWithoutRestarts() throws Exception {
        // One pass, so no later pass's start can notice; and a partition far larger than what
        // the fetcher and its consumer hold, so the read is still waiting on the broker when the
        // topic goes. Without the stalled read's probe it would wait two minutes, then restart.
        String topic = "replay.deleted";
        long events = 600_000;
        new SyntheticProducer(
                        broker.bootstrapServers(),
                        new SyntheticConfig(
                                topic, "m", Task.BINARY, 4, 2, 0.5, events, 0, 1, 5, 0, false))
                .run(n -> {});
        ReplayPlan plan =
                ReplayPlan.of(
                        Batching.defaults()
                                .withWindow(new WindowSpec.Count(4))
                                .withEpochs(1)
                                .withFullPassLoss(false)
                                .withShuffle(ShuffleMode.WINDOW)
                                .withBlocks(128, 3),
                        17);
        assertEquals(1, plan.passes());
        ReplaySource source = source(topic, plan);
        Map<Integer, long[]> range = source.resolveRange();
        SuppressRestartsException stop;
        long deletedAt;
        int read;
        try (ReplayReader reader = (ReplayReader) source.createReader(new Context())) {
            reader.start();
            reader.addSplits(List.of(start(range, plan, topicId(topic))));
            reader.notifyNoMoreSplits();
            Collect out = new Collect();
            while (out.records.size() < 100 && poll(reader, out)) {}
            broker.deleteTopic(topic);
            deletedAt = System.currentTimeMillis();
            stop =
                    assertThrows(
                            SuppressRestartsException.class,
                            () -> {
                                while (poll(reader, out)) {}
                            });
            read = out.records.size();
        }
        long waited = System.currentTimeMillis() - deletedAt;
        assertTrue(waited < 60_000, "stopped after " + waited + " ms");
        assertTrue(read < events, "stopped before the end: " + read);
        assertEquals(
                "topic "
                        + topic
                        + " was deleted while this run read it: the run stops (a restart would"
                        + " find nothing to read). Train on the topic afresh with --start-over"
                        + " once it holds events again",
                stop.getCause().getMessage());
    }

    @Test
    void anOffsetRequestForADeletedTopicAsksBetweenShortTriesInsteadOfWaitingItsWholeTimeout()
            throws Exception {
        // A pass's start asks for its range's offsets. On a topic deleted a moment after the
        // admin still saw it, the consumer waits its whole timeout (then the job restarts):
        // ReplayFetcher.listOffsets asks in short tries and checks the topic in between.
        String topic = "replay.offsets.deleted";
        produce(topic);
        broker.deleteTopic(topic);
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        List<TopicPartition> partitions =
                List.of(new TopicPartition(topic, 0), new TopicPartition(topic, 1));
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<>(p)) {
            long t0 = System.currentTimeMillis();
            assertThrows(
                    org.apache.kafka.common.errors.TimeoutException.class,
                    () -> consumer.beginningOffsets(partitions, java.time.Duration.ofSeconds(3)));
            assertTrue(
                    System.currentTimeMillis() - t0 >= 2_900,
                    "the consumer alone waits its whole timeout for a deleted topic");

            // The check between tries ends the request at its first try.
            List<Long> askedAt = new ArrayList<>();
            long t1 = System.currentTimeMillis();
            IllegalStateException gone =
                    assertThrows(
                            IllegalStateException.class,
                            () ->
                                    ReplayFetcher.listOffsets(
                                            d -> consumer.beginningOffsets(partitions, d),
                                            60_000,
                                            () -> {
                                                askedAt.add(System.currentTimeMillis() - t1);
                                                throw new IllegalStateException("deleted");
                                            }));
            assertEquals("deleted", gone.getMessage());
            assertEquals(1, askedAt.size());
            assertTrue(
                    askedAt.get(0) >= ReplayFetcher.CONFIRM_MS - 100
                            && askedAt.get(0) < 2 * ReplayFetcher.CONFIRM_MS,
                    "asked after the first try: " + askedAt);

            // A check that finds nothing wrong lets the tries go on, each twice as long, until
            // the timeout: then the consumer's own timeout comes out.
            askedAt.clear();
            long t2 = System.currentTimeMillis();
            assertThrows(
                    org.apache.kafka.common.errors.TimeoutException.class,
                    () ->
                            ReplayFetcher.listOffsets(
                                    d -> consumer.endOffsets(partitions, d),
                                    7_800,
                                    () -> askedAt.add(System.currentTimeMillis() - t2)));
            long took = System.currentTimeMillis() - t2;
            assertEquals(2, askedAt.size(), "after the 2-s and the 4-s try: " + askedAt);
            assertTrue(askedAt.get(1) >= 3 * ReplayFetcher.CONFIRM_MS - 200, "" + askedAt);
            assertTrue(took >= 7_700 && took < 10_000, "gave up at the timeout: " + took);
        }
    }

    @Test
    void aPassStartsOffsetRequestsWaitTheConsumersOwnTimeoutNotTheCommandsNorKafkasDefault()
            throws Exception {
        // The fetcher itself, at a pass's start, on a deleted topic whose deletion its admin
        // cannot see (the admin's cluster does not answer, so the check between tries leaves the
        // question open): the offset requests go on in tries until the consumer's own
        // default.api.timeout.ms (5 s here), neither the admin's 1 s nor Kafka's 60-s default.
        String topic = "replay.offsets.timeout";
        produce(topic);
        ReplayPlan plan = plan(ShuffleMode.BLOCKS);
        ReplaySource source = source(topic, plan);
        Map<Integer, long[]> range = source.resolveRange();
        String id = topicId(topic);
        broker.deleteTopic(topic);
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                org.apache.kafka.common.serialization.ByteBufferDeserializer.class.getName());
        p.put(
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                org.apache.kafka.common.serialization.ByteBufferDeserializer.class.getName());
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
        assertEquals(5_000, ReplayFetcher.apiTimeoutMs(p));
        KafkaClientConfig unanswered =
                KafkaClientConfig.plain("localhost:" + freePort()).withTimeoutMs(1_000);
        ReplayFetcher fetcher = new ReplayFetcher(unanswered, p, topic, plan);
        try {
            fetcher.handleSplitsChanges(
                    new org.apache.flink.connector.base.source.reader.splitreader.SplitsAddition<>(
                            List.of(start(range, plan, id))));
            long t0 = System.currentTimeMillis();
            assertThrows(org.apache.kafka.common.errors.TimeoutException.class, fetcher::fetch);
            long took = System.currentTimeMillis() - t0;
            assertTrue(took >= 4_900 && took < 30_000, "gave up after " + took + " ms");
        } finally {
            fetcher.close();
        }
        Properties defaults = new Properties();
        defaults.putAll(p);
        defaults.remove(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG);
        assertEquals(60_000, ReplayFetcher.apiTimeoutMs(defaults), "Kafka's default");
    }

    private static int freePort() throws java.io.IOException {
        try (var socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Test
    void aTimestampBeyondThePassUnitIsClampedIntoItsPass() throws Exception {
        String topic = "replay.micros";
        Properties admin = new Properties();
        admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        try (Admin a = Admin.create(admin)) {
            // Kafka 4 refuses timestamps over an hour ahead unless the topic allows them.
            a.createTopics(
                            List.of(
                                    new org.apache.kafka.clients.admin.NewTopic(topic, 1, (short) 1)
                                            .configs(
                                                    Map.of(
                                                            "message.timestamp.after.max.ms",
                                                            Long.toString(Long.MAX_VALUE)))))
                    .all()
                    .get();
        }
        // Created here for its setting; produced to only once served (KAFKA-15591).
        try (TopicAdmin a = new TopicAdmin(broker.bootstrapServers())) {
            a.awaitServed(topic);
        }
        try (var producer =
                new org.apache.kafka.clients.producer.KafkaProducer<byte[], byte[]>(
                        Map.of(
                                "bootstrap.servers", broker.bootstrapServers(),
                                "key.serializer", ByteArraySerializer.class.getName(),
                                "value.serializer", ByteArraySerializer.class.getName()))) {
            long micros = 1_767_225_600_000_000L; // 2026 in microseconds
            for (int i = 0; i < 10; i++) {
                producer.send(
                                new org.apache.kafka.clients.producer.ProducerRecord<>(
                                        topic, 0, micros + i, null, new byte[] {(byte) i}))
                        .get();
            }
        }
        ReplayPlan plan = plan(ShuffleMode.WINDOW);
        ReplaySource source = source(topic, plan);
        List<KafkaRecord> all = readAll(source, source.resolveRange(), plan, -1, null);
        assertEquals(10 * plan.passes(), all.size());
        for (int i = 0; i < all.size(); i++) {
            int pass = i / 10;
            assertEquals(pass, plan.passOf(all.get(i).timestamp()), "record " + i);
            assertEquals(plan.shift(pass) + plan.unitMs() - 1, all.get(i).timestamp());
        }
    }

    /**
     * Reads from the start; with {@code stopAfter >= 0}, stops at the first call to the reader that
     * ends past that many records and adds the reader's checkpoint then to {@code checkpoint}.
     */
    private static List<KafkaRecord> readAll(
            ReplaySource source,
            Map<Integer, long[]> range,
            ReplayPlan plan,
            int stopAfter,
            List<ReplaySplit> checkpoint)
            throws Exception {
        ReplaySplit start = start(range, plan, "");
        if (stopAfter < 0) {
            return readFrom(source, start);
        }
        try (ReplayReader reader = (ReplayReader) source.createReader(new Context())) {
            reader.start();
            reader.addSplits(List.of(start));
            reader.notifyNoMoreSplits();
            Collect out = new Collect();
            while (out.records.size() <= stopAfter && poll(reader, out)) {}
            checkpoint.addAll(reader.snapshotState(1));
            return out.records;
        }
    }

    /** The split a job's first start hands the reader, fixed in the topic of id {@code topicId}. */
    private static ReplaySplit start(Map<Integer, long[]> range, ReplayPlan plan, String topicId) {
        return new ReplaySplit(
                        range,
                        0,
                        0,
                        0,
                        Map.of(),
                        ReplaySplit.Grouping.of(plan),
                        ReplaySplit.Passes.of(plan),
                        topicId)
                .atPass(0);
    }

    /** The split through its serializer, as a checkpoint or savepoint stores it. */
    private static ReplaySplit asStored(ReplaySplit split) throws java.io.IOException {
        ReplaySplit.Serializer serializer = new ReplaySplit.Serializer();
        return serializer.deserialize(serializer.getVersion(), serializer.serialize(split));
    }

    private static List<KafkaRecord> readFrom(ReplaySource source, ReplaySplit split)
            throws Exception {
        try (ReplayReader reader = (ReplayReader) source.createReader(new Context())) {
            reader.start();
            reader.addSplits(List.of(split));
            reader.notifyNoMoreSplits();
            Collect out = new Collect();
            while (poll(reader, out)) {}
            return out.records;
        }
    }

    /**
     * One call to the reader as the task thread makes it, waiting (as the task's mailbox does) for
     * the fetcher when nothing is there yet; false at the end of input. The fetcher's failure comes
     * out as its cause, as the job reports it, or as the {@code SuppressRestartsException} that
     * carries it.
     */
    private static boolean poll(ReplayReader reader, Collect out) throws Exception {
        InputStatus status;
        try {
            status = reader.pollNext(out);
        } catch (RuntimeException e) {
            Throwable cause = e;
            while (cause.getCause() != null) {
                if (cause.getCause()
                        instanceof org.apache.flink.runtime.execution.SuppressRestartsException s) {
                    // What the job's failover sees: a failure no restart can mend.
                    throw s;
                }
                cause = cause.getCause();
            }
            if (cause instanceof IllegalStateException ise) {
                throw ise;
            }
            throw e;
        }
        if (status == InputStatus.NOTHING_AVAILABLE) {
            reader.isAvailable().get(2, java.util.concurrent.TimeUnit.MINUTES);
        }
        return status != InputStatus.END_OF_INPUT;
    }

    /** What a reader needs of its task: metrics that go nowhere, one subtask. */
    private static final class Context
            implements org.apache.flink.api.connector.source.SourceReaderContext {
        @Override
        public org.apache.flink.metrics.groups.SourceReaderMetricGroup metricGroup() {
            return org.apache.flink.metrics.groups.UnregisteredMetricsGroup
                    .createSourceReaderMetricGroup();
        }

        @Override
        public org.apache.flink.configuration.Configuration getConfiguration() {
            return new org.apache.flink.configuration.Configuration();
        }

        @Override
        public String getLocalHostName() {
            return "localhost";
        }

        @Override
        public int getIndexOfSubtask() {
            return 0;
        }

        @Override
        public void sendSplitRequest() {}

        @Override
        public void sendSourceEventToCoordinator(
                org.apache.flink.api.connector.source.SourceEvent event) {}

        @Override
        public org.apache.flink.util.UserCodeClassLoader getUserCodeClassLoader() {
            throw new UnsupportedOperationException();
        }
    }

    private static List<String> coordinates(List<KafkaRecord> records) {
        return records.stream()
                .map(r -> r.partition() + ":" + r.offset() + "@" + r.timestamp())
                .toList();
    }

    /** Keeps what the reader emits. */
    private static final class Collect implements ReaderOutput<KafkaRecord> {
        final List<KafkaRecord> records = new ArrayList<>();

        @Override
        public void collect(KafkaRecord record) {
            throw new IllegalStateException("the replay always gives a timestamp");
        }

        @Override
        public void collect(KafkaRecord record, long timestamp) {
            assertEquals(record.timestamp(), timestamp);
            records.add(record);
        }

        @Override
        public void emitWatermark(Watermark watermark) {}

        @Override
        public void markIdle() {}

        @Override
        public void markActive() {}

        @Override
        public SourceOutput<KafkaRecord> createOutputForSplit(String splitId) {
            return this;
        }

        @Override
        public void releaseOutputForSplit(String splitId) {}
    }
}
