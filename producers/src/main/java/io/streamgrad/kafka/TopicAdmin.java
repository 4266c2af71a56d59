package io.streamgrad.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * The one Kafka admin helper: checks that a cluster answers and creates streamgrad's topics.
 * Creation is idempotent, so every command can call {@link #ensureTopic} before it starts.
 */
public final class TopicAdmin implements AutoCloseable {
    private final KafkaClientConfig kafka;
    private final String bootstrapServers;
    private final Admin admin;
    private final long timeoutMs;

    /** On a plaintext cluster, with the default timeout. */
    public TopicAdmin(String bootstrapServers) {
        this(KafkaClientConfig.plain(bootstrapServers));
    }

    /** On a plaintext cluster. */
    public TopicAdmin(String bootstrapServers, long timeoutMs) {
        this(KafkaClientConfig.plain(bootstrapServers), timeoutMs);
    }

    /** With the configuration's own wait ({@link KafkaClientConfig#timeoutMs}). */
    public TopicAdmin(KafkaClientConfig kafka) {
        this(kafka, kafka.timeoutMs());
    }

    /**
     * @param timeoutMs how long each request may take before Kafka counts as unreachable
     * @throws KafkaUnreachableException when no bootstrap server's host name resolves
     * @throws InvalidClientConfigException when the client settings are refused by the client
     */
    public TopicAdmin(KafkaClientConfig kafka, long timeoutMs) {
        this.kafka = kafka;
        this.bootstrapServers = kafka.bootstrapServers();
        this.timeoutMs = timeoutMs;
        try {
            this.admin = Admin.create(RawClients.adminProps(kafka, "streamgrad-admin", timeoutMs));
        } catch (org.apache.kafka.common.KafkaException e) {
            throw creationFailure(kafka, e);
        }
    }

    /**
     * Why a client could not be made: unresolvable servers, or settings the client refused (a
     * security protocol without its JAAS configuration, an unknown login module…).
     */
    static RuntimeException creationFailure(
            KafkaClientConfig kafka, org.apache.kafka.common.KafkaException e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = root.getMessage() == null ? root.toString() : root.getMessage();
        if (root instanceof org.apache.kafka.common.config.ConfigException
                && m.contains(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG)) {
            return new KafkaUnreachableException(kafka.bootstrapServers());
        }
        return new InvalidClientConfigException(
                "cannot make a Kafka client with "
                        + (kafka.file() != null
                                ? "the settings of " + kafka.file()
                                : "no client settings")
                        + ": "
                        + kafka.redact(m.lines().findFirst().orElse(""))
                        + "; fix the client properties file (--command-config)");
    }

    /** What a failed request means: refused credentials, or no answer in time. */
    private RuntimeException failure(Exception e) {
        var auth = KafkaAuthenticationException.find(e);
        if (auth != null) {
            return new KafkaAuthenticationException(kafka, auth);
        }
        return new KafkaUnreachableException(bootstrapServers, timeoutMs);
    }

    /** How long the first request waits before the bootstrap servers are probed (ms). */
    static final long FIRST_ANSWER_MS = 300;

    /**
     * How long a refusal must last: a second probe this much later must find every server refusing
     * too (a broker restarting refuses for a moment) (ms).
     */
    static final long REFUSAL_CONFIRM_MS = 1_000;

    // Set once a request was answered: the servers listen, and later waits need no probe.
    private boolean answered;
    // Set when a wait gave up: its request is still pending, and close need not wait for it.
    private boolean gaveUp;

    /**
     * Waits for a request's answer up to the timeout. The first time an answer is slow, the
     * bootstrap servers are probed ({@link BootstrapProbe}): when nothing listens at any of them,
     * and still nothing a second later, this gives up then instead of at the timeout (Kafka's
     * client keeps retrying a refused connection until then).
     *
     * @throws KafkaUnreachableException when every bootstrap server refuses connections, or the
     *     client's own request timeout (the same timeout) ran out first
     */
    private <T> T await(KafkaFuture<T> answer)
            throws ExecutionException, TimeoutException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        try {
            if (!answered
                    && timeoutMs > FIRST_ANSWER_MS
                    && !arrivesWithin(answer, FIRST_ANSWER_MS)) {
                String refusal =
                        confirmed(
                                answer,
                                deadline,
                                ms -> BootstrapProbe.refusal(bootstrapServers, ms));
                if (refusal != null) {
                    throw new KafkaUnreachableException(bootstrapServers, refusal);
                }
                // Something listens: it may speak TLS where the client does not, or not where
                // the client does, which Kafka's client retries until its timeout. A listener
                // closing connections for a moment (a broker restarting, a proxy without a
                // backend) is not plaintext: confirmed as a refusal is.
                String mismatch =
                        confirmed(
                                answer, deadline, ms -> BootstrapProbe.protocolMismatch(kafka, ms));
                if (mismatch != null) {
                    throw KafkaUnreachableException.mismatch(bootstrapServers, mismatch);
                }
            }
            T value = answer.get(Math.max(1, remainingMs(deadline)), TimeUnit.MILLISECONDS);
            answered = true;
            return value;
        } catch (TimeoutException | KafkaUnreachableException e) {
            gaveUp = true;
            throw e;
        } catch (InterruptedException e) {
            gaveUp = true;
            throw e;
        } catch (ExecutionException e) {
            if (!answered
                    && e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException) {
                // Nothing has answered yet, and the client's own deadline (default.api.timeout.ms,
                // the same timeout) came first.
                gaveUp = true;
                throw new KafkaUnreachableException(bootstrapServers, timeoutMs);
            }
            // A broker's answer, if an error one (TopicExistsException, a partition not served):
            // the cluster is there; callers say what went wrong.
            answered = true;
            throw e;
        }
    }

    /** Whether the answer (or its failure) arrives within {@code ms}. */
    /**
     * What {@code probe} finds, twice, a second apart ({@link #REFUSAL_CONFIRM_MS}), while no
     * answer has come: a broker restarting refuses, or closes connections, for a moment. Null when
     * either probe finds nothing or the answer comes meanwhile.
     *
     * @param probe given the time left (ms), why Kafka cannot be reached, or null
     */
    private static String confirmed(
            KafkaFuture<?> answer,
            long deadlineNanos,
            java.util.function.LongFunction<String> probe)
            throws InterruptedException {
        if (answer.isDone()
                || probe.apply(remainingMs(deadlineNanos)) == null
                || arrivesWithin(
                        answer, Math.min(REFUSAL_CONFIRM_MS, remainingMs(deadlineNanos)))) {
            return null;
        }
        String found = probe.apply(remainingMs(deadlineNanos));
        return found != null && !arrivesWithin(answer, 0) ? found : null;
    }

    private static boolean arrivesWithin(KafkaFuture<?> answer, long ms)
            throws InterruptedException {
        try {
            answer.get(Math.max(1, ms), TimeUnit.MILLISECONDS);
            return true;
        } catch (ExecutionException failed) {
            return true;
        } catch (TimeoutException slow) {
            return answer.isDone(); // done in the moment after the wait
        }
    }

    private static long remainingMs(long deadlineNanos) {
        return Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
    }

    /**
     * Fails fast with an actionable message when nothing answers at the bootstrap servers.
     *
     * @return the cluster's id (the brokers' {@code cluster.id}): which log a run's offsets belong
     *     to, whatever address reaches it
     */
    public String requireReachable() {
        try {
            DescribeClusterResult cluster = admin.describeCluster();
            await(cluster.nodes());
            return await(cluster.clusterId());
        } catch (TimeoutException | ExecutionException e) {
            throw failure(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaUnreachableException(bootstrapServers, timeoutMs);
        }
    }

    /** How long a topic streamgrad creates keeps its records. */
    public enum Retention {
        /**
         * Kept until deleted: for event topics. streamgrad's producers stamp each record with its
         * event time (from the data set or the seed), which may lie months in the past; under the
         * broker's time-based retention (7 days by default) a replayed data set would be deleted at
         * the broker's next retention check, between producing it and training on it.
         */
        UNLIMITED,
        /** The broker's defaults: for metrics and dead letters, stamped with their write time. */
        BROKER_DEFAULT,
        /**
         * Log compaction, keeping the newest record per key: for model snapshots, one record
         * holding a model's parameters and optimizer state (an MLP 784-128-10 with Adam is 1.2 MB,
         * over Kafka's 1 MB default).
         */
        COMPACTED
    }

    /**
     * Creates a topic of the registry if it does not exist, with the registry's cleanup policy and
     * record limit, replicated min(3, brokers) times; an existing topic is left as it is.
     *
     * @param name the topic's name (the registry's default, or the user's)
     */
    public void ensureTopic(Topic kind, String name, int partitions) {
        NewTopic topic = new NewTopic(name, partitions, replicationFactor());
        Map<String, String> configs = new HashMap<>();
        switch (kind.retention()) {
            case UNLIMITED -> configs.put(TopicConfig.RETENTION_MS_CONFIG, "-1");
            case COMPACTED ->
                    configs.put(
                            TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
            case BROKER_DEFAULT -> {}
        }
        if (kind.maxRecordBytes() != Topic.DEFAULT_RECORD_BYTES) {
            configs.put(
                    TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(kind.maxRecordBytes()));
        }
        topic.configs(configs);
        try {
            await(admin.createTopics(List.of(topic)).all());
        } catch (ExecutionException e) {
            if (KafkaAuthenticationException.find(e) != null) {
                throw failure(e);
            }
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException(
                        "cannot create topic " + name + ": " + e.getCause().getMessage(), e);
            }
        } catch (TimeoutException e) {
            throw new KafkaUnreachableException(bootstrapServers, timeoutMs);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topic " + name, e);
        }
        awaitServed(name);
    }

    /**
     * Waits until the leader of every partition serves it. Creation returns once the controller has
     * recorded the topic, before brokers serve it. A producer writing at once gets a retriable
     * error for its first batch while a pipelined second batch may land; a broker accepts any first
     * sequence number from a producer it does not know, so the retried first batch is then refused
     * as out of order until the delivery timeout (seen on a loaded 2-core machine; KAFKA-15591).
     * {@link #ensureTopic} calls it; call it after creating a topic any other way.
     *
     * @param name an existing topic's name
     * @throws KafkaUnreachableException when a request to the brokers times out
     * @throws KafkaAuthenticationException when the brokers refuse the client's credentials
     * @throws IllegalStateException when the topic is still not served after the timeout (no leader
     *     for some partition, or its leaders not answering yet), when describing it fails for a
     *     reason that retrying does not cure, or when the thread is interrupted
     */
    public void awaitServed(String name) {
        // A new topic's leaders take their time on a healthy cluster too: a short timeout, given
        // to fail fast where nothing answers, must not fail a topic still being set up.
        long deadline =
                System.currentTimeMillis()
                        + Math.max(timeoutMs, KafkaClientConfig.DEFAULT_TIMEOUT_MS);
        while (true) {
            try {
                TopicDescription d =
                        await(admin.describeTopics(Set.of(name)).allTopicNames()).get(name);
                if (d.partitions().stream().allMatch(p -> p.leader() != null)) {
                    // The metadata names a leader before that broker serves the partition;
                    // answering a list-offsets request is what serving means.
                    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
                    d.partitions()
                            .forEach(
                                    p ->
                                            latest.put(
                                                    new TopicPartition(name, p.partition()),
                                                    OffsetSpec.latest()));
                    await(admin.listOffsets(latest).all());
                    return;
                }
            } catch (ExecutionException e) {
                if (KafkaAuthenticationException.find(e) != null) {
                    throw failure(e);
                }
                if (!(e.getCause() instanceof RetriableException)) {
                    throw new IllegalStateException(
                            "cannot describe topic " + name + ": " + e.getCause().getMessage(), e);
                }
            } catch (TimeoutException e) {
                throw new KafkaUnreachableException(bootstrapServers, timeoutMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + name, e);
            }
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException(
                        "topic "
                                + name
                                + " is not served by a leader for every partition after "
                                + timeoutMs
                                + " ms: check that it exists and the brokers' health");
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + name, e);
            }
        }
    }

    private short replicationFactor() {
        try {
            int brokers = await(admin.describeCluster().nodes()).size();
            return (short) Math.max(1, Math.min(3, brokers));
        } catch (TimeoutException | ExecutionException e) {
            throw failure(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while describing the cluster", e);
        }
    }

    public int partitionCount(String name) {
        try {
            Map<String, TopicDescription> d =
                    await(admin.describeTopics(Set.of(name)).allTopicNames());
            return d.get(name).partitions().size();
        } catch (ExecutionException e) {
            if (KafkaAuthenticationException.find(e) != null) {
                throw failure(e);
            }
            throw new IllegalStateException(
                    "topic " + name + " is not readable: " + e.getCause().getMessage(), e);
        } catch (TimeoutException e) {
            throw new KafkaUnreachableException(bootstrapServers, timeoutMs);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * The topic's {@code cleanup.policy} ("delete", "compact" or "compact,delete"); empty when it
     * cannot be told, e.g. the client may not describe the topic's configs (best effort: what only
     * informs must not stop a run).
     *
     * @throws KafkaUnreachableException when Kafka does not answer in time
     */
    public java.util.Optional<String> cleanupPolicy(String name) {
        ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, name);
        try {
            var entry =
                    await(admin.describeConfigs(List.of(topic)).all())
                            .get(topic)
                            .get(TopicConfig.CLEANUP_POLICY_CONFIG);
            return java.util.Optional.ofNullable(entry == null ? null : entry.value());
        } catch (ExecutionException e) {
            return java.util.Optional.empty();
        } catch (TimeoutException e) {
            throw failure(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while describing topic " + name, e);
        }
    }

    /**
     * The topic's id (Kafka's {@code Uuid}, base64 as Kafka prints it): it tells a topic from one
     * deleted and made again under the same name, whose offsets name other records. Empty when the
     * topic does not exist.
     *
     * @throws KafkaUnreachableException when Kafka does not answer in time
     * @throws IllegalStateException when the topic cannot be described (e.g. not authorized)
     */
    public java.util.Optional<String> topicId(String name) {
        try {
            Map<String, TopicDescription> d =
                    await(admin.describeTopics(Set.of(name)).allTopicNames());
            return java.util.Optional.of(d.get(name).topicId().toString());
        } catch (ExecutionException e) {
            if (e.getCause()
                    instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException) {
                return java.util.Optional.empty();
            }
            if (KafkaAuthenticationException.find(e) != null) {
                throw failure(e);
            }
            if (e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException
                    || e.getCause() instanceof RetriableException) {
                // No answer in time (the client's own deadline raced ours): the broker is away.
                throw new KafkaUnreachableException(bootstrapServers, timeoutMs);
            }
            throw new IllegalStateException(
                    "topic " + name + " cannot be described: " + e.getCause().getMessage(), e);
        } catch (TimeoutException e) {
            throw new KafkaUnreachableException(bootstrapServers, timeoutMs);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public boolean topicExists(String name) {
        try {
            return await(admin.listTopics().names()).contains(name);
        } catch (TimeoutException | ExecutionException e) {
            throw failure(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Records currently in the topic: the sum over partitions of end offset minus earliest offset
     * (an upper bound when the topic holds transaction markers).
     */
    public long recordCount(String name) {
        Map<Integer, Long> start = offsets(name, OffsetSpec.earliest());
        long n = 0;
        for (Map.Entry<Integer, Long> end : offsets(name, OffsetSpec.latest()).entrySet()) {
            n += end.getValue() - start.get(end.getKey());
        }
        return n;
    }

    /**
     * The first offset each partition of the topic still holds (partition → offset), empty when the
     * topic does not exist: what retention or a delete-records request has left.
     */
    public Map<Integer, Long> beginningOffsets(String name) {
        return topicExists(name) ? offsets(name, OffsetSpec.earliest()) : Map.of();
    }

    /**
     * The end offset of each partition of the topic (partition → offset), empty when the topic does
     * not exist: where a reader that wants only what is written from now on starts.
     */
    public Map<Integer, Long> endOffsets(String name) {
        return topicExists(name) ? offsets(name, OffsetSpec.latest()) : Map.of();
    }

    /**
     * Whether a consumer group has committed offsets at or past the end of every partition of a
     * non-empty topic: a bounded run of that group would read nothing.
     */
    public boolean groupAtEnd(String group, String topic) {
        Map<Integer, Long> committed = committedOffsets(group, topic);
        long total = 0;
        for (Map.Entry<Integer, Long> end : offsets(topic, OffsetSpec.latest()).entrySet()) {
            total += end.getValue();
            Long c = committed.get(end.getKey());
            if (c == null || c < end.getValue()) {
                return false;
            }
        }
        return total > 0;
    }

    /**
     * The offsets a consumer group has committed on a topic (partition → the next offset to read);
     * partitions without one are left out, and so is every partition of a group never seen.
     *
     * @throws KafkaUnreachableException when the brokers do not answer in time
     */
    public Map<Integer, Long> committedOffsets(String group, String topic) {
        Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> committed;
        try {
            committed =
                    await(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata());
        } catch (ExecutionException e) {
            if (KafkaAuthenticationException.find(e) != null) {
                throw failure(e);
            }
            throw new IllegalStateException(
                    "cannot read the offsets of group " + group + ": " + e.getCause().getMessage(),
                    e);
        } catch (TimeoutException e) {
            throw new KafkaUnreachableException(bootstrapServers, timeoutMs);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        Map<Integer, Long> out = new TreeMap<>();
        committed.forEach(
                (tp, o) -> {
                    if (o != null && tp.topic().equals(topic)) {
                        out.put(tp.partition(), o.offset());
                    }
                });
        return out;
    }

    /** Each partition's offset of one kind (earliest, latest), partition → offset. */
    private Map<Integer, Long> offsets(String name, OffsetSpec spec) {
        return offsets(name, spec, IsolationLevel.READ_UNCOMMITTED);
    }

    /**
     * The last stable offset of each partition of the topic (partition → offset), empty when the
     * topic does not exist: where a read_committed reader stops. Below {@link #endOffsets} while a
     * transaction is open there: its first record's offset.
     */
    public Map<Integer, Long> stableOffsets(String name) {
        return topicExists(name)
                ? offsets(name, OffsetSpec.latest(), IsolationLevel.READ_COMMITTED)
                : Map.of();
    }

    private Map<Integer, Long> offsets(String name, OffsetSpec spec, IsolationLevel isolation) {
        try {
            int partitions = partitionCount(name);
            Map<TopicPartition, OffsetSpec> request = new HashMap<>();
            for (int p = 0; p < partitions; p++) {
                request.put(new TopicPartition(name, p), spec);
            }
            var answer = await(admin.listOffsets(request, new ListOffsetsOptions(isolation)).all());
            Map<Integer, Long> out = new TreeMap<>();
            answer.forEach((tp, o) -> out.put(tp.partition(), o.offset()));
            return out;
        } catch (ExecutionException e) {
            if (KafkaAuthenticationException.find(e) != null) {
                throw failure(e);
            }
            throw new IllegalStateException(
                    "cannot read the offsets of " + name + ": " + e.getCause().getMessage(), e);
        } catch (TimeoutException e) {
            throw new KafkaUnreachableException(bootstrapServers, timeoutMs);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        // A request given up on would hold the close for its retries: nothing waits for it.
        admin.close(gaveUp ? Duration.ZERO : Duration.ofSeconds(5));
    }
}
