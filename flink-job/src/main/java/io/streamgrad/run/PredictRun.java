package io.streamgrad.run;

import io.streamgrad.config.InvalidSettingException;
import io.streamgrad.kafka.KafkaClientConfig;
import io.streamgrad.kafka.RawClients;
import io.streamgrad.schema.AvroDecodeException;
import io.streamgrad.schema.AvroSerde;
import io.streamgrad.schema.LabeledEvent;
import io.streamgrad.schema.Task;
import io.streamgrad.serve.Prediction;
import io.streamgrad.serve.Predictor;
import io.streamgrad.serve.ServingModel;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * What {@code predict} does: runs every example of a CSV file or of a topic (up to its end offsets
 * at start) through a {@link Predictor} and writes one CSV row per prediction, with the snapshot
 * version that made it (a predictor following the topic may swap to a newer snapshot mid-run).
 */
public final class PredictRun {
    /** How long the topic may give nothing before its end offsets are reached. */
    private static final long STALL_MS = 60_000;

    private PredictRun() {}

    /** Where the examples come from. */
    public sealed interface Input permits CsvInput, TopicInput {}

    /**
     * A CSV file: a header row, then one example per row, every column a feature except {@code
     * idColumn} (when given), which is copied to the output.
     */
    public record CsvInput(Path file, String idColumn) implements Input {}

    /** LabeledEvents of a topic, all partitions, from the beginning to the end offsets at start. */
    public record TopicInput(String topic) implements Input {}

    /**
     * What was predicted.
     *
     * @param predicted rows written
     * @param otherKey events of other model keys (topic input), not predicted
     * @param wrongFeatures events whose feature count does not fit the model (topic input), not
     *     predicted
     * @param undecodable records that are not LabeledEvents (topic input)
     * @param firstVersion the snapshot version of the first prediction (-1 for none)
     * @param lastVersion the snapshot version of the last prediction (-1 for none)
     */
    public record Summary(
            long predicted,
            long otherKey,
            long wrongFeatures,
            long undecodable,
            long firstVersion,
            long lastVersion) {}

    /**
     * Parses {@code --input}: {@code csv:FILE} or {@code topic:TOPIC}.
     *
     * @throws InvalidSettingException naming {@code --input}
     */
    public static Input parseInput(String spec, String idColumn) {
        if (spec.startsWith("csv:") && spec.length() > 4) {
            return new CsvInput(Path.of(spec.substring(4)), idColumn);
        }
        if (spec.startsWith("topic:") && spec.length() > 6) {
            if (idColumn != null) {
                throw new InvalidSettingException(
                        "{id-column} applies to csv:FILE input; topic rows carry partition, offset"
                                + " and event_id");
            }
            return new TopicInput(spec.substring(6));
        }
        throw new InvalidSettingException(
                "{input} must be csv:FILE or topic:TOPIC, got '" + spec + "'");
    }

    /**
     * Predicts every example of the input and writes them to {@code output}.
     *
     * @param predictor serving a model already (see {@link Predictor#awaitCaughtUp})
     * @param kafka the cluster, for topic input (may be null for a file)
     * @throws InvalidSettingException naming the file, line, column and value of a row that is not
     *     an example of the model, or a header whose feature columns do not fit it
     */
    public static Summary run(
            Predictor predictor, Input input, KafkaClientConfig kafka, Path output)
            throws IOException {
        ServingModel first = predictor.current();
        if (first == null) {
            throw new IllegalStateException("the predictor serves no model yet");
        }
        Path parent = output.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        // Written beside and moved into place at the end: a refused or failed run leaves no half
        // file, and an older output stays as it was.
        Path partial = output.resolveSibling(output.getFileName() + ".partial");
        try {
            Summary s =
                    input instanceof CsvInput c
                            ? fromCsv(predictor, first, c, partial)
                            : fromTopic(predictor, first, (TopicInput) input, kafka, partial);
            Files.move(partial, output, StandardCopyOption.REPLACE_EXISTING);
            return s;
        } finally {
            Files.deleteIfExists(partial);
        }
    }

