package io.streamgrad.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamgrad.kafka.EmbeddedKafkaBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Topics compressed by their producer, as most production topics are, through the launcher a user
 * runs ({@code ./streamgrad}, with the classpath it builds, not Maven's test classpath): {@code
 * produce csv} writes one topic per Kafka codec, the broker's log shows each one smaller than the
 * same events uncompressed, and {@code train --bounded} reads every event of a compressed topic.
 * Kafka's codecs (lz4, zstd, snappy) are runtime dependencies of kafka-clients that the launcher's
 * classpath once left out: a compressed topic failed with {@code ClassNotFoundException:
 * net.jpountz.lz4.LZ4Factory}.
 */
class CompressedTopicsIT {
    private static final int ROWS = 2_000;
    private static final List<String> CODECS = List.of("none", "gzip", "snappy", "lz4", "zstd");

    private static EmbeddedKafkaBroker broker;
    @TempDir static Path dir;

    @BeforeAll
    static void produceOneTopicPerCodec() throws Exception {
        broker = EmbeddedKafkaBroker.start();
        // Features of few distinct values compress well under every codec.
        StringBuilder csv = new StringBuilder("a,b,c,d,e,f,g,h,label\n");
        for (int i = 0; i < ROWS; i++) {
            for (int f = 0; f < 8; f++) {
                csv.append((i >> f) & 1).append(',');
            }
            csv.append(i % 3 == 0 ? 1 : 0).append('\n');
        }
        Path file = Files.writeString(dir.resolve("rows.csv"), csv);
        for (String codec : CODECS) {
            Path config =
                    Files.writeString(
                            dir.resolve(codec + ".properties"), "compression.type=" + codec + "\n");
            String out =
                    launch(
                            "produce",
                            "csv",
                            "--bootstrap-servers",
                            broker.bootstrapServers(),
                            "--file",
                            file.toString(),
                            "--topic",
                            topic(codec),
                            "--command-config",
                            config.toString());
            assertTrue(out.contains(String.format("%,d events", ROWS)), codec + ": " + out);
        }
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void everyCodecWritesATopicSmallerThanTheUncompressedOne() throws Exception {
        Map<String, Long> bytes = logBytes();
        long none = bytes.get(topic("none"));
        assertTrue(none > ROWS * 20L, "uncompressed topic of " + none + " bytes");
        for (String codec : CODECS.subList(1, CODECS.size())) {
            long size = bytes.get(topic(codec));
            assertTrue(
                    size < none / 2,
                    codec + ": " + size + " bytes on the broker, uncompressed " + none);
        }
    }

    @Test
    void trainReadsEveryEventOfCompressedTopics() throws Exception {
        for (String codec : List.of("lz4", "zstd")) {
            Path summary = dir.resolve("summary-" + codec + ".json");
            launch(
                    "train",
                    "--bounded",
                    "--bootstrap-servers",
                    broker.bootstrapServers(),
                    "--events-topic",
                    topic(codec),
                    "--model",
                    "logistic",
                    "--features",
                    "8",
                    "--batch-size",
                    "32",
                    "--group-id",
                    "train-" + codec,
                    "--from-offset",
                    "0",
                    "--state-dir",
                    dir.resolve("state-" + codec).toString(),
                    "--summary-json",
                    summary.toString());
            JsonNode s = new ObjectMapper().readTree(summary.toFile());
            assertEquals(ROWS, s.get("events_consumed").asLong(), codec + ": " + s);
            assertEquals(0, s.get("dead_lettered").asLong(), codec + ": " + s);
        }
    }

    private static String topic(String codec) {
        return "codec." + codec;
    }

    /** Bytes of each topic's partitions in the broker's log directories. */
    private static Map<String, Long> logBytes() throws Exception {
        try (Admin admin =
                Admin.create(
                        Map.of(
                                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                                broker.bootstrapServers()))) {
            int node = admin.describeCluster().nodes().get().iterator().next().id();
            Map<String, LogDirDescription> dirs =
                    admin.describeLogDirs(List.of(node)).allDescriptions().get().get(node);
            Map<String, Long> bytes = new HashMap<>();
            for (LogDirDescription d : dirs.values()) {
                for (Map.Entry<TopicPartition, ReplicaInfo> e : d.replicaInfos().entrySet()) {
                    bytes.merge(e.getKey().topic(), e.getValue().size(), Long::sum);
                }
            }
            return bytes;
        }
    }

    /** Runs {@code ./streamgrad ARGS} without the class-data archive. */
    private static String launch(String... args) throws Exception {
        return Launcher.run(dir, Map.of("STREAMGRAD_CDS", "0"), args);
    }
}
