package io.streamgrad.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamgrad.config.InvalidSettingException;
import io.streamgrad.job.JobConfig;
import io.streamgrad.job.TrainingJob;
import io.streamgrad.kafka.EmbeddedKafkaBroker;
import io.streamgrad.kafka.TopicAdmin;
import io.streamgrad.producers.SyntheticConfig;
import io.streamgrad.producers.SyntheticProducer;
import io.streamgrad.run.flags.TrainJobOptions;
import io.streamgrad.schema.Task;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A bounded run's range is checked before anything starts: a range with no records is refused (not
 * run, and not recorded as done), and a replay whose head retention deleted since it first started
 * is not resumed, naming every partition that lost offsets.
 */
class ReplayRangeIT {
    private static final String TOPIC = "range.events";
    private static final long EVENTS = 4_000; // 1,000 per partition
    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void start() {
        broker = EmbeddedKafkaBroker.start();
        new SyntheticProducer(
                        broker.bootstrapServers(),
                        new SyntheticConfig(
                                TOPIC, "r", Task.BINARY, 5, 2, 0.5, EVENTS, 0, 4, 3, 0, false))
                .run(n -> {});
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    private static JobConfig config(String group, String... more) {
        return configOn(TOPIC, group, more);
    }

    private static JobConfig configOn(String topic, String group, String... more) {
        TrainJobOptions o = new TrainJobOptions();
        String[] base = {
            "--bootstrap-servers",
            broker.bootstrapServers(),
            "--events-topic",
            topic,
            "--features",
            "5",
            "--bounded",
            "--epochs",
            "2",
            "--group-id",
            group
        };
        String[] args =
                java.util.stream.Stream.concat(
                                java.util.Arrays.stream(base), java.util.Arrays.stream(more))
                        .toArray(String[]::new);
        new CommandLine(o).parseArgs(args);
        return o.toJobConfig("run-" + group);
    }

    /** Commits {@code offsets} (partition → next offset) of the topic for {@code group}. */
    private static void commit(String group, Map<Integer, Long> offsets) {
        try (var consumer =
                new org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]>(
                        Map.of(
                                "bootstrap.servers", broker.bootstrapServers(),
                                "group.id", group,
                                "key.deserializer",
                                        org.apache.kafka.common.serialization.ByteArrayDeserializer
                                                .class
                                                .getName(),
                                "value.deserializer",
                                        org.apache.kafka.common.serialization.ByteArrayDeserializer
                                                .class
                                                .getName()))) {
            Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> commits =
                    new java.util.HashMap<>();
            offsets.forEach(
                    (p, o) ->
                            commits.put(
                                    new TopicPartition(TOPIC, p),
                                    new org.apache.kafka.clients.consumer.OffsetAndMetadata(o)));
            consumer.commitSync(commits);
        }
    }

    /** As train's {@code --from-offset} sets it. */
    private static JobConfig fromOffset(String offsets) {
        return TrainRun.resolveStart(config("empty"), null, null, offsets).config();
    }

    @Test
    void aRangeWithNoRecordsIsRefusedBeforeTheStartAndNotRecorded(@TempDir Path dir) {
        Path state = dir.resolve("empty");
        InvalidSettingException e =
                assertThrows(
                        InvalidSettingException.class,
                        () -> TrainRun.prepare(fromOffset("1000"), state, false, null));
        assertEquals(
                "a bounded run over "
                        + TOPIC
                        + " would read nothing: its range ends where it starts (partition 0 at"
                        + " offset 1000, partition 1 at offset 1000, partition 2 at offset 1000,"
                        + " partition 3 at offset 1000); from-offset starts at the topic's end;"
                        + " give an earlier from-offset",
                e.getMessage());
        assertFalse(Files.exists(state.resolve("run.json")), "nothing recorded");
        // Part of the topic left to read is a range.
        TrainRun.Prepared p =
                TrainRun.prepare(fromOffset("0:999,1:1000,2:1000,3:1000"), state, false, null);
        long records = p.range().values().stream().mapToLong(r -> r[1] - r[0]).sum();
        assertEquals(1, records);
        // The job starts where the recorded range does.
        assertEquals(Map.of(0, 999L, 1, 1000L, 2, 1000L, 3, 1000L), p.config().startOffsets());
    }

