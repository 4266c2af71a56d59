package io.streamgrad.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.streamgrad.config.InvalidSettingException;
import io.streamgrad.join.JoinConfig;
import io.streamgrad.join.JoinCounters;
import io.streamgrad.join.LabelJoinRunner;
import io.streamgrad.join.MissingLabel;
import io.streamgrad.kafka.Topic;
import io.streamgrad.kafka.TopicAdmin;
import io.streamgrad.run.flags.KafkaOptions;
import io.streamgrad.schema.Task;
import io.streamgrad.window.Durations;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "join",
        mixinStandardHelpOptions = true,
        description = {
            "Join a features topic (FeatureEvent) and a labels topic (LabelEvent) by event id"
                    + " within an attribution window and write LabeledEvents for training: a Kafka"
                    + " Streams application, exactly-once (exactly_once_v2).",
            "A label counts if label_time <= event_time + window; the first wins. When a window"
                    + " closes without one, --missing-label negative writes class 0, drop writes"
                    + " nothing. Late labels, labels for unknown events, wrong label types and"
                    + " undecodable records go to the dead-letter topic with their reason.",
            "Runs until Ctrl-C, or with --bounded until what both topics held at start is joined."
        })
final class JoinCommand implements Callable<Integer> {
    @Mixin KafkaOptions kafka = new KafkaOptions();

    @Mixin JoinTopicOptions join = new JoinTopicOptions();

    @Option(
            names = "--events-topic",
            defaultValue = Topic.Names.EVENTS,
            description = "Output: LabeledEvents, created if missing (default: ${DEFAULT-VALUE})")
    String eventsTopic;

    @Option(
            names = "--dead-letter-topic",
            defaultValue = Topic.Names.DEAD_LETTER,
            description = "Output: DeadLetters (default: ${DEFAULT-VALUE})")
    String deadLetterTopic;

    @Option(
            names = "--window",
            required = true,
            description = "Attribution window, e.g. 30s, 10m, 1d")
    String window;

    @Option(
            names = "--missing-label",
            defaultValue = "negative",
            description = "negative | drop (default: ${DEFAULT-VALUE})")
    String missingLabel;

    @Option(
            names = "--task",
            defaultValue = "binary",
            description =
                    "Which labels are valid: binary (int 0/1), multiclass (int in [0, --classes)),"
                            + " regression (double) (default: ${DEFAULT-VALUE})")
    String task;

    @Option(
            names = "--classes",
            defaultValue = "0",
            description =
                    "Classes of a multiclass task, 0 for unchecked (default: ${DEFAULT-VALUE})")
    int classes;

    @Option(
            names = "--bounded",
            description = "Join what both topics hold now, close every window at the end and stop")
    boolean bounded;

    @Option(
            names = "--max-skew",
            description =
                    "How far one input partition's time may run ahead of the slowest before"
                            + " windows close on it (default: the window; unlimited with"
                            + " --bounded)")
    String maxSkew;

    @Option(
            names = "--closed-retention",
            description =
                    "How long closed events are remembered to tell late labels from unknown ones"
                            + " (default: 10 windows)")
    String closedRetention;

    @Option(
            names = "--changelog-retention",
            description =
                    "Time-based retention of the state changelogs (default: none, compaction"
                            + " only); must exceed window + closed retention")
    String changelogRetention;

    @Option(
            names = "--partitions",
            description = "Parallelism of the join (default: the features topic's partitions)")
    Integer partitions;

    @Option(
            names = "--application-id",
            defaultValue = JoinConfig.DEFAULT_APPLICATION_ID,
            description =
                    "Kafka Streams application id: a new id starts from the topics' beginning"
                            + " (default: ${DEFAULT-VALUE})")
    String applicationId;

    @Option(
            names = "--state-dir",
            description =
                    "Kafka Streams state directory, a local copy of the join's changelogged"
                            + " stores, rebuilt from them when lost (default: ~/.streamgrad/join)")
    Path stateDir;

