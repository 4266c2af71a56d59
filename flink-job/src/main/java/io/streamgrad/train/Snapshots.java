package io.streamgrad.train;

import io.streamgrad.config.InvalidSettingException;
import io.streamgrad.config.Provenance;
import io.streamgrad.model.Activation;
import io.streamgrad.model.BackendInfo;
import io.streamgrad.model.DenseNetwork;
import io.streamgrad.model.FeatureScaler;
import io.streamgrad.model.Loss;
import io.streamgrad.model.ModelSpec;
import io.streamgrad.model.OptimizerSpec;
import io.streamgrad.model.Standardization;
import io.streamgrad.schema.Architecture;
import io.streamgrad.schema.FeatureStatistics;
import io.streamgrad.schema.Lineage;
import io.streamgrad.schema.ModelSnapshot;
import io.streamgrad.schema.OffsetRange;
import io.streamgrad.schema.OptimizerState;
import io.streamgrad.schema.Task;
import io.streamgrad.schema.Tensor;
import io.streamgrad.schema.Tensors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;

/** Converts between a trainer's model and the {@link ModelSnapshot} record, both ways. */
public final class Snapshots {
    private Snapshots() {}

    /** A snapshot whose lineage names the events topic of its provenance. */
    public static ModelSnapshot of(
            ModelTrainer trainer, String runId, long createdAt, Map<String, String> provenance) {
        return of(
                trainer,
                runId,
                createdAt,
                provenance,
                provenance.getOrDefault("topics.events", ""));
    }

    /**
     * The trainer's model as a snapshot record, with its lineage: the offsets it trained on {@code
     * sourceTopic} (this run's and its ancestors'), its parent (the previous snapshot of this run,
     * else the one it was warm-started from), the code version and commit, and this JVM's ND4J
     * backend and device.
     */
    public static ModelSnapshot of(
            ModelTrainer trainer,
            String runId,
            long createdAt,
            Map<String, String> provenance,
            String sourceTopic) {
        TrainingConfig config = trainer.config();
        ModelSpec spec = config.spec();
        float[] params = trainer.network().parameters();
        float[] optimizerState = trainer.network().optimizerState();
        return ModelSnapshot.newBuilder()
                .setRunId(runId)
                .setModel(trainer.modelKey())
                .setVersion(trainer.iteration())
                .setCreatedAt(createdAt)
                .setArchitecture(architecture(spec))
                .setParameters(layerTensors(spec, params))
                .setOptimizer(
                        OptimizerState.newBuilder()
                                .setName(config.optimizer().name())
                                .setLearningRate(config.optimizer().learningRate())
                                .setState(
                                        Tensors.of(
                                                config.optimizer().name(),
                                                new int[] {optimizerState.length},
                                                optimizerState))
                                .setSettings(config.optimizer().settings())
                                .build())
                .setExamplesSeen(trainer.examplesSeen())
                .setEpoch(trainer.epoch())
                .setSeed(config.seed())
                .setBatchSize(config.batching().fullBatch() ? 0 : config.batchSize())
                .setLastLoss(trainer.lastLoss())
                .setSmoothedLoss(trainer.smoothedLoss())
                .setParametersChecksum(Tensors.checksum(params))
                .setStandardization(statistics(spec, trainer.network().scaler()))
                .setProvenance(provenance)
                .setLineage(lineage(trainer, runId, sourceTopic))
                .build();
    }

    private static Lineage lineage(ModelTrainer trainer, String runId, String sourceTopic) {
        ModelLineage l = trainer.lineage();
        String parentRun = null;
        Long parentVersion = null;
        if (trainer.lastSnapshotVersion() >= 0 && trainer.lastSnapshotVersion() != l.parentVersion()
                || l.parentRunId() == null && trainer.lastSnapshotVersion() >= 0) {
            // An earlier snapshot of this run.
            parentRun = runId;
            parentVersion = trainer.lastSnapshotVersion();
        } else if (l.parentRunId() != null) {
            parentRun = l.parentRunId();
            parentVersion = l.parentVersion();
        }
        BackendInfo backend = BackendInfo.current();
        return Lineage.newBuilder()
                .setSourceTopic(sourceTopic)
                .setTrainedOffsets(ranges(l.trained()))
                .setInheritedOffsets(ranges(l.inherited()))
                .setOffsetsComplete(l.complete())
                .setParentRunId(parentRun)
                .setParentVersion(parentVersion)
                .setCodeVersion(Provenance.codeVersion())
                .setGitCommit(Provenance.gitCommit())
                .setBackend(backend.backend())
                .setDevice(backend.device())
                .setDeviceMemoryBytes(backend.memoryBytes())
                .build();
    }

    private static List<OffsetRange> ranges(OffsetRanges r) {
        List<OffsetRange> out = new ArrayList<>(r.size());
        for (int i = 0; i < r.size(); i++) {
            out.add(new OffsetRange(r.partitions()[i], r.first()[i], r.last()[i], r.examples()[i]));
        }
        return out;
    }