    /**
     * The events added past a finished run's range: past the range recorded before its job started,
     * or past the group's committed offsets where the job read on (it fixes its end as it starts,
     * and commits it when done), whichever is later. (Another test here deletes heads below offset
     * 250: below the range's end, so they change nothing here whatever the order.)
     */
    @Test
    void eventsAddedSinceARangeCountFromItsEndOrTheGroupsCommitsWhicheverIsLater() {
        Map<Integer, long[]> recorded = new java.util.TreeMap<>();
        for (int p = 0; p < 4; p++) {
            recorded.put(p, new long[] {0, 600}); // the topic holds 1,000 per partition
        }
        assertEquals(4 * 400, TrainRun.eventsAddedSince(config("added-none"), recorded));
        // The job read partitions 0 and 1 on to 900 and committed that.
        commit(
                "added-read-on",
                Map.of(
                        0, 900L,
                        1, 900L,
                        // Behind the recorded end: the recorded end counts.
                        2, 100L));
        assertEquals(
                100 + 100 + 400 + 400,
                TrainRun.eventsAddedSince(config("added-read-on"), recorded));
    }

    @Test
    void anEmptyRangeSaysWhyItIsEmpty() {
        // A group that has read the topic to its end (what the job jar on a cluster checks; train
        // refuses it earlier, naming its state directory).
        Map<Integer, Long> end = new java.util.HashMap<>();
        for (int p = 0; p < 4; p++) {
            end.put(p, EVENTS / 4);
        }
        commit("at-end", end);
        InvalidSettingException atEnd =
                assertThrows(
                        InvalidSettingException.class,
                        () -> TrainRun.requireRecords(config("at-end")));
        assertTrue(
                atEnd.getMessage()
                        .endsWith(
                                "group at-end has read it to its end (its committed offsets);"
                                        + " start-over replays it from the beginning, or use"
                                        + " another group-id"),
                atEnd.getMessage());
        InvalidSettingException latest =
                assertThrows(
                        InvalidSettingException.class,
                        () -> TrainRun.requireRecords(config("fresh", "--from", "latest")));
        assertTrue(
                latest.getMessage()
                        .endsWith(
                                "from latest starts at the topic's end where group fresh has no"
                                        + " committed offsets; use from earliest"),
                latest.getMessage());
        // From the earliest, the range is what the topic holds (another test deletes some).
        long fresh = total(TrainRun.requireRecords(config("fresh")));
        assertTrue(fresh > EVENTS - 300 && fresh <= EVENTS, "records: " + fresh);
    }

    private static long total(Map<Integer, long[]> range) {
        return range.values().stream().mapToLong(r -> r[1] - r[0]).sum();
    }

    @Test
    void aReplayWhoseHeadRetentionDeletedIsNotResumed(@TempDir Path dir) throws Exception {
        JobConfig c = config("resume");
        Map<Integer, long[]> range = TrainingJob.boundedRangeNow(c);
        assertEquals(4, range.size());
        range.values().forEach(r -> assertEquals(EVENTS / 4, r[1] - r[0]));
        // A run that started, recorded its range and wrote a checkpoint.
        StateDirectory state = StateDirectory.at(dir.resolve("resume"));
        state.begin(c, OutputStart.BEGINNING, null, null, range);
        Path chk = state.checkpoints().resolve("job").resolve("chk-1");
        Files.createDirectories(chk);
        Files.writeString(chk.resolve("_metadata"), "");
        // Nothing deleted: the checks pass up to the checkpoint's own (which an empty file fails).
        InvalidSettingException unreadable =
                assertThrows(
                        InvalidSettingException.class,
                        () -> TrainRun.prepare(c, state.path(), false, null));
        assertTrue(unreadable.getMessage().contains("is damaged"), unreadable.getMessage());

        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        try (Admin admin = Admin.create(p)) {
            admin.deleteRecords(
                            Map.of(
                                    new TopicPartition(TOPIC, 1),
                                    RecordsToDelete.beforeOffset(10),
                                    new TopicPartition(TOPIC, 3),
                                    RecordsToDelete.beforeOffset(250)))
                    .all()
                    .get();
        }
        InvalidSettingException lost =
                assertThrows(
                        InvalidSettingException.class,
                        () -> TrainRun.prepare(c, state.path(), false, null));
        assertEquals(
                "the run in "
                        + state.path()
                        + " replays "
                        + TOPIC
                        + ", whose range was deleted in part (by retention, or a delete-records"
                        + " request) since the run first started: partition 1 offsets [0, 10) (it"
                        + " now begins at 10), partition 3 offsets [0, 250) (it now begins at 250)."
                        + " Resumed, each epoch would be shorter, so it is not: start-over trains"
                        + " afresh on what the topic still holds (keep what a run's epochs read,"
                        + " the topic's retention.ms, while it runs), or use another group-id",
                lost.getMessage());
        // Starting over reads what is left.
        TrainRun.Prepared fresh = TrainRun.prepare(c, state.path(), true, null);
        assertEquals(10, fresh.range().get(1)[0]);
        assertEquals(250, fresh.range().get(3)[0]);
        assertEquals(0, fresh.range().get(0)[0]);
        assertEquals(Map.of(0, 0L, 1, 10L, 2, 0L, 3, 250L), fresh.config().startOffsets());
    }

