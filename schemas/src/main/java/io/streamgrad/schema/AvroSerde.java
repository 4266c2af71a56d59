package io.streamgrad.schema;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.message.BadHeaderException;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.message.SchemaStore;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.util.ClassSecurityValidator;

/**
 * The one serde of streamgrad: Avro single-object encoding (2-byte marker, 8-byte schema
 * fingerprint, binary body) for every record on every topic.
 *
 * <p>Readers accept the current schema and every earlier version listed in {@code
 * io/streamgrad/schema/history/index.txt}, resolved to the current one, so producers can be
 * upgraded after the job. Instances are serializable (Flink ships them to task managers); the
 * encoder and decoder are rebuilt lazily on each JVM.
 */
public final class AvroSerde<T extends SpecificRecord> implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final String HISTORY = "/io/streamgrad/schema/history/";

    /**
     * The most items an array or map may declare: a 64 MiB snapshot record holds at most 16 Mi
     * float32 values, so no legitimate record of ours has more.
     */
    public static final int MAX_COLLECTION_ITEMS = 16 << 20;

    /** The longest string (characters): ids, names and details are far shorter. */
    public static final int MAX_STRING_CHARS = 1 << 20;

    /** The longest bytes field: a dead letter carries a rejected record of at most 64 MiB. */
    public static final int MAX_BYTES = 64 << 20;

    static {
        // Hostile sizes (a record that declares 10^9 floats, a string of 10^8 characters) are
        // refused before allocation: Avro checks declared lengths against these limits, which it
        // reads once, when its SystemLimitException class loads. A -D setting of the same
        // property wins.
        limit("org.apache.avro.limits.collectionItems.maxLength", MAX_COLLECTION_ITEMS);
        limit("org.apache.avro.limits.string.maxLength", MAX_STRING_CHARS);
        limit("org.apache.avro.limits.bytes.maxLength", MAX_BYTES);
        trustGeneratedClasses();
    }

    private static void limit(String property, int value) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, Integer.toString(value));
        }
    }

    private final Class<T> type;
    private transient BinaryMessageEncoder<T> encoder;
    private transient BinaryMessageDecoder<T> decoder;

    private AvroSerde(Class<T> type) {
        this.type = Objects.requireNonNull(type);
    }

    public static <T extends SpecificRecord> AvroSerde<T> of(Class<T> type) {
        return new AvroSerde<>(type);
    }

    /**
     * Avro 1.12 refuses to instantiate classes it was not told to trust. Trusting ours here, in
     * code, means no JVM (CLI, test, task manager) depends on a system property being set.
     */
    public static synchronized void trustGeneratedClasses() {
        ClassSecurityValidator.ClassSecurityPredicate ours =
                ClassSecurityValidator.builder()
                        .add(LabeledEvent.class)
                        .add(TrainingMetric.class)
                        .add(EventCounts.class)
                        .add(MetricKind.class)
                        .add(ModelSnapshot.class)
                        .add(Architecture.class)
                        .add(OptimizerState.class)
                        .add(FeatureStatistics.class)
                        .add(Lineage.class)
                        .add(OffsetRange.class)
                        .add(Tensor.class)
                        .add(DeadLetter.class)
                        .add(FeatureEvent.class)
                        .add(LabelEvent.class)
                        .build();
        ClassSecurityValidator.ClassSecurityPredicate current = ClassSecurityValidator.getGlobal();
        if (current.isTrusted(LabeledEvent.class) && current.isTrusted(LabelEvent.class)) {
            return;
        }
        ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(current, ours));
    }

    public Class<T> type() {
        return type;
    }

    public Schema schema() {
        return SpecificData.get().getSchema(type);
    }

    public byte[] serialize(T record) {
        try {
            return encoder().encode(record).array();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode " + type.getSimpleName(), e);
        }
    }

    /**
     * Decodes one single-object-encoded record.
     *
     * @throws AvroDecodeException with a reason a person can act on, for bytes that are not such a
     *     record
     */
    public T deserialize(byte[] bytes) {
        if (bytes == null) {
            throw new AvroDecodeException("null record value (a tombstone?)");
        }
        try {
            return decoder().decode(bytes);
        } catch (MissingSchemaException e) {
            throw new AvroDecodeException(
                    DeadLetterReason.UNKNOWN_SCHEMA,
                    "written with a schema this reader does not know (fingerprint not in the "
                            + type.getSimpleName()
                            + " history): "
                            + e.getMessage());
        } catch (BadHeaderException e) {
            throw new AvroDecodeException(
                    "not Avro single-object encoding (bad header): " + e.getMessage());
        } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException e) {
            throw new AvroDecodeException(
                    "cannot decode "
                            + type.getSimpleName()
                            + " ("
                            + bytes.length
                            + " bytes): "
                            + e.getClass().getSimpleName()
                            + ": "
                            + e.getMessage());
        }
    }

    private BinaryMessageEncoder<T> encoder() {
        if (encoder == null) {
            encoder = new BinaryMessageEncoder<>(SpecificData.get(), schema());
        }
        return encoder;
    }

    private BinaryMessageDecoder<T> decoder() {
        if (decoder == null) {
            SchemaStore.Cache history = new SchemaStore.Cache();
            for (Schema old : historyOf(schema().getFullName())) {
                history.addSchema(old);
            }
            BinaryMessageDecoder<T> d =
                    new BinaryMessageDecoder<>(SpecificData.get(), schema(), history);
            decoder = d;
        }
        return decoder;
    }

    /** Earlier versions of the record with this full name, from the bundled history. */
    static List<Schema> historyOf(String fullName) {
        List<Schema> found = new ArrayList<>();
        for (String resource : historyIndex()) {
            Schema old = parseResource(HISTORY + resource);
            if (old.getFullName().equals(fullName)) {
                found.add(old);
            }
        }
        return found;
    }

    private static List<String> historyIndex() {
        List<String> names = new ArrayList<>();
        try (InputStream in = AvroSerde.class.getResourceAsStream(HISTORY + "index.txt")) {
            if (in == null) {
                return names;
            }
            BufferedReader reader =
                    new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            while ((line = reader.readLine()) != null) {
                line = line.strip();
                if (!line.isEmpty() && !line.startsWith("#")) {
                    names.add(line);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the schema history index", e);
        }
        return names;
    }

    private static Schema parseResource(String resource) {
        try (InputStream in = AvroSerde.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("schema history lists a missing file: " + resource);
            }
            // Old versions name the shared Tensor record instead of repeating it.
            Schema.Parser parser = new Schema.Parser();
            parser.addTypes(List.of(Tensor.getClassSchema()));
            return parser.parse(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }
}