    /** The offset ranges of a snapshot's lineage record. */
    public static OffsetRanges ranges(List<OffsetRange> ranges) {
        int n = ranges.size();
        int[] p = new int[n];
        long[] f = new long[n];
        long[] l = new long[n];
        long[] e = new long[n];
        for (int i = 0; i < n; i++) {
            OffsetRange r = ranges.get(i);
            p[i] = r.getPartition();
            f[i] = r.getFirst();
            l[i] = r.getLast();
            e[i] = r.getExamples();
        }
        return new OffsetRanges(p, f, l, e);
    }

    /**
     * Everything a snapshot's model trained, ancestors included (inherited ranges followed by its
     * run's), or null when the snapshot has no lineage (written before v5).
     */
    public static OffsetRanges allTrained(ModelSnapshot s) {
        Lineage l = s.getLineage();
        return l == null
                ? null
                : ranges(l.getInheritedOffsets()).followedBy(ranges(l.getTrainedOffsets()));
    }

    /**
     * Why a snapshot's model cannot continue training under {@code config}: its architecture
     * (family, task, features, hidden layers, activation, classes, loss, L2, standardization, class
     * names) or optimizer differ, each difference as {@code name snapshot-value vs flag-value};
     * empty when it can.
     */
    public static List<String> mismatches(ModelSnapshot s, TrainingConfig config) {
        ModelSpec a = spec(s);
        ModelSpec b = config.spec();
        List<String> out = new ArrayList<>();
        // The hidden layers are part of --model (mlp:128,64), as users write it.
        differ(out, "{model}", modelFlag(a), modelFlag(b));
        differ(out, "{task}", a.task().wireName(), b.task().wireName());
        differ(out, "{features}", a.inputSize(), b.inputSize());
        if (!a.hiddenLayers().isEmpty()) {
            differ(out, "{activation}", a.activation().wireName(), b.activation().wireName());
        }
        differ(out, "outputs ({classes})", a.outputSize(), b.outputSize());
        differ(out, "{loss}", a.loss().wireName(), b.loss().wireName());
        differ(out, "{l2}", a.l2(), b.l2());
        differ(out, "{standardize}", a.standardize().describe(), b.standardize().describe());
        differ(out, "{class-names}", a.classNames(), b.classNames());
        differ(out, "{optimizer}", s.getOptimizer().getName(), config.optimizer().name());
        return out;
    }

    /** A model's architecture as {@code --model} writes it: logistic, mlp:128,64. */
    private static String modelFlag(ModelSpec m) {
        return m.hiddenLayers().isEmpty()
                ? m.family()
                : m.family()
                        + ":"
                        + String.join(",", m.hiddenLayers().stream().map(String::valueOf).toList());
    }

    private static void differ(List<String> out, String name, Object snapshot, Object flags) {
        if (!snapshot.equals(flags)) {
            out.add(name + " " + snapshot + " vs " + flags);
        }
    }

    /**
     * The trainer state a warm start from {@code s} begins with: its parameters (checksum checked),
     * optimizer state, feature statistics, iteration (the version, which numbering continues from),
     * examples seen and losses; the snapshot becomes the parent of the next one, and what it
     * trained the model's inheritance. Not in a snapshot, so they start afresh: the shuffle index,
     * the divergence guard's history and the drift detectors.
     *
     * @param epoch 1 for bounded input, 0 for a live stream
     * @throws InvalidSettingException when the snapshot does not fit {@code config} ({@link
     *     #mismatches})
     * @throws IllegalStateException when the parameters fail their checksum
     */
    public static TrainerState warmStartState(ModelSnapshot s, TrainingConfig config, int epoch) {
        List<String> differences = mismatches(s, config);
        if (!differences.isEmpty()) {
            throw new InvalidSettingException(
                    "{warm-start} snapshot "
                            + s.getModel()
                            + " v"
                            + s.getVersion()
                            + " does not fit the flags: "
                            + String.join("; ", differences)
                            + " (snapshot vs flags): pass the snapshot's settings");
        }
        float[] params = checkedParameters(s);
        float[] optimizerState = Tensors.values(s.getOptimizer().getState());
        Lineage l = s.getLineage();
        ModelLineage lineage =
                l == null
                        ? new ModelLineage(
                                s.getRunId(),
                                s.getVersion(),
                                OffsetRanges.NONE,
                                OffsetRanges.NONE,
                                false)
                        : ModelLineage.warmStart(
                                s.getRunId(),
                                s.getVersion(),
                                ranges(l.getInheritedOffsets()),
                                ranges(l.getTrainedOffsets()),
                                l.getOffsetsComplete());
        return new TrainerState(
                params,
                optimizerState,
                s.getVersion(),
                s.getExamplesSeen(),
                0,
                s.getLastLoss(),
                s.getSmoothedLoss(),
                s.getVersion(),
                epoch,
                0,
                scalerState(s.getStandardization()),
                0,
                null,
                null,
                null,
                lineage);
    }

