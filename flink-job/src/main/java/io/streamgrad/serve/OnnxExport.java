package io.streamgrad.serve;

import io.streamgrad.config.Provenance;
import io.streamgrad.model.Activation;
import io.streamgrad.model.FeatureScaler;
import io.streamgrad.model.ModelSpec;
import io.streamgrad.schema.FeatureStatistics;
import io.streamgrad.schema.ModelSnapshot;
import io.streamgrad.schema.Task;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import onnx.Onnx.AttributeProto;
import onnx.Onnx.GraphProto;
import onnx.Onnx.ModelProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.OperatorSetIdProto;
import onnx.Onnx.StringStringEntryProto;
import onnx.Onnx.TensorProto;
import onnx.Onnx.TensorShapeProto;
import onnx.Onnx.TypeProto;
import onnx.Onnx.ValueInfoProto;
import org.nd4j.shade.protobuf.ByteString;

/**
 * A snapshot as an ONNX model that ONNX Runtime (or any ONNX runtime) runs without streamgrad. The
 * graph is {@link ServingModel}'s forward pass op for op: the standardization in float64 then
 * rounded to float32, as {@link FeatureScaler#apply} computes it, and the layers in float32 with
 * the snapshot's float32 parameters:
 *
 * <pre>
 *   input  features        float32 [N, F]   raw features, N dynamic
 *   a₀ = Cast(Mul(Sub(Cast(features, double), mean), scale), float)
 *                                           only when the model standardizes; mean and scale float64,
 *                                           scale = 1/sd (1 for a feature with no spread)
 *   aₗ₊₁ = act(Gemm(aₗ, Wₗ, bₗ))             Wₗ [in, out]; act = the hidden activation, none on the
 *                                           last layer, whose output z are the logits
 *   regression: output prediction  float32 [N, 1] = z
 *   binary:     s = Concat(Neg(z), z)  [N, 2];  probabilities = Sigmoid(s) = [σ(−z), σ(z)]
 *   multiclass: s = z                  [N, K];  probabilities = Softmax(s, axis 1)
 *   classifiers: output probabilities float32 [N, C] and label int64 [N] = ArgMax(s, axis 1), the
 *                first of equals (argmax of s is the argmax of the probabilities: both are monotone)
 * </pre>
 *
 * leaky-relu is ONNX's LeakyRelu with alpha {@link Activation#LEAKY_SLOPE}. Operators as specified
 * in the ONNX operator set {@value #OPSET} (onnx/docs/Operators.md: Gemm, Sub, Mul, Relu,
 * LeakyRelu, Tanh, Sigmoid, Neg, Concat, Softmax, ArgMax); the file is a ModelProto of IR version
 * {@value #IR_VERSION} (onnx/docs/IR.md), written with the ONNX protobuf classes ND4J ships. The
 * snapshot's identity and lineage are in {@code metadata_props} ({@link #metadata}).
 *
 * <p>ServingModel computes the layers in double from the same float32 values; the float32 layers
 * agree with it to about 2e-6 on probabilities and 1e-6 relative on regression values, also 30
 * standard deviations from the feature means (OnnxExportTest).
 */
public final class OnnxExport {
    /** ONNX IR version 8 (ONNX 1.10–1.12), which operator set 17 needs at least. */
    public static final long IR_VERSION = 8;

    /** The default-domain operator set the graph is written against. */
    public static final long OPSET = 17;

    public static final String PRODUCER = "streamgrad";

    /** The input: raw features, float32 [N, F]. */
    public static final String FEATURES = "features";

    /** Classifiers' output: class probabilities, float32 [N, C] (binary: p0, p1). */
    public static final String PROBABILITIES = "probabilities";

    /** Classifiers' output: the predicted class index, int64 [N]. */
    public static final String LABEL = "label";

    /** Regression's output: the predicted value, float32 [N, 1]. */
    public static final String PREDICTION = "prediction";

    private static final String BATCH = "N";

    private OnnxExport() {}