    /** The header of the output: id columns, snapshot_version, prediction, p0..p{K-1}. */
    static List<String> header(List<String> idColumns, ServingModel model) {
        List<String> columns = new ArrayList<>(idColumns);
        columns.add("snapshot_version");
        columns.add("prediction");
        if (model.spec().task() != Task.REGRESSION) {
            for (int c = 0; c < model.spec().classes(); c++) {
                columns.add("p" + c);
            }
        }
        return columns;
    }

    private static Summary fromCsv(
            Predictor predictor, ServingModel first, CsvInput in, Path output) throws IOException {
        Path file = in.file();
        String where = "{input} csv:" + file;
        CSVFormat format =
                CSVFormat.DEFAULT
                        .builder()
                        .setHeader()
                        .setSkipHeaderRecord(true)
                        .setTrim(true)
                        .setIgnoreEmptyLines(true)
                        .get();
        BufferedReader reader;
        try {
            reader = Files.newBufferedReader(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new InvalidSettingException(where + ": no such file");
        }
        Rows rows = new Rows(first);
        try (reader;
                CSVParser parser = format.parse(reader);
                CSVPrinter out = printer(output)) {
            List<String> names = parser.getHeaderNames();
            if (names.isEmpty()) {
                throw new InvalidSettingException(where + ": empty file; expected a header row");
            }
            int idIndex = -1;
            if (in.idColumn() != null) {
                idIndex = names.indexOf(in.idColumn());
                if (idIndex < 0) {
                    throw new InvalidSettingException(
                            "{id-column} "
                                    + in.idColumn()
                                    + " is not a column of "
                                    + file
                                    + "; its header: "
                                    + String.join(",", names));
                }
            }
            int features = names.size() - (idIndex >= 0 ? 1 : 0);
            int expected = first.spec().inputSize();
            if (features != expected) {
                throw new InvalidSettingException(
                        where
                                + " line 1: "
                                + features
                                + " feature columns, but model "
                                + first.modelKey()
                                + " v"
                                + first.version()
                                + " takes "
                                + expected
                                + (idIndex < 0
                                        ? " (name an id column with {id-column}; every other"
                                                + " column is a feature)"
                                        : ""));
            }
            out.printRecord(header(List.of(idIndex >= 0 ? in.idColumn() : "line"), first));
            for (CSVRecord rec : parser) {
                long line = parser.getCurrentLineNumber();
                if (rec.size() != names.size()) {
                    throw new InvalidSettingException(
                            where
                                    + " line "
                                    + line
                                    + ": "
                                    + rec.size()
                                    + " fields, the header has "
                                    + names.size());
                }
                float[] x = new float[features];
                int j = 0;
                for (int c = 0; c < rec.size(); c++) {
                    if (c == idIndex) {
                        continue;
                    }
                    x[j] = cell(where, line, names.get(c), rec.get(c));
                    j++;
                }
                String id = idIndex >= 0 ? rec.get(idIndex) : Long.toString(line);
                rows.write(out, List.of(id), predictor.predict(x));
            }
        } catch (UncheckedIOException e) {
            throw new InvalidSettingException(
                    where + " cannot be read as CSV: " + e.getCause().getMessage());
        }
        return rows.summary(0, 0, 0);
    }

    /** A feature cell as a finite float, or an error naming where it is and what it holds. */
    private static float cell(String where, long line, String column, String value) {
        float v;
        try {
            v = Float.parseFloat(value);
        } catch (NumberFormatException e) {
            v = Float.NaN;
        }
        if (!Float.isFinite(v)) {
            throw new InvalidSettingException(
                    where
                            + " line "
                            + line
                            + " column "
                            + column
                            + ": '"
                            + value
                            + "' is not a finite number");
        }
        return v;
    }

    private static Summary fromTopic(
            Predictor predictor,
            ServingModel first,
            TopicInput in,
            KafkaClientConfig kafka,
            Path output)
            throws IOException {
        AvroSerde<LabeledEvent> serde = AvroSerde.of(LabeledEvent.class);
        Rows rows = new Rows(first);
        long otherKey = 0;
        long wrongFeatures = 0;
        long undecodable = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = TopicReader.consumer(kafka);
                CSVPrinter out = printer(output)) {
            List<TopicPartition> partitions = RawClients.fromBeginning(consumer, kafka, in.topic());
            if (partitions.isEmpty()) {
                throw new InvalidSettingException(
                        "{input} topic:" + in.topic() + ": no such topic");
            }
            // Bounded at start: events arriving while this runs are not predicted.
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            out.printRecord(header(List.of("partition", "offset", "event_id"), first));
            long stalledSince = System.currentTimeMillis();
            while (!reached(consumer, end)) {
                var records = consumer.poll(Duration.ofMillis(200));
                if (!records.isEmpty()) {
                    stalledSince = System.currentTimeMillis();
                } else if (System.currentTimeMillis() - stalledSince > STALL_MS) {
                    throw new IllegalStateException(
                            "topic "
                                    + in.topic()
                                    + ": nothing read for "
                                    + STALL_MS / 1000
                                    + " s before its end offsets "
                                    + end);
                }
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                    if (r.offset() >= end.get(tp)) {
                        continue;
                    }
                    LabeledEvent e;
                    try {
                        e = serde.deserialize(r.value());
                    } catch (AvroDecodeException ex) {
                        undecodable++;
                        continue;
                    }
                    if (!predictor.modelKey().equals(e.getModel())) {
                        otherKey++;
                        continue;
                    }
                    float[] x = new float[e.getFeatures().size()];
                    for (int j = 0; j < x.length; j++) {
                        x[j] = e.getFeatures().get(j);
                    }
                    Prediction p;
                    try {
                        p = predictor.predict(x);
                    } catch (IllegalArgumentException ex) {
                        wrongFeatures++; // the served model takes another feature count
                        continue;
                    }
                    rows.write(
                            out,
                            List.of(
                                    Integer.toString(r.partition()),
                                    Long.toString(r.offset()),
                                    e.getEventId()),
                            p);
                }
            }
        }
        return rows.summary(otherKey, wrongFeatures, undecodable);
    }

    private static boolean reached(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    private static CSVPrinter printer(Path output) throws IOException {
        return new CSVPrinter(
                Files.newBufferedWriter(output, StandardCharsets.UTF_8),
                CSVFormat.DEFAULT.builder().setRecordSeparator('\n').get());
    }

    /** Writes prediction rows and counts them. */
    private static final class Rows {
        private final int classes;
        private final Task task;
        private long written;
        private long firstVersion = -1;
        private long lastVersion = -1;

        Rows(ServingModel first) {
            this.classes = first.spec().classes();
            this.task = first.spec().task();
        }

        void write(CSVPrinter out, List<String> ids, Prediction p) throws IOException {
            if (p.probabilities().length != classes) {
                throw new IllegalStateException(
                        "snapshot v"
                                + p.version()
                                + " of "
                                + p.modelKey()
                                + " predicts "
                                + p.probabilities().length
                                + " classes, the output's header has "
                                + classes
                                + ": its architecture changed mid-run; predict again");
            }
            List<String> row = new ArrayList<>(ids);
            row.add(Long.toString(p.version()));
            row.add(
                    task == Task.REGRESSION
                            ? Double.toString(p.value())
                            : Long.toString((long) p.value()));
            Arrays.stream(p.probabilities()).forEach(v -> row.add(Double.toString(v)));
            out.printRecord(row);
            written++;
            if (firstVersion < 0) {
                firstVersion = p.version();
            }
            lastVersion = p.version();
        }

        Summary summary(long otherKey, long wrongFeatures, long undecodable) {
            return new Summary(
                    written, otherKey, wrongFeatures, undecodable, firstVersion, lastVersion);
        }
    }
}