    /** The snapshot record's description of a model (the inverse of {@link #spec}). */
    public static Architecture architecture(ModelSpec spec) {
        return Architecture.newBuilder()
                .setTask(spec.task().wireName())
                .setFamily(spec.family())
                .setInputSize(spec.inputSize())
                .setHiddenLayers(spec.hiddenLayers())
                .setHiddenActivation(spec.activation().wireName())
                .setOutputSize(spec.outputSize())
                .setLoss(spec.loss().wireName())
                .setL2(spec.l2())
                .setClassNames(spec.classNames())
                .build();
    }

    private static FeatureStatistics statistics(ModelSpec spec, FeatureScaler scaler) {
        if (!scaler.enabled()) {
            return null;
        }
        FeatureScaler.State st = scaler.state();
        return FeatureStatistics.newBuilder()
                .setMode(spec.standardize().describe())
                .setCount(st.count())
                .setMean(Arrays.stream(st.mean()).boxed().toList())
                .setM2(Arrays.stream(st.m2()).boxed().toList())
                .build();
    }

    /** The architecture a snapshot describes. */
    public static ModelSpec spec(ModelSnapshot snapshot) {
        Architecture a = snapshot.getArchitecture();
        Task task = Task.fromWireName(a.getTask());
        return new ModelSpec(
                a.getFamily(),
                task,
                a.getInputSize(),
                a.getHiddenLayers(),
                Activation.fromWireName(a.getHiddenActivation()),
                a.getOutputSize(),
                a.getLoss().isEmpty() ? Loss.defaultFor(task) : Loss.fromWireName(a.getLoss()),
                a.getL2(),
                snapshot.getStandardization() == null
                        ? Standardization.OFF
                        : Standardization.parse(snapshot.getStandardization().getMode()),
                a.getClassNames());
    }

    /**
     * Rebuilds the network from a snapshot, optimizer state included, and checks the parameters
     * against the checksum the trainer recorded.
     */
    public static DenseNetwork rebuild(ModelSnapshot snapshot) {
        ModelSpec spec = spec(snapshot);
        float[] params = checkedParameters(snapshot);
        OptimizerState opt = snapshot.getOptimizer();
        return DenseNetwork.restore(
                spec,
                OptimizerSpec.fromSettings(opt.getName(), opt.getLearningRate(), opt.getSettings()),
                params,
                Tensors.values(opt.getState()),
                scalerState(snapshot.getStandardization()),
                DataType.FLOAT);
    }

    /** The feature statistics of a snapshot as a scaler's state, or null when it has none. */
    public static FeatureScaler.State scalerState(FeatureStatistics f) {
        if (f == null) {
            return null;
        }
        return new FeatureScaler.State(
                f.getCount(),
                f.getMean().stream().mapToDouble(Double::doubleValue).toArray(),
                f.getM2().stream().mapToDouble(Double::doubleValue).toArray());
    }

    /**
     * The parameters of a snapshot in the flat layout of {@link DenseNetwork}, checked against the
     * checksum the trainer recorded.
     *
     * @throws IllegalStateException naming the snapshot and both checksums when they differ
     */
    public static float[] checkedParameters(ModelSnapshot snapshot) {
        float[] params = flatParameters(snapshot);
        String checksum = Tensors.checksum(params);
        if (!checksum.equals(snapshot.getParametersChecksum())) {
            throw new IllegalStateException(
                    "snapshot "
                            + snapshot.getModel()
                            + " v"
                            + snapshot.getVersion()
                            + " is corrupt: parameter checksum "
                            + checksum
                            + " != recorded "
                            + snapshot.getParametersChecksum());
        }
        return params;
    }

    /** The parameters of a snapshot in the flat layout of {@link DenseNetwork}. */
    public static float[] flatParameters(ModelSnapshot snapshot) {
        int total = 0;
        List<float[]> parts = new ArrayList<>();
        for (Tensor t : snapshot.getParameters()) {
            float[] v = Tensors.values(t);
            parts.add(v);
            total += v.length;
        }
        float[] flat = new float[total];
        int offset = 0;
        for (float[] v : parts) {
            System.arraycopy(v, 0, flat, offset, v.length);
            offset += v.length;
        }
        return flat;
    }

    /** Per layer l: "W{l}" (in × out) and "b{l}" (out), slices of the flat layout. */
    private static List<Tensor> layerTensors(ModelSpec spec, float[] params) {
        int[] sizes = spec.layerSizes();
        List<Tensor> tensors = new ArrayList<>();
        int offset = 0;
        for (int l = 0; l + 1 < sizes.length; l++) {
            int in = sizes[l];
            int out = sizes[l + 1];
            float[] w = new float[in * out];
            System.arraycopy(params, offset, w, 0, w.length);
            offset += w.length;
            float[] b = new float[out];
            System.arraycopy(params, offset, b, 0, out);
            offset += out;
            tensors.add(Tensors.of("W" + l, new int[] {in, out}, w));
            tensors.add(Tensors.of("b" + l, new int[] {out}, b));
        }
        return tensors;
    }
}
