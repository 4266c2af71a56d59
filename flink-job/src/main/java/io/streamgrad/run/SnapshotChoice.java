package io.streamgrad.run;

import io.streamgrad.config.InvalidSettingException;
import io.streamgrad.schema.AvroSerde;
import io.streamgrad.schema.ModelSnapshot;
import io.streamgrad.serve.SnapshotRecency;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Picks the snapshot a command works on: {@code latest} (the newest run's highest version, {@link
 * SnapshotRecency}), a version (of equal ones, the later created), {@code run:ID} (that run's
 * highest version: its last snapshot), or {@code file:PATH}, of a model key, from the snapshots
 * topic (read {@code read_committed}) or a file.
 */
public final class SnapshotChoice {
    private SnapshotChoice() {}

    /**
     * @param spec {@code latest}, a version number, {@code run:ID}, or {@code file:PATH} (a
     *     ModelSnapshot in Avro single-object encoding)
     * @param modelKey the model key, or null for the topic's only key
     * @param snapshots the snapshots on the topic (ignored for a file)
     * @throws InvalidSettingException naming the known keys or versions, or what is wrong with the
     *     file
     */
    public static ModelSnapshot choose(
            String spec, String modelKey, String topic, List<ModelSnapshot> snapshots) {
        if (spec.startsWith("file:")) {
            ModelSnapshot s = fromFile(Path.of(spec.substring("file:".length())));
            if (modelKey != null && !modelKey.equals(s.getModel())) {
                throw new InvalidSettingException(
                        "{snapshot} "
                                + spec
                                + " is of model key "
                                + s.getModel()
                                + ", not {model-key} "
                                + modelKey);
            }
            return s;
        }
        if (snapshots.isEmpty()) {
            throw new InvalidSettingException(
                    "no snapshots on {snapshots-topic} "
                            + topic
                            + ": train a model first, or give {snapshot} file:PATH");
        }
        TreeSet<String> keys =
                snapshots.stream()
                        .map(ModelSnapshot::getModel)
                        .collect(Collectors.toCollection(TreeSet::new));
        String key = modelKey;
        if (key == null) {
            if (keys.size() > 1) {
                throw new InvalidSettingException(
                        "{snapshots-topic} "
                                + topic
                                + " holds snapshots of "
                                + keys.size()
                                + " model keys; choose one with {model-key}: "
                                + String.join(", ", keys));
            }
            key = keys.first();
        } else if (!keys.contains(key)) {
            throw new InvalidSettingException(
                    "{model-key} "
                            + key
                            + " has no snapshot on "
                            + topic
                            + "; known keys: "
                            + String.join(", ", keys));
        }
        String k = key;
        List<ModelSnapshot> ofKey = snapshots.stream().filter(s -> s.getModel().equals(k)).toList();
        if (spec.equals("latest")) {
            return SnapshotRecency.newest(ofKey).orElseThrow();
        }
        if (spec.startsWith(RUN)) {
            return ofRun(spec.substring(RUN.length()), k, topic, ofKey);
        }
        long version;
        try {
            version = Long.parseLong(spec);
        } catch (NumberFormatException e) {
            throw new InvalidSettingException(
                    "{snapshot} must be latest, a version number, run:ID or file:PATH, got "
                            + spec);
        }
        // Of equal versions (runs that got as far), the later created.
        return ofKey.stream()
                .filter(s -> s.getVersion() == version)
                .max(Comparator.comparingLong(ModelSnapshot::getCreatedAt))
                .orElseThrow(
                        () ->
                                new InvalidSettingException(
                                        "{snapshot} "
                                                + version
                                                + ": model key "
                                                + k
                                                + " has no such version on "
                                                + topic
                                                + "; known versions: "
                                                + ofKey.stream()
                                                        .map(ModelSnapshot::getVersion)
                                                        .sorted()
                                                        .distinct()
                                                        .map(String::valueOf)
                                                        .collect(Collectors.joining(", "))
                                                + " (the topic is compacted: older versions go"
                                                + " when the log is cleaned)"));
    }

    /** The prefix of a run's last snapshot: {@code run:ID}. */
    public static final String RUN = "run:";

    /**
     * A run's last snapshot of a key: its highest version (of equal ones, the later created).
     *
     * @throws InvalidSettingException naming the runs that have snapshots of the key
     */
    private static ModelSnapshot ofRun(
            String runId, String key, String topic, List<ModelSnapshot> ofKey) {
        return ofKey.stream()
                .filter(s -> runId.equals(s.getRunId().toString()))
                .max(
                        Comparator.comparingLong(ModelSnapshot::getVersion)
                                .thenComparingLong(ModelSnapshot::getCreatedAt))
                .orElseThrow(
                        () ->
                                new InvalidSettingException(
                                        "{snapshot} "
                                                + RUN
                                                + runId
                                                + ": model key "
                                                + key
                                                + " has no snapshot of that run on "
                                                + topic
                                                + "; runs with snapshots of it: "
                                                + ofKey.stream()
                                                        .map(s -> s.getRunId().toString())
                                                        .distinct()
                                                        .sorted()
                                                        .collect(Collectors.joining(", "))));
    }

    /**
     * The snapshots whose lineage says they trained on {@code eventsTopic}, of {@code modelKey}
     * (null: of any key), when there are any; else all of them (the choice then says what there is,
     * or a check of the snapshot's topic refuses it naming its topic).
     */
    public static List<ModelSnapshot> trainedOnFirst(
            List<ModelSnapshot> snapshots, String eventsTopic, String modelKey) {
        List<ModelSnapshot> ofTopic =
                snapshots.stream()
                        .filter(
                                s ->
                                        s.getLineage() != null
                                                && eventsTopic.equals(
                                                        s.getLineage().getSourceTopic().toString())
                                                && (modelKey == null
                                                        || modelKey.equals(
                                                                s.getModel().toString())))
                        .toList();
        return ofTopic.isEmpty() ? snapshots : ofTopic;
    }

    /** A snapshot file, or a one-line error saying why it is not one. */
    static ModelSnapshot fromFile(Path path) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new InvalidSettingException("{snapshot} file:" + path + ": no such file");
        } catch (IOException e) {
            throw new InvalidSettingException(
                    "{snapshot} file:" + path + " cannot be read: " + e.getMessage());
        }
        try {
            AvroSerde.trustGeneratedClasses();
            return AvroSerde.of(ModelSnapshot.class).deserialize(bytes);
        } catch (RuntimeException e) {
            throw new InvalidSettingException(
                    "{snapshot} file:"
                            + path
                            + " is not a ModelSnapshot in Avro single-object encoding ("
                            + bytes.length
                            + " bytes): "
                            + e.getMessage());
        }
    }
}
