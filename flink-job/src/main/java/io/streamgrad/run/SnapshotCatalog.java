package io.streamgrad.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamgrad.kafka.KafkaClientConfig;
import io.streamgrad.schema.Architecture;
import io.streamgrad.schema.FeatureStatistics;
import io.streamgrad.schema.Lineage;
import io.streamgrad.schema.ModelSnapshot;
import io.streamgrad.schema.OffsetRange;
import io.streamgrad.schema.Tensor;
import io.streamgrad.schema.Tensors;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What {@code snapshots list|show} read from a snapshots topic ({@code read_committed}): one line
 * per snapshot, or one snapshot's lineage and settings without its tensors.
 */
public final class SnapshotCatalog {
    private SnapshotCatalog() {}

    /** One row of {@code snapshots list}. */
    public record Entry(
            String model,
            long version,
            long createdAt,
            long examplesSeen,
            int epoch,
            double lastLoss,
            double smoothedLoss,
            String runId,
            String parent) {
        public String createdIso() {
            return Instant.ofEpochMilli(createdAt).toString();
        }
    }

    /** {@code RUN vVERSION} of a snapshot's parent; "-" for none, "?" without lineage. */
    static String parentOf(ModelSnapshot s) {
        Lineage l = s.getLineage();
        if (l == null) {
            return "?";
        }
        return l.getParentRunId() == null ? "-" : l.getParentRunId() + " v" + l.getParentVersion();
    }

    /** Every snapshot on the topic (of one key when given), by key, then version, then time. */
    public static List<Entry> list(KafkaClientConfig kafka, String topic, String modelKey) {
        return TopicReader.readAll(
                        kafka,
                        topic,
                        ModelSnapshot.class,
                        s -> modelKey == null || modelKey.equals(s.getModel()))
                .stream()
                .map(
                        s ->
                                new Entry(
                                        s.getModel(),
                                        s.getVersion(),
                                        s.getCreatedAt(),
                                        s.getExamplesSeen(),
                                        s.getEpoch(),
                                        s.getLastLoss(),
                                        s.getSmoothedLoss(),
                                        s.getRunId(),
                                        parentOf(s)))
                .sorted(
                        Comparator.comparing(Entry::model)
                                .thenComparingLong(Entry::version)
                                .thenComparingLong(Entry::createdAt))
                .toList();
    }

    /**
     * The snapshot {@code --snapshot} and {@code --model-key} name (see {@link SnapshotChoice}).
     */
    public static ModelSnapshot find(
            KafkaClientConfig kafka, String topic, String spec, String modelKey) {
        List<ModelSnapshot> all =
                spec.startsWith("file:")
                        ? List.of()
                        : TopicReader.readAll(kafka, topic, ModelSnapshot.class, s -> true);
        return SnapshotChoice.choose(spec, modelKey, topic, all);
    }

    /**
     * Everything a snapshot records but its tensors: identity, lineage (offset ranges trained in
     * its run and inherited through warm starts, parent snapshot, code version and commit, backend
     * and device; null for snapshots written before v5), run, seed, every setting (provenance),
     * architecture, optimizer settings, training progress, and for each tensor its name and shape
     * only. The feature statistics are given by mode and count (their per-feature vectors are model
     * data, like the tensors).
     */
    public static ObjectNode describe(ModelSnapshot s) {
        ObjectMapper json = new ObjectMapper();
        ObjectNode o = json.createObjectNode();
        o.put("model", s.getModel());
        o.put("version", s.getVersion());
        o.put("created_at", s.getCreatedAt());
        o.put("created", Instant.ofEpochMilli(s.getCreatedAt()).toString());
        o.put("run_id", s.getRunId());
        o.put("seed", s.getSeed());
        o.put("examples_seen", s.getExamplesSeen());
        o.put("epoch", s.getEpoch());
        o.put("batch_size", s.getBatchSize());
        o.put("last_loss", s.getLastLoss());
        o.put("smoothed_loss", s.getSmoothedLoss());
        o.put("parameters_checksum", s.getParametersChecksum());
        Architecture a = s.getArchitecture();
        ObjectNode arch = o.putObject("architecture");
        arch.put("task", a.getTask());
        arch.put("family", a.getFamily());
        arch.put("input_size", a.getInputSize());
        ArrayNode hidden = arch.putArray("hidden_layers");
        a.getHiddenLayers().forEach(hidden::add);
        arch.put("hidden_activation", a.getHiddenActivation());
        arch.put("output_size", a.getOutputSize());
        arch.put("loss", a.getLoss());
        arch.put("l2", a.getL2());
        ArrayNode names = arch.putArray("class_names");
        a.getClassNames().forEach(names::add);
        ArrayNode tensors = o.putArray("parameters");
        for (Tensor t : s.getParameters()) {
            ObjectNode n = tensors.addObject();
            n.put("name", t.getName());
            n.put("shape", Arrays.toString(Tensors.shape(t)));
        }
        ObjectNode opt = o.putObject("optimizer");
        opt.put("name", s.getOptimizer().getName());
        opt.put("learning_rate", s.getOptimizer().getLearningRate());
        opt.put("state_shape", Arrays.toString(Tensors.shape(s.getOptimizer().getState())));
        ObjectNode settings = opt.putObject("settings");
        new TreeMap<>(s.getOptimizer().getSettings()).forEach(settings::put);
        FeatureStatistics f = s.getStandardization();
        if (f == null) {
            o.putNull("standardization");
        } else {
            ObjectNode st = o.putObject("standardization");
            st.put("mode", f.getMode());
            st.put("count", f.getCount());
            st.put("features", f.getMean().size());
        }
        Lineage l = s.getLineage();
        if (l == null) {
            o.putNull("lineage");
        } else {
            ObjectNode lin = o.putObject("lineage");
            lin.put("source_topic", l.getSourceTopic());
            ranges(lin.putArray("trained_offsets"), l.getTrainedOffsets());
            ranges(lin.putArray("inherited_offsets"), l.getInheritedOffsets());
            lin.put("offsets_complete", l.getOffsetsComplete());
            if (l.getParentRunId() == null) {
                lin.putNull("parent");
            } else {
                ObjectNode parent = lin.putObject("parent");
                parent.put("run_id", l.getParentRunId());
                parent.put("version", l.getParentVersion());
            }
            lin.put("code_version", l.getCodeVersion());
            lin.put("git_commit", l.getGitCommit());
            lin.put("backend", l.getBackend());
            lin.put("device", l.getDevice());
            lin.put("device_memory_bytes", l.getDeviceMemoryBytes());
        }
        ObjectNode provenance = o.putObject("provenance");
        for (Map.Entry<String, String> e : new TreeMap<>(s.getProvenance()).entrySet()) {
            provenance.put(e.getKey(), e.getValue());
        }
        return o;
    }

    private static void ranges(ArrayNode into, java.util.List<OffsetRange> ranges) {
        for (OffsetRange r : ranges) {
            ObjectNode n = into.addObject();
            n.put("partition", r.getPartition());
            n.put("first", r.getFirst());
            n.put("last", r.getLast());
            n.put("examples", r.getExamples());
        }
    }
}