    /**
     * The ONNX model of a snapshot.
     *
     * @param extraMetadata further {@code metadata_props} (they may not replace the snapshot's own)
     * @throws CorruptSnapshotException when the parameters fail their checksum or do not fit the
     *     architecture
     */
    public static ModelProto model(ModelSnapshot snapshot, Map<String, String> extraMetadata) {
        ServingModel m = ServingModel.of(snapshot);
        ModelSpec spec = m.spec();
        GraphProto.Builder g =
                GraphProto.newBuilder()
                        .setName("streamgrad_" + m.modelKey() + "_v" + m.version())
                        .addInput(
                                valueInfo(FEATURES, TensorProto.DataType.FLOAT, spec.inputSize()));
        String a = FEATURES;
        FeatureScaler scaler = m.scaler();
        if (scaler.enabled()) {
            // In double, then rounded to float32, as FeatureScaler.apply does: a mean rounded to
            // float32 would be off by up to 2^-24 of itself, which a small sd magnifies (mean 40,
            // sd 0.1: 2e-5 in the standardized feature).
            int f = spec.inputSize();
            g.addInitializer(doubles("standardization_mean", scaler.mean(), f));
            g.addInitializer(doubles("standardization_scale", scaler.scale(), f));
            g.addNode(cast(a, "features_double", TensorProto.DataType.DOUBLE));
            g.addNode(
                    node(
                            "Sub",
                            new String[] {"features_double", "standardization_mean"},
                            "centred"));
            g.addNode(
                    node("Mul", new String[] {"centred", "standardization_scale"}, "standardized"));
            g.addNode(cast("standardized", "a0", TensorProto.DataType.FLOAT));
            a = "a0";
        }
        int[] sizes = spec.layerSizes();
        int layers = sizes.length - 1;
        boolean regression = spec.task() == Task.REGRESSION;
        for (int l = 0; l < layers; l++) {
            String w = "W" + l;
            String b = "b" + l;
            g.addInitializer(floats(w, m.weights(l), sizes[l], sizes[l + 1]));
            g.addInitializer(floats(b, m.biases(l), sizes[l + 1]));
            boolean last = l == layers - 1;
            String z = last ? (regression ? PREDICTION : "logits") : "z" + l;
            g.addNode(node("Gemm", new String[] {a, w, b}, z));
            a = z;
            if (!last && spec.activation() != Activation.IDENTITY) {
                a = "a" + (l + 1);
                g.addNode(activation(spec.activation(), z, a));
            }
        }
        if (regression) {
            g.addOutput(valueInfo(PREDICTION, TensorProto.DataType.FLOAT, 1));
        } else {
            String scores = a;
            if (spec.task() == Task.BINARY) {
                g.addNode(node("Neg", new String[] {a}, "negated_logits"));
                scores = "class_scores";
                g.addNode(
                        node("Concat", new String[] {"negated_logits", a}, scores).toBuilder()
                                .addAttribute(intAttribute("axis", 1))
                                .build());
                g.addNode(node("Sigmoid", new String[] {scores}, PROBABILITIES));
            } else {
                g.addNode(
                        node("Softmax", new String[] {scores}, PROBABILITIES).toBuilder()
                                .addAttribute(intAttribute("axis", 1))
                                .build());
            }
            g.addNode(
                    node("ArgMax", new String[] {scores}, LABEL).toBuilder()
                            .addAttribute(intAttribute("axis", 1))
                            .addAttribute(intAttribute("keepdims", 0))
                            .addAttribute(intAttribute("select_last_index", 0))
                            .build());
            g.addOutput(valueInfo(PROBABILITIES, TensorProto.DataType.FLOAT, spec.classes()));
            g.addOutput(valueInfo(LABEL, TensorProto.DataType.INT64, -1));
        }
        ModelProto.Builder model =
                ModelProto.newBuilder()
                        .setIrVersion(IR_VERSION)
                        .setProducerName(PRODUCER)
                        .setProducerVersion(
                                snapshot.getProvenance().getOrDefault(Provenance.CODE_VERSION, ""))
                        .setDomain("io.streamgrad")
                        .setModelVersion(m.version())
                        .setDocString(
                                "streamgrad model "
                                        + m.modelKey()
                                        + " v"
                                        + m.version()
                                        + " ("
                                        + spec.task().wireName()
                                        + ", "
                                        + spec.shorthand()
                                        + "): input "
                                        + FEATURES
                                        + " float32 [N, "
                                        + spec.inputSize()
                                        + "] raw; outputs "
                                        + (regression
                                                ? PREDICTION + " float32 [N, 1]"
                                                : PROBABILITIES
                                                        + " float32 [N, "
                                                        + spec.classes()
                                                        + "], "
                                                        + LABEL
                                                        + " int64 [N]"))
                        .addOpsetImport(
                                OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                        .setGraph(g);
        Map<String, String> props = new LinkedHashMap<>(extraMetadata);
        props.putAll(metadata(snapshot, spec));
        props.forEach(
                (k, v) ->
                        model.addMetadataProps(
                                StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
        return model.build();
    }

    /** The model's file content: the serialized ModelProto. */
    public static byte[] bytes(ModelSnapshot snapshot, Map<String, String> extraMetadata) {
        return model(snapshot, extraMetadata).toByteArray();
    }

    /**
     * What {@code metadata_props} record of the snapshot: {@code model}, {@code version}, {@code
     * run_id}, {@code created_at} (epoch ms) and {@code created} (ISO-8601), {@code
     * parameters_checksum}, {@code task}, {@code family}, {@code architecture} (e.g. mlp:64,32),
     * {@code hidden_activation}, {@code input_size}, {@code classes}, {@code class_names} (comma
     * separated, when named), {@code standardization} (mode and count, or off), {@code
     * examples_seen}, {@code epoch}, {@code seed}, and each provenance entry as {@code
     * provenance.KEY}.
     */
    public static Map<String, String> metadata(ModelSnapshot s) {
        return metadata(s, ServingModel.of(s).spec());
    }

    private static Map<String, String> metadata(ModelSnapshot s, ModelSpec spec) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("model", s.getModel());
        p.put("version", Long.toString(s.getVersion()));
        p.put("run_id", s.getRunId());
        p.put("created_at", Long.toString(s.getCreatedAt()));
        p.put("created", Instant.ofEpochMilli(s.getCreatedAt()).toString());
        p.put("parameters_checksum", s.getParametersChecksum());
        p.put("task", spec.task().wireName());
        p.put("family", spec.family());
        p.put("architecture", spec.shorthand());
        p.put("hidden_activation", spec.activation().wireName());
        p.put("input_size", Integer.toString(spec.inputSize()));
        p.put("classes", Integer.toString(spec.classes()));
        if (!spec.classNames().isEmpty()) {
            p.put("class_names", String.join(",", spec.classNames()));
        }
        FeatureStatistics f = s.getStandardization();
        p.put(
                "standardization",
                spec.standardize().enabled() && f != null
                        ? f.getMode() + " after " + f.getCount() + " examples"
                        : spec.standardize().describe());
        p.put("examples_seen", Long.toString(s.getExamplesSeen()));
        p.put("epoch", Long.toString(s.getEpoch()));
        p.put("seed", Long.toString(s.getSeed()));
        new TreeMap<>(s.getProvenance())
                .forEach((k, v) -> p.put("provenance." + k, String.valueOf(v)));
        return p;
    }

    private static NodeProto activation(Activation activation, String in, String out) {
        return switch (activation) {
            case IDENTITY -> throw new IllegalArgumentException("identity needs no node");
            case RELU -> node("Relu", new String[] {in}, out);
            case LEAKY_RELU ->
                    node("LeakyRelu", new String[] {in}, out).toBuilder()
                            .addAttribute(
                                    AttributeProto.newBuilder()
                                            .setName("alpha")
                                            .setType(AttributeProto.AttributeType.FLOAT)
                                            .setF((float) Activation.LEAKY_SLOPE))
                            .build();
            case TANH -> node("Tanh", new String[] {in}, out);
            case SIGMOID -> node("Sigmoid", new String[] {in}, out);
        };
    }

    private static NodeProto node(String op, String[] inputs, String output) {
        NodeProto.Builder n =
                NodeProto.newBuilder().setOpType(op).setName(output).addOutput(output);
        for (String i : inputs) {
            n.addInput(i);
        }
        return n.build();
    }

    private static NodeProto cast(String in, String out, TensorProto.DataType to) {
        return node("Cast", new String[] {in}, out).toBuilder()
                .addAttribute(intAttribute("to", to.getNumber()))
                .build();
    }

    private static AttributeProto intAttribute(String name, long value) {
        return AttributeProto.newBuilder()
                .setName(name)
                .setType(AttributeProto.AttributeType.INT)
                .setI(value)
                .build();
    }

    /** A float32 initializer of the given shape from values held in double (exact for float32). */
    private static TensorProto floats(String name, double[] values, long... dims) {
        return initializer(name, TensorProto.DataType.FLOAT, values, dims);
    }

    /** A float64 initializer of the given shape. */
    private static TensorProto doubles(String name, double[] values, long... dims) {
        return initializer(name, TensorProto.DataType.DOUBLE, values, dims);
    }

    private static TensorProto initializer(
            String name, TensorProto.DataType type, double[] values, long... dims) {
        boolean single = type == TensorProto.DataType.FLOAT;
        ByteBuffer raw =
                ByteBuffer.allocate((single ? 4 : 8) * values.length)
                        .order(ByteOrder.LITTLE_ENDIAN); // raw_data is little-endian (IR.md)
        for (double v : values) {
            if (single) {
                raw.putFloat((float) v);
            } else {
                raw.putDouble(v);
            }
        }
        raw.flip();
        TensorProto.Builder t =
                TensorProto.newBuilder()
                        .setName(name)
                        .setDataType(type.getNumber())
                        .setRawData(ByteString.copyFrom(raw));
        for (long d : dims) {
            t.addDims(d);
        }
        return t.build();
    }

    /** A tensor of shape [N] (width −1) or [N, width], N dynamic. */
    private static ValueInfoProto valueInfo(String name, TensorProto.DataType type, int width) {
        TensorShapeProto.Builder shape =
                TensorShapeProto.newBuilder()
                        .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam(BATCH));
        if (width >= 0) {
            shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(width));
        }
        return ValueInfoProto.newBuilder()
                .setName(name)
                .setType(
                        TypeProto.newBuilder()
                                .setTensorType(
                                        TypeProto.Tensor.newBuilder()
                                                .setElemType(type.getNumber())
                                                .setShape(shape)))
                .build();
    }
}