    @Option(
            names = "--status-every",
            defaultValue = "5s",
            description = "Status line interval (default: ${DEFAULT-VALUE})")
    String statusEvery;

    @Option(names = "--summary-json", description = "Write the join's counts to this file")
    Path summaryJson;

    @Override
    public Integer call() {
        JoinConfig config;
        Duration status;
        try {
            Duration w = duration("{window}", window);
            Duration skew =
                    maxSkew != null ? duration("{max-skew}", maxSkew) : (bounded ? null : w);
            config =
                    new JoinConfig(
                            applicationId,
                            join.features,
                            join.labels,
                            eventsTopic,
                            deadLetterTopic,
                            w,
                            MissingLabel.fromWireName(missingLabel),
                            Task.fromWireName(task),
                            classes,
                            1,
                            closedRetention == null
                                    ? null
                                    : duration("{closed-retention}", closedRetention),
                            changelogRetention == null
                                    ? null
                                    : duration("{changelog-retention}", changelogRetention),
                            skew,
                            0);
            status = duration("{status-every}", statusEvery);
            if (status.isZero()) {
                throw new IllegalArgumentException("--status-every must be positive");
            }
            if (partitions != null && partitions < 1) {
                throw new IllegalArgumentException(
                        "--partitions must be at least 1, got " + partitions);
            }
        } catch (InvalidSettingException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException(e.getMessage());
        }
        try (TopicAdmin admin = kafka.admin()) {
            admin.requireReachable();
            int p =
                    partitions != null
                            ? partitions
                            : admin.topicExists(join.features)
                                    ? admin.partitionCount(join.features)
                                    : 1;
            config = config.withPartitions(p);
        }
        Path dir = stateDir != null ? stateDir : defaultStateDir();
        LabelJoinRunner runner = new LabelJoinRunner(kafka.client(), config, dir);
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook =
                new Thread(
                        () -> {
                            runner.stop();
                            try {
                                finished.await();
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        },
                        "streamgrad-join-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        long start = System.nanoTime();
        JoinCounters counts;
        try {
            System.out.printf(
                    "joining %s + %s -> %s (window %s, missing label: %s%s)%n",
                    join.features,
                    join.labels,
                    eventsTopic,
                    window,
                    missingLabel,
                    bounded ? ", bounded" : "; Ctrl-C stops");
            counts = runner.run(bounded, status, line -> System.out.println("  " + line));
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf(
                    "joined %,d events, %,d negatives, %,d dropped; %,d late labels, %,d"
                            + " duplicates, %,d dead-lettered in %.1f s%n",
                    counts.joined(),
                    counts.negatives(),
                    counts.dropped(),
                    counts.lateLabels(),
                    counts.duplicateLabels(),
                    counts.deadLettered(),
                    seconds);
            if (summaryJson != null) {
                writeSummary(summaryJson, counts, config, seconds);
                System.out.println("  summary written to " + summaryJson);
            }
        } finally {
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException alreadyShuttingDown) {
                // the hook is running: it ends now that we are finished
            }
        }
        return 0;
    }

    private static Duration duration(String flag, String value) {
        return Duration.ofMillis(Durations.parseMillis(flag, value));
    }

    static void writeSummary(Path file, JoinCounters counts, JoinConfig config, double seconds) {
        Map<String, Object> json = new LinkedHashMap<>(counts.toMap());
        json.put("window_ms", config.window().toMillis());
        json.put("missing_label", config.missingLabel().wireName());
        json.put("application_id", config.applicationId());
        json.put("seconds", seconds);
        try {
            new ObjectMapper()
                    .enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValue(file.toFile(), json);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * {@code ~/.streamgrad/join}: per user, because a directory in /tmp belongs to whoever ran
     * first, and every other user's join then fails to lock or write it.
     */
    static Path defaultStateDir() {
        return Path.of(System.getProperty("user.home"), ".streamgrad", "join");
    }
}