    @Test
    void aRunOnATopicDeletedAndMadeAgainIsNotResumedEvenWhereItsRangeStillExists(@TempDir Path dir)
            throws Exception {
        String topic = "range.remade";
        SyntheticConfig events =
                new SyntheticConfig(topic, "r", Task.BINARY, 5, 2, 0.5, 400, 0, 2, 3, 0, false);
        new SyntheticProducer(broker.bootstrapServers(), events).run(n -> {});
        JobConfig c = configOn(topic, "remade");
        TrainRun.Prepared first = TrainRun.prepare(c, dir, false, null);
        assertNotNull(first.topicId());
        // A run that started, recorded the topic's id and its range, and wrote a checkpoint.
        first.state().begin(c, OutputStart.BEGINNING, null, first.topicId(), first.range());
        Path chk = first.state().checkpoints().resolve("job").resolve("chk-1");
        Files.createDirectories(chk);
        Files.writeString(chk.resolve("_metadata"), "");

        broker.deleteTopic(topic);
        // Made again and refilled: every offset of the old range exists, as other records.
        new SyntheticProducer(broker.bootstrapServers(), events).run(n -> {});
        InvalidSettingException remade =
                assertThrows(
                        InvalidSettingException.class, () -> TrainRun.prepare(c, dir, false, null));
        String now;
        try (TopicAdmin admin = new TopicAdmin(broker.bootstrapServers())) {
            now = admin.topicId(topic).orElseThrow();
        }
        assertNotEquals(first.topicId(), now);
        assertEquals(
                "the state directory "
                        + dir
                        + " holds run run-remade of group remade, which read "
                        + topic
                        + " before it was deleted and made again (topic id "
                        + first.topicId()
                        + ", now "
                        + now
                        + "): that run's checkpointed offsets and progress name the old topic's"
                        + " records. start-over trains afresh on the topic as it is now (deleting"
                        + " that state), or give another group-id or state-dir to keep it",
                remade.getMessage());
        // Starting over records the new topic, and says how much it reads.
        TrainRun.Prepared again = TrainRun.prepare(c, dir, true, null);
        assertEquals(now, again.topicId());
        assertTrue(
                again.announcement()
                        .startsWith("starting run run-remade afresh over 400 events of " + topic),
                again.announcement());
        // A live run says how far behind the end it starts.
        TrainJobOptions o = new TrainJobOptions();
        new CommandLine(o)
                .parseArgs(
                        "--bootstrap-servers",
                        broker.bootstrapServers(),
                        "--events-topic",
                        topic,
                        "--features",
                        "5",
                        "--group-id",
                        "live-remade");
        TrainRun.Prepared live =
                TrainRun.prepare(o.toJobConfig("run-live"), dir.resolve("live"), false, null);
        assertTrue(
                live.announcement()
                        .startsWith(
                                "starting run run-live afresh 400 events behind the end of "
                                        + topic
                                        + " (from group live-remade's committed offsets where"
                                        + " it has them, else the earliest)"),
                live.announcement());
    }
}
