package io.streamgrad.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamgrad.config.InvalidSettingException;
import io.streamgrad.model.FeatureScaler;
import io.streamgrad.model.ModelSpec;
import io.streamgrad.schema.FeatureStatistics;
import io.streamgrad.schema.ModelSnapshot;
import io.streamgrad.schema.Tensor;
import io.streamgrad.schema.Tensors;
import io.streamgrad.serve.CorruptSnapshotException;
import io.streamgrad.serve.OnnxExport;
import io.streamgrad.train.Snapshots;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * {@code snapshots export}: a snapshot as a file another program can run without streamgrad, as an
 * ONNX model ({@link OnnxExport}) or as JSON. The JSON form holds everything {@link
 * SnapshotCatalog#describe} shows (identity, lineage and provenance, architecture, optimizer
 * settings, progress) plus the parameters with their values and the standardization's per-feature
 * mean and scale, and states the forward pass in words:
 *
 * <pre>
 *   a₀ = (x − mean) ⊙ scale                      (skipped when standardization is null)
 *   aₗ₊₁ = act(aₗ · Wₗ + bₗ), Wₗ of shape [in, out] row-major; no act on the last layer
 *   binary: p₁ = σ(z), p₀ = 1 − p₁; multi-class: p = softmax(z); regression: ŷ = z
 * </pre>
 */
public final class SnapshotExport {
    /** Identifies the layout, for readers that check what they read. */
    public static final String FORMAT = "streamgrad-model-json";

    public static final int FORMAT_VERSION = 1;

    private SnapshotExport() {}

    /** The formats {@code --format} accepts. */
    public static final String FORMATS = "json|onnx";

    /**
     * Writes the snapshot in {@code format} to {@code output}: json as {@link #json}, onnx as
     * {@link OnnxExport} (with everything {@link SnapshotCatalog#describe} shows as one more
     * metadata entry, {@code snapshot_json}).
     *
     * @throws InvalidSettingException for an unknown format, an output that cannot be written, or
     *     when the snapshot fails its checksum (an export must not pass corrupt parameters on)
     */
    public static void write(ModelSnapshot snapshot, String format, Path output)
            throws IOException {
        checkFormat(format);
        checkOutput(output);
        try {
            Snapshots.checkedParameters(snapshot);
        } catch (IllegalStateException e) {
            // An export must not pass corrupt parameters on.
            throw new InvalidSettingException(e.getMessage() + "; export another {snapshot}");
        }
        Path parent = output.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        if (format.equals("onnx")) {
            byte[] model;
            try {
                model =
                        OnnxExport.bytes(
                                snapshot,
                                Map.of(
                                        "snapshot_json",
                                        SnapshotCatalog.describe(snapshot).toString()));
            } catch (CorruptSnapshotException e) {
                throw new InvalidSettingException(e.getMessage() + "; export another {snapshot}");
            }
            Files.write(output, model);
            return;
        }
        new ObjectMapper()
                .enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(output.toFile(), json(snapshot));
    }

    /**
     * @throws InvalidSettingException naming {@code --format} unless it is one of {@link #FORMATS}
     */
    public static void checkFormat(String format) {
        if (!format.equals("json") && !format.equals("onnx")) {
            throw new InvalidSettingException(
                    "{format} " + format + " is not supported; use json or onnx");
        }
    }

    /**
     * Checks that {@code output} can be written, so that a command fails before it reads Kafka: it
     * must not be a directory, its nearest existing ancestor must be a writable directory, and an
     * existing file must be writable.
     *
     * @throws InvalidSettingException naming {@code --output} and the path at fault
     */
    public static void checkOutput(Path output) {
        checkOutput("output", output);
    }

    /**
     * Refuses a file that cannot be written, before anything runs.
     *
     * @param setting the flag naming the file, without dashes
     */
    public static void checkOutput(String setting, Path output) {
        if (Files.isDirectory(output)) {
            throw new InvalidSettingException(
                    "{" + setting + "} " + output + " is a directory; give a file name");
        }
        Path ancestor = output.toAbsolutePath().getParent();
        while (ancestor != null && !Files.exists(ancestor)) {
            ancestor = ancestor.getParent();
        }
        if (ancestor != null && !Files.isDirectory(ancestor)) {
            throw new InvalidSettingException(
                    "{"
                            + setting
                            + "} "
                            + output
                            + " cannot be written: "
                            + ancestor
                            + " is not a directory");
        }
        if (ancestor != null && !Files.isWritable(ancestor)) {
            throw new InvalidSettingException(
                    "{"
                            + setting
                            + "} "
                            + output
                            + " cannot be written: directory "
                            + ancestor
                            + " is not writable");
        }
        if (Files.exists(output) && !Files.isWritable(output)) {
            throw new InvalidSettingException(
                    "{" + setting + "} " + output + " exists and is not writable");
        }
    }

    /** The JSON form (see the class comment). */
    public static ObjectNode json(ModelSnapshot s) {
        ObjectNode described = SnapshotCatalog.describe(s);
        ObjectNode o = described.objectNode();
        o.put("format", FORMAT);
        o.put("format_version", FORMAT_VERSION);
        o.setAll(described);
        o.put(
                "forward",
                "a0 = (x - standardization.mean) * standardization.scale (skipped when"
                        + " standardization is null); for each layer l: z = a_l . W_l + b_l (W_l"
                        + " of shape [in, out], values row-major), a_{l+1} ="
                        + " architecture.hidden_activation(z) except on the last layer, whose z"
                        + " are the logits; binary: p1 = sigmoid(z), p0 = 1 - p1; multiclass: p ="
                        + " softmax(z); regression: prediction = z. relu = max(z, 0), leaky-relu ="
                        + " z if z >= 0 else 0.01 z");
        ArrayNode tensors = o.putArray("parameters");
        for (Tensor t : s.getParameters()) {
            ObjectNode n = tensors.addObject();
            n.put("name", t.getName());
            ArrayNode shape = n.putArray("shape");
            for (int d : Tensors.shape(t)) {
                shape.add(d);
            }
            ArrayNode values = n.putArray("values");
            for (float v : Tensors.values(t)) {
                values.add(v);
            }
        }
        FeatureStatistics f = s.getStandardization();
        if (f != null) {
            ModelSpec spec = Snapshots.spec(s);
            FeatureScaler scaler = new FeatureScaler(spec.standardize(), Snapshots.scalerState(f));
            ObjectNode st = o.putObject("standardization");
            st.put("mode", f.getMode());
            st.put("count", f.getCount());
            ArrayNode mean = st.putArray("mean");
            for (double m : scaler.mean()) {
                mean.add(m);
            }
            ArrayNode variance = st.putArray("variance");
            for (double v : scaler.variance()) {
                variance.add(v);
            }
            ArrayNode scale = st.putArray("scale");
            for (double v : scaler.scale()) {
                scale.add(v);
            }
        }
        return o;
    }
}
