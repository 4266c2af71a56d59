package io.streamgrad.join;

import io.streamgrad.kafka.KafkaClientConfig;
import io.streamgrad.kafka.RawClients;
import io.streamgrad.kafka.Topic;
import io.streamgrad.kafka.TopicAdmin;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;

/**
 * Runs the label joiner against a cluster: live until {@link #stop}, or bounded.
 *
 * <p>Bounded: the end offsets of both input topics are taken at start; once the application has
 * committed them and every decoded record has reached the join step, every window is closed (its
 * negatives written, early labels dead-lettered) and the application shuts down cleanly, which
 * commits that last output. A bounded run assumes it is the only instance of its application.
 */
public final class LabelJoinRunner {
    private final KafkaClientConfig kafka;
    private JoinConfig config;
    private final Path stateDir;
    private final JoinCounters counters = new JoinCounters();
    private final CountDownLatch stopped = new CountDownLatch(1);

    /** On a plaintext cluster. */
    public LabelJoinRunner(String bootstrapServers, JoinConfig config, Path stateDir) {
        this(KafkaClientConfig.plain(bootstrapServers), config, stateDir);
    }

    public LabelJoinRunner(KafkaClientConfig kafka, JoinConfig config, Path stateDir) {
        this.kafka = kafka;
        this.config = config;
        this.stateDir = stateDir;
    }

    public JoinCounters counters() {
        return counters;
    }

    /** Ends a live run (e.g. from a shutdown hook); a bounded run ends by itself. */
    public void stop() {
        stopped.countDown();
    }

