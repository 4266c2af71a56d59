package io.streamgrad.run;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.streamgrad.config.InvalidSettingException;
import io.streamgrad.job.JobConfig;
import io.streamgrad.train.Batching;
import io.streamgrad.train.ShuffleMode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Where a local {@code train} keeps what it cannot re-read from Kafka, so that it survives its own
 * death: Flink's checkpoints (the model, optimizer state, feature statistics, open windows,
 * counters and source offsets, all of one consistent moment), plus {@code run.json}, the run id,
 * the settings that shaped the model, the Kafka cluster it reads and where the run's outputs begin
 * ({@link OutputStart}). Started again for the same consumer group, {@code train} resumes from the
 * newest completed checkpoint under {@code checkpoints/<job id>/chk-<n>/_metadata}; starting over
 * is explicit ({@link #clear}).
 *
 * <p>Layout: {@code <dir>/run.json} and {@code <dir>/checkpoints/}; the default {@code dir} is
 * {@code ~/.streamgrad/state/<group id>}.
 */
public final class StateDirectory {
    /** The default root: {@code ~/.streamgrad/state}. */
    public static Path defaultRoot() {
        return Path.of(System.getProperty("user.home"), ".streamgrad", "state");
    }

    private static final ObjectMapper JSON =
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path dir;

    private StateDirectory(Path dir) {
        this.dir = dir;
    }

    /** The default state directory of a consumer group: {@code <root>/<group id>}. */
    public static Path defaultFor(String groupId) {
        return defaultRoot().resolve(groupId.replaceAll("[^A-Za-z0-9._-]", "_"));
    }

    /** The state directory at {@code dir}. */
    public static StateDirectory at(Path dir) {
        return new StateDirectory(dir);
    }

    public Path path() {
        return dir;
    }

    /** Where Flink writes this group's checkpoints. */
    public Path checkpoints() {
        return dir.resolve("checkpoints");
    }

    /**
     * What a run found in its state directory.
     *
     * @param runId the run to continue (the stored one), or the new run's
     * @param checkpoint the newest completed checkpoint to restore, empty when starting afresh
     * @param completed a bounded run of this group already finished
     * @param eventsTopic the topic the stored run trains on (the new run's when there is none)
     * @param outputStart where the stored run's outputs begin ({@link OutputStart#BEGINNING} when
     *     there is no stored run, or it was recorded before the start was)
     * @param range the range a bounded replay of the stored run reads (per partition, the first
     *     offset and the offset after the last, as seen when it first started); empty for a live
     *     run, a pass kept in state, or a run recorded before ranges were
     */
    public record Found(
            String runId,
            Optional<Path> checkpoint,
            boolean completed,
            String eventsTopic,
            OutputStart outputStart,
            Optional<Map<Integer, long[]>> range) {}

    /**
     * Reads the state directory for a run about to start with configuration {@code c}.
     *
     * @param clusterId the id of the Kafka cluster the run reads ({@code cluster.id}); null when
     *     unknown, which checks nothing
     * @param topicId the id of the events topic ({@code TopicAdmin#topicId}); null when unknown,
     *     which checks nothing
     * @throws InvalidSettingException when the directory holds a run on another Kafka cluster (its
     *     checkpoint's offsets and outputs belong to that cluster's logs), or on an events topic
     *     since deleted and made again (its offsets name the old topic's records), or an unfinished
     *     run of a configuration that trains a different model (naming the differences), or is
     *     unreadable (naming the path)
     */
    public Found open(JobConfig c, String clusterId, String topicId) {
        Path runFile = dir.resolve("run.json");
        if (!Files.exists(runFile)) {
            return new Found(
                    c.runId(),
                    Optional.empty(),
                    false,
                    c.topics().events(),
                    OutputStart.BEGINNING,
                    Optional.empty());
        }
        Map<String, String> stored = stored();
        String storedCluster = stored.get(CLUSTER_ID);
        if (clusterId != null && storedCluster != null && !storedCluster.equals(clusterId)) {
            throw InvalidSettingException.withRemedies(
                    String.format(
                            "the state directory %s holds run %s of group %s, which read %s on"
                                    + " another Kafka cluster (id %s, reached at %s); %s is"
                                    + " cluster %s, where that run's checkpointed offsets and"
                                    + " outputs mean nothing: {start-over} trains afresh here"
                                    + " (deleting that state), or give another {group-id} or"
                                    + " {state-dir} to keep it",
                            dir,
                            stored.get("run_id"),
                            c.groupId(),
                            stored.getOrDefault(EVENTS_TOPIC, c.topics().events()),
                            storedCluster,
                            stored.getOrDefault(BOOTSTRAP_SERVERS, "?"),
                            c.bootstrapServers(),
                            clusterId));
        }
        String storedTopic = stored.get(TOPIC_ID);
        if (topicId != null
                && storedTopic != null
                && !storedTopic.equals(topicId)
                && stored.getOrDefault(EVENTS_TOPIC, c.topics().events())
                        .equals(c.topics().events())
                && (Boolean.parseBoolean(stored.get("completed"))
                        || latestCheckpoint().isPresent())) {
            // Checked before "already trained": a topic made again is new data, not data trained.
            // A run with neither a checkpoint nor an end starts afresh anyway.
            throw InvalidSettingException.withRemedies(
                    String.format(
                            "the state directory %s holds run %s of group %s, which read %s"
                                    + " before it was deleted and made again (topic id %s, now"
                                    + " %s): that run's checkpointed offsets and progress name"
                                    + " the old topic's records. {start-over} trains afresh on"
                                    + " the topic as it is now (deleting that state), or give"
                                    + " another {group-id} or {state-dir} to keep it",
                            dir,
                            stored.get("run_id"),
                            c.groupId(),
                            c.topics().events(),
                            storedTopic,
                            topicId));
        }
        boolean completed = Boolean.parseBoolean(stored.get("completed"));
        String storedMode = stored.get(MODE);
        if (!completed && storedMode != null && !storedMode.equals(mode(c))) {
            // Before the settings: a live run and a replay record different ones, and their
            // difference would name a setting rather than the switch.
            throw InvalidSettingException.withRemedies(
                    String.format(
                            "the state directory %s holds an unfinished %s run (%s) of group %s,"
                                    + " and this run is %s: a checkpoint of one cannot resume"
                                    + " the other. Run it %s to resume it, {start-over} to train"
                                    + " afresh, or give another {group-id} (and {state-dir}, if"
                                    + " given), with {warm-start} run:%s to go on from its"
                                    + " model",
                            dir,
                            storedMode,
                            stored.get("run_id"),
                            c.groupId(),
                            mode(c),
                            storedMode.equals(BOUNDED) ? "with {bounded}" : "without {bounded}",
                            stored.get("run_id")));
        }
        List<String> differences = differences(stored, modelSettings(c));
        // A completed run has nothing to resume: its settings do not matter, that it is done does.
        if (!completed && !differences.isEmpty()) {
            // The block settings have flags of their own: name the values that resume.
            boolean blockDiffers = differs(differences, BLOCK_OFFSETS);
            List<String> resume = new ArrayList<>();
            if (blockDiffers) {
                resume.add("{shuffle-block} " + stored.get(BLOCK_OFFSETS));
            }
            if (differs(differences, GROUP_BLOCKS)) {
                resume.add("{shuffle-group} " + stored.get(GROUP_BLOCKS));
            }
            throw InvalidSettingException.withRemedies(
                    "the state directory "
                            + dir
                            + " holds a model trained with other settings ("
                            + String.join("; ", differences)
                            + "): use the same settings to resume"
                            + (resume.isEmpty() ? "" : " (" + String.join(" ", resume) + ")")
                            + ", {start-over} to train afresh, or another {group-id} (and"
                            + " {state-dir}, if given); to go on from this model under the new"
                            + " settings, add {warm-start} run:"
                            + stored.get("run_id")
                            + " there (its last snapshot; it starts after the offsets that"
                            + " snapshot trained)"
                            + (blockDiffers
                                    ? ". Without {shuffle-block}, its automatic size is up to"
                                            + " 8,192 offsets since Dec 1 2026 (1,024 before)"
                                    : ""));
        }
        return new Found(
                stored.getOrDefault("run_id", c.runId()),
                latestCheckpoint(),
                completed,
                stored.getOrDefault(EVENTS_TOPIC, c.topics().events()),
                outputStart(stored),
                range(stored));
    }

    /**
     * Records the run id, the model's settings, the Kafka cluster it reads and where its outputs
     * begin, before the job starts.
     *
     * @param clusterId the Kafka cluster's id; null when unknown (not recorded, never checked)
     */
    public void begin(JobConfig c, OutputStart outputs, String clusterId) {
        begin(c, outputs, clusterId, null, null);
    }

    /**
     * As {@link #begin(JobConfig, OutputStart, String)}, with the events topic's id and the range a
     * bounded replay reads, so that a resumed run can be refused before it starts when the topic
     * was made again or retention has deleted its range's head.
     *
     * @param topicId the events topic's id; null when unknown (not recorded, never checked)
     * @param range per partition, the first offset and the offset after the last; null keeps the
     *     range recorded before, if any (a resumed run's)
     */
    public void begin(
            JobConfig c,
            OutputStart outputs,
            String clusterId,
            String topicId,
            Map<Integer, long[]> range) {
        Map<String, String> before = Files.exists(dir.resolve("run.json")) ? stored() : Map.of();
        Map<Integer, long[]> kept = range != null ? range : range(before).orElse(null);
        write(c, false, outputs, clusterId, topicId != null ? topicId : before.get(TOPIC_ID), kept);
    }

    /**
     * Marks a bounded run as finished (running it again would train nothing new), keeping what
     * {@link #begin} recorded.
     */
    public void complete(JobConfig c) {
        Map<String, String> stored = stored();
        write(
                c,
                true,
                outputStart(stored),
                stored.get(CLUSTER_ID),
                stored.get(TOPIC_ID),
                range(stored).orElse(null));
    }

    private static final String RANGE_FROM = "range.from";
    private static final String RANGE_TO = "range.to";

    private Optional<Map<Integer, long[]>> range(Map<String, String> stored) {
        String from = stored.get(RANGE_FROM);
        String to = stored.get(RANGE_TO);
        if (from == null || to == null) {
            return Optional.empty();
        }
        Path runFile = dir.resolve("run.json");
        Map<Integer, Long> first = OutputStart.decode(from, runFile + " (" + RANGE_FROM + ")");
        Map<Integer, Long> end = OutputStart.decode(to, runFile + " (" + RANGE_TO + ")");
        Map<Integer, long[]> range = new TreeMap<>();
        first.forEach((p, f) -> range.put(p, new long[] {f, end.getOrDefault(p, f)}));
        return Optional.of(range);
    }

    private static final String CLUSTER_ID = "kafka.cluster_id";
    private static final String TOPIC_ID = "kafka.events_topic_id";
    private static final String BOOTSTRAP_SERVERS = "kafka.bootstrap_servers";

    private static final String METRICS_FROM = "outputs_from.metrics";
    private static final String SNAPSHOTS_FROM = "outputs_from.snapshots";
    private static final String DEAD_LETTERS_FROM = "outputs_from.dead_letters";

    private OutputStart outputStart(Map<String, String> stored) {
        if (!stored.containsKey(METRICS_FROM)) {
            return OutputStart.BEGINNING;
        }
        Path where = dir.resolve("run.json");
        return new OutputStart(
                OutputStart.decode(stored.get(METRICS_FROM), where + " " + METRICS_FROM),
                OutputStart.decode(
                        stored.getOrDefault(SNAPSHOTS_FROM, ""), where + " " + SNAPSHOTS_FROM),
                OutputStart.decode(
                        stored.getOrDefault(DEAD_LETTERS_FROM, ""),
                        where + " " + DEAD_LETTERS_FROM));
    }

    /**
     * {@code run.json} as written.
     *
     * @throws InvalidSettingException naming the file when it cannot be read
     */
    private Map<String, String> stored() {
        Path runFile = dir.resolve("run.json");
        try {
            return JSON.readValue(runFile.toFile(), new TypeReference<Map<String, String>>() {});
        } catch (IOException e) {
            throw InvalidSettingException.withRemedies(
                    "the state directory "
                            + dir
                            + " is damaged ("
                            + runFile.getFileName()
                            + ": "
                            + e.getMessage().lines().findFirst().orElse("")
                            + "): {start-over} trains afresh, or point {state-dir} elsewhere");
        }
    }

    /** Deletes everything but the lock file: the next run trains a fresh model. */
    public void clear() {
        if (!Files.exists(dir)) {
            return;
        }
        // The lock file stays: the run that clears holds it (RunLock), and a file made again
        // would be another lock than the one a second run waits on.
        Path lock = dir.resolve(RunLock.FILE);
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                if (p.equals(lock) || (p.equals(dir) && Files.exists(lock))) {
                    continue;
                }
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the state directory " + dir, e);
        }
    }

    /**
     * The newest checkpoint whose metadata was written completely ({@code _metadata} exists; a
     * checkpoint cut short by a crash has none and is skipped).
     */
    public Optional<Path> latestCheckpoint() {
        return completeCheckpoints().stream().findFirst();
    }

    /**
     * Every checkpoint whose metadata was written completely, newest first (Flink keeps the last
     * few: {@code execution.checkpointing.num-retained}).
     */
    public List<Path> completeCheckpoints() {
        // Flink deletes subsumed checkpoints while a job runs: anything may vanish mid-listing.
        Map<Path, Long> found = new HashMap<>();
        for (Path job : list(checkpoints())) {
            for (Path chk : list(job)) {
                if (!chk.getFileName().toString().startsWith("chk-")) {
                    continue;
                }
                long t = modified(chk.resolve("_metadata"));
                if (t > Long.MIN_VALUE) {
                    found.put(chk, t);
                }
            }
        }
        List<Path> newestFirst = new ArrayList<>(found.keySet());
        newestFirst.sort(
                Comparator.comparing((Path p) -> found.get(p))
                        .thenComparingLong(StateDirectory::checkpointNumber)
                        .reversed());
        return newestFirst;
    }

    private static List<Path> list(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static long checkpointNumber(Path chk) {
        try {
            return Long.parseLong(chk.getFileName().toString().substring("chk-".length()));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static long modified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return Long.MIN_VALUE;
        }
    }

    private void write(
            JobConfig c,
            boolean completed,
            OutputStart outputs,
            String clusterId,
            String topicId,
            Map<Integer, long[]> range) {
        Map<String, String> record = new TreeMap<>(modelSettings(c));
        if (clusterId != null) {
            // The log the checkpoint's offsets belong to; the address only for the reader.
            record.put(CLUSTER_ID, clusterId);
            record.put(BOOTSTRAP_SERVERS, c.bootstrapServers());
        }
        if (topicId != null) {
            record.put(TOPIC_ID, topicId);
        }
        record.put("run_id", c.runId());
        record.put(MODE, mode(c));
        record.put("completed", Boolean.toString(completed));
        record.put(METRICS_FROM, OutputStart.encode(outputs.metrics()));
        record.put(SNAPSHOTS_FROM, OutputStart.encode(outputs.snapshots()));
        record.put(DEAD_LETTERS_FROM, OutputStart.encode(outputs.deadLetters()));
        if (range != null) {
            Map<Integer, Long> from = new TreeMap<>();
            Map<Integer, Long> to = new TreeMap<>();
            range.forEach(
                    (p, r) -> {
                        from.put(p, r[0]);
                        to.put(p, r[1]);
                    });
            record.put(RANGE_FROM, OutputStart.encode(from));
            record.put(RANGE_TO, OutputStart.encode(to));
        }
        try {
            Files.createDirectories(dir);
            Path tmp = dir.resolve("run.json.tmp");
            JSON.writeValue(tmp.toFile(), record);
            // Atomic, so a crash never leaves a half-written run.json.
            Files.move(
                    tmp,
                    dir.resolve("run.json"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to the state directory " + dir, e);
        }
    }

    /**
     * The settings that make a checkpoint's model what it is: the training configuration and the
     * events topic. Where the job runs (servers, parallelism, checkpoint interval) may change; the
     * Kafka cluster it reads may not ({@link #open} checks its id). Nor do the settings that shape
     * only the run's outputs, or a live run's reaction to arrival times, count.
     */
    static Map<String, String> modelSettings(JobConfig c) {
        Map<String, String> all = c.provenance();
        Map<String, String> kept = new TreeMap<>();
        // The block size and group only shape a bounded run that reads blocks: elsewhere they are
        // left out, so a resume never stops on a setting that does nothing (--shuffle-block auto
        // sizes blocks by the events' width).
        Batching b = c.training().batching();
        boolean readsBlocks = c.bounded() && b.rereadsKafka() && b.shuffle() == ShuffleMode.BLOCKS;
        all.forEach(
                (k, v) -> {
                    if (!readsBlocks && BLOCK_SETTINGS.contains(k)) {
                        return;
                    }
                    if (OUTPUT_SETTINGS.contains(k) || (!c.bounded() && LIVE_TIMING.contains(k))) {
                        return;
                    }
                    if (k.startsWith("training.") || k.equals(EVENTS_TOPIC)) {
                        kept.put(k, v);
                    }
                });
        return kept;
    }

    private static final String EVENTS_TOPIC = "topics.events";

    /** Whether the run replays a range ({@value #BOUNDED}) or follows the stream ("live"). */
    private static final String MODE = "mode";

    private static final String BOUNDED = "bounded";

    private static String mode(JobConfig c) {
        return c.bounded() ? BOUNDED : "live";
    }

    private static final String BLOCK_OFFSETS = "training.batching.block_offsets";
    private static final String GROUP_BLOCKS = "training.batching.group_blocks";

    private static final Set<String> BLOCK_SETTINGS = Set.of(BLOCK_OFFSETS, GROUP_BLOCKS);

    /**
     * Settings that never change what a resumed run trains: how often it publishes a snapshot, how
     * its loss is smoothed for the metrics, and the idle timeout (bounded runs ignore it; a live
     * run's windows close on arrival times that differ from one start to the next anyway). A resume
     * may change them.
     */
    private static final Set<String> OUTPUT_SETTINGS =
            Set.of(
                    "training.snapshot_every",
                    "training.smoothing",
                    "training.batching.idle_timeout_ms");

    /**
     * What only a live run may change on resume: when its event-time windows close on an
     * out-of-order stream (a bounded replay's batches are a function of data and seed, and this is
     * part of it); and what a live run does not use at all, recorded by builds that let a live run
     * take bounded-only flags (before Dec 2 2026), so that such a run still resumes.
     */
    private static final Set<String> LIVE_TIMING =
            Set.of(
                    "training.batching.max_out_of_orderness_ms",
                    "training.batching.full_pass_loss",
                    "training.batching.full_batch_limit",
                    "training.batching.shuffle");

    /** Whether {@link #differences} lists {@code key}. */
    private static boolean differs(List<String> differences, String key) {
        return differences.stream().anyMatch(d -> d.startsWith(key + " was "));
    }

    /**
     * Settings added after state directories were first written, with the value their runs had: a
     * run that kept its pass in state cannot resume as one that reads Kafka again.
     */
    private static final Map<String, String> BEFORE_THE_SETTING =
            Map.of("training.batching.shuffle", ShuffleMode.PASS.wireName());

    private static List<String> differences(Map<String, String> stored, Map<String, String> now) {
        List<String> out = new ArrayList<>();
        // Only a record of a run's settings says what the run had before a setting existed.
        boolean settingsRecorded =
                stored.keySet().stream().anyMatch(k -> k.startsWith("training."));
        for (Map.Entry<String, String> e : now.entrySet()) {
            String before =
                    stored.getOrDefault(
                            e.getKey(),
                            settingsRecorded ? BEFORE_THE_SETTING.get(e.getKey()) : null);
            if (before != null && !before.equals(e.getValue())) {
                out.add(e.getKey() + " was " + before + ", now " + e.getValue());
            }
        }
        return out;
    }
}
