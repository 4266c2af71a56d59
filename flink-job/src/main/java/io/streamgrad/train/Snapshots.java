package io.streamgrad.train;

import io.streamgrad.model.Activation;
import io.streamgrad.model.DenseNetwork;
import io.streamgrad.model.FeatureScaler;
import io.streamgrad.model.Loss;
import io.streamgrad.model.ModelSpec;
import io.streamgrad.model.OptimizerSpec;
import io.streamgrad.model.Standardization;
import io.streamgrad.schema.Architecture;
import io.streamgrad.schema.FeatureStatistics;
import io.streamgrad.schema.ModelSnapshot;
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

    public static ModelSnapshot of(
            ModelTrainer trainer, String runId, long createdAt, Map<String, String> provenance) {
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
                .build();
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