    /**
     * Runs until stopped or, if {@code bounded}, until both topics' records at start are joined.
     *
     * @param status called with the status line every {@code statusEvery}
     * @return the counters at the end
     * @throws IllegalStateException if an input topic is missing or the application fails
     */
    public JoinCounters run(boolean bounded, Duration statusEvery, Consumer<String> status) {
        Map<TopicPartition, Long> ends;
        try (TopicAdmin admin = new TopicAdmin(kafka)) {
            admin.requireReachable();
            for (String t : List.of(config.featuresTopic(), config.labelsTopic())) {
                if (!admin.topicExists(t)) {
                    throw new IllegalStateException(
                            "topic "
                                    + t
                                    + " does not exist at "
                                    + kafka.bootstrapServers()
                                    + ": produce to it first (e.g. ./streamgrad produce delayed)");
                }
            }
            if (config.inputPartitions() == 0) {
                config =
                        config.withInputPartitions(
                                admin.partitionCount(config.featuresTopic())
                                        + admin.partitionCount(config.labelsTopic()));
            }
            admin.ensureTopic(Topic.EVENTS, config.eventsTopic(), config.partitions());
            admin.ensureTopic(Topic.DEAD_LETTER, config.deadLetterTopic(), 1);
            // Kafka Streams would create these itself and write at once, before the broker serves
            // them: the first transactional batches then fail with OutOfOrderSequenceException
            // (seen on the in-process broker). Created here, they are served when it starts.
            List<String> repartition = LabelJoinTopology.repartitionTopics(config);
            admin.ensureTopic(Topic.FEATURES, repartition.get(0), config.partitions());
            admin.ensureTopic(Topic.LABELS, repartition.get(1), config.partitions());
        }
        ends = bounded ? endOffsets() : Map.of();
        // A bounded run of an application that already read both topics to their ends has
        // nothing to join but the windows a stopped live run left open. When it closed none
        // either, that is said at the end, with the way to join the topics again, instead of a
        // silent "joined 0".
        boolean readBefore = false;
        if (bounded && ends.values().stream().anyMatch(end -> end > 0)) {
            try (Admin admin = admin()) {
                readBefore = committed(admin, ends);
            }
        }
        Properties props = LabelJoinTopology.streamsProperties(kafka, config, stateDir);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try (KafkaStreams streams =
                new KafkaStreams(LabelJoinTopology.build(config, counters), props)) {
            streams.setUncaughtExceptionHandler(
                    e -> {
                        failure.compareAndSet(null, e);
                        stopped.countDown();
                        return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse
                                .SHUTDOWN_CLIENT;
                    });
            try {
                streams.start();
                long nextStatus = System.nanoTime() + statusEvery.toNanos();
                boolean closing = false;
                try (Admin admin = admin()) {
                    while (!stopped.await(100, TimeUnit.MILLISECONDS)) {
                        if (System.nanoTime() >= nextStatus) {
                            status.accept(counters.statusLine());
                            nextStatus += statusEvery.toNanos();
                        }
                        if (streams.state() == KafkaStreams.State.ERROR
                                || streams.state() == KafkaStreams.State.NOT_RUNNING) {
                            break;
                        }
                        if (!bounded) {
                            continue;
                        }
                        if (!closing && counters.repartitionDrained() && committed(admin, ends)) {
                            counters.requestCloseAll();
                            closing = true;
                        }
                        // Every join task (one per partition, all in this instance) has closed its
                        // windows; stopping now commits what they wrote.
                        if (closing
                                && counters.repartitionDrained()
                                && counters.tasksClosedAll() >= config.partitions()) {
                            break;
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            } finally {
                // Leave the group on every way out: KafkaStreams#close(Duration) stays a member,
                // so the next run of this application (e.g. a bounded run resuming a stopped live
                // one) waits up to session.timeout.ms (45 s by default) for the broker to expire
                // this member before its first rebalance completes.
                streams.close(
                        CloseOptions.timeout(Duration.ofSeconds(30))
                                .withGroupMembershipOperation(
                                        CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
            }
        }
        if (failure.get() != null) {
            throw new IllegalStateException(
                    "the label joiner failed: " + failure.get().getMessage(), failure.get());
        }
        status.accept(counters.statusLine());
        boolean wroteNothing =
                counters.joined() == 0
                        && counters.negatives() == 0
                        && counters.dropped() == 0
                        && counters.deadLettered() == 0;
        if (readBefore && wroteNothing) {
            status.accept(
                    "nothing new: application "
                            + config.applicationId()
                            + " had already read "
                            + config.featuresTopic()
                            + " and "
                            + config.labelsTopic()
                            + " to their end offsets before this run; to join them again from the"
                            + " beginning, give another --application-id, and another"
                            + " --events-topic unless "
                            + config.eventsTopic()
                            + " should get every event a second time");
        }
        return counters;
    }

    private Map<TopicPartition, Long> endOffsets() {
        try (KafkaConsumer<byte[], byte[]> c =
                RawClients.consumer(kafka, "streamgrad-join-bounds")) {
            Map<TopicPartition, Long> ends = new HashMap<>();
            for (String t : List.of(config.featuresTopic(), config.labelsTopic())) {
                List<TopicPartition> ps =
                        c.partitionsFor(t, Duration.ofMillis(kafka.timeoutMs())).stream()
                                .map(p -> new TopicPartition(t, p.partition()))
                                .toList();
                ends.putAll(c.endOffsets(ps, Duration.ofMillis(kafka.timeoutMs())));
            }
            return ends;
        }
    }

    /** True when the application has committed at least {@code ends} on every input partition. */
    private boolean committed(Admin admin, Map<TopicPartition, Long> ends) {
        Map<TopicPartition, OffsetAndMetadata> done;
        try {
            done =
                    admin.listConsumerGroupOffsets(config.applicationId())
                            .partitionsToOffsetAndMetadata()
                            .get(kafka.timeoutMs(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            return false; // the group may not exist yet: ask again on the next tick
        }
        for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
            if (end.getValue() == 0) {
                continue;
            }
            OffsetAndMetadata o = done.get(end.getKey());
            if (o == null || o.offset() < end.getValue()) {
                return false;
            }
        }
        return true;
    }

    private Admin admin() {
        return Admin.create(
                RawClients.adminProps(kafka, "streamgrad-join-admin", kafka.timeoutMs()));
    }
}
