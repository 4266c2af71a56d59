package io.streamgrad.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamgrad.advise.BatchSampler;
import io.streamgrad.advise.StepTimeFit;
import io.streamgrad.advise.StepTimer;
import io.streamgrad.batch.Batch;
import io.streamgrad.batch.TrainingExample;
import io.streamgrad.run.flags.BatchingOptions;
import io.streamgrad.run.flags.ModelOptions;
import io.streamgrad.schema.AvroSerde;
import io.streamgrad.schema.LabeledEventDecoder;
import io.streamgrad.train.EventValidator;
import io.streamgrad.train.ModelTrainer;
import io.streamgrad.train.TrainingConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;

/**
 * The throughput benchmark of issue 9, run by {@code scripts/bench-throughput.sh} against a Kafka
 * broker process that script started and filled. Per workload, in this order and in the same run:
 *
 * <ol>
 *   <li><b>raw</b>: a plain {@link KafkaConsumer} (byte arrays, default fetch settings) in a fresh
 *       JVM ({@link ColdRead}) reads the topic from its beginning to its end offsets; rate =
 *       records / (last record − first record received). Measured {@code --repeat} times,
 *       alternating with the end-to-end runs below.
 *   <li><b>decode</b>: a plain consumer in this JVM, decoding each record as the job does ({@link
 *       LabeledEventDecoder} straight into a {@code float[]}, then {@link EventValidator} into an
 *       example).
 *   <li><b>in-memory in this JVM</b>: the product's own {@link ModelTrainer#train} over batches cut
 *       before the clock starts from the decoded examples (up to {@link #IN_MEMORY_BYTES} of
 *       features, cycled for at least {@link #IN_MEMORY_MIN_SECONDS}); rate = examples / time. Kept
 *       in the JSON only: this JVM has run other workloads' code before, and its softmax rate moved
 *       between 80 k and 164 k examples/s across runs on one machine.
 *   <li><b>cold pass, then in-memory</b>: {@link ColdPass} in a fresh JVM: the same trainer, one
 *       pass over the topic's examples in memory, timed from its first step with no warm-up (as a
 *       run meets its model); then, warm, the same batches cycled for at least {@link
 *       #IN_MEMORY_MIN_SECONDS}: the in-memory reference. Measured {@code --repeat} times,
 *       alternating with the raw consumer and the end-to-end runs; medians reported.
 *   <li><b>T(b)</b>: {@link StepTimer} at batch sizes 8…512 and the line T(b) = τ_f + τ_d·b through
 *       the medians ({@link StepTimeFit}), the model's fixed cost per update.
 *   <li><b>streamgrad</b>: {@code ./streamgrad train --bounded} as a child process (one pass, the
 *       workload's flags, a fresh state directory); its {@code --summary-json} gives {@code
 *       events_per_second} (first record → last update) and {@code startup_seconds}; this JVM
 *       samples the child's peak resident memory ({@code VmHWM} of /proc/PID/status) and the Flink
 *       checkpoint statistics from the job's REST API while it runs. Run {@code --repeat} times.
 *   <li><b>warm</b>: the same run with {@code --epochs} {@value #WARM_EPOCHS} and {@code
 *       --no-full-pass-loss}, every epoch read from Kafka again: its last epoch's rate ({@code
 *       epoch_events_per_second}), the pipeline with the JIT's warm-up behind it, next to the warm
 *       in-memory trainer. Run {@code --repeat} times, after the one-pass runs.
 * </ol>
 *
 * Usage: {@code ThroughputBench --bootstrap-servers H:P --launcher ./streamgrad --out DIR
 * --workloads logistic,softmax,mlp --jvm-options flink-job/src/main/cli/jvm.options [--repeat N]}.
 * Prints the table and writes it to DIR/bench.md and DIR/bench.json.
 */
public final class ThroughputBench {
    static final long IN_MEMORY_BYTES = 128L << 20;
    static final double IN_MEMORY_MIN_SECONDS = 3;
    static final int[] STEP_SIZES = {8, 16, 32, 64, 128, 256, 512};

    /** Epochs of the warm runs, whose last one is measured. */
    static final int WARM_EPOCHS = 3;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A workload: the topic it reads and the flags of its model (those of {@code train}). */
    record Workload(String name, String topic, List<String> modelFlags) {}

    static final Map<String, Workload> WORKLOADS = new LinkedHashMap<>();

    static {
        WORKLOADS.put(
                "logistic",
                new Workload(
                        "logistic",
                        "bench.logistic",
                        List.of(
                                "--model",
                                "logistic",
                                "--features",
                                "100",
                                "--batch-size",
                                "256",
                                "--optimizer",
                                "sgd")));
        WORKLOADS.put(
                "softmax",
                new Workload(
                        "softmax",
                        "bench.mnist",
                        List.of(
                                "--model",
                                "softmax",
                                "--features",
                                "784",
                                "--classes",
                                "10",
                                "--batch-size",
                                "128",
                                "--optimizer",
                                "sgd")));
        WORKLOADS.put(
                "mlp",
                new Workload(
                        "mlp",
                        "bench.mnist",
                        List.of(
                                "--model",
                                "mlp:128",
                                "--features",
                                "784",
                                "--classes",
                                "10",
                                "--batch-size",
                                "128",
                                "--optimizer",
                                "adam")));
    }

    /** The model flags parsed exactly as {@code train} parses them. */
    @CommandLine.Command(name = "model")
    static final class ModelFlags {
        @Mixin ModelOptions model = new ModelOptions();
        @Mixin BatchingOptions batching = new BatchingOptions();

        static TrainingConfig parse(List<String> flags) {
            ModelFlags f = new ModelFlags();
            new CommandLine(f).parseArgs(flags.toArray(String[]::new));
            return f.model.toTrainingConfig(f.batching.toBatching());
        }
    }

    /** One read of a topic. */
    record Read(long records, long bytes, double seconds) {
        double rate() {
            return records / seconds;
        }
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = arguments(args);
        String servers = required(a, "bootstrap-servers");
        Path launcher = Path.of(required(a, "launcher"));
        Path out = Path.of(required(a, "out"));
        List<String> names = Arrays.asList(a.getOrDefault("workloads", "logistic").split(","));
        List<String> jvmOptions = jvmOptions(Path.of(required(a, "jvm-options")));
        int repeats = Integer.parseInt(a.getOrDefault("repeat", "1"));
        if (repeats < 1) {
            throw new IllegalArgumentException("--repeat " + repeats + ": give 1 or more");
        }
        Files.createDirectories(out);
        AvroSerde.trustGeneratedClasses();

        ObjectNode report = JSON.createObjectNode();
        report.put("machine", Machine.describe());
        report.put("load_before", Machine.loadAverage());
        ObjectNode rows = report.putObject("workloads");
        for (String name : names) {
            Workload w = WORKLOADS.get(name.trim());
            if (w == null) {
                throw new IllegalArgumentException(
                        "unknown workload '" + name + "': use " + WORKLOADS.keySet());
            }
            rows.set(w.name(), measure(w, servers, launcher, out, jvmOptions, repeats));
        }
        report.put("load_after", Machine.loadAverage());
        Files.writeString(
                out.resolve("bench.json"),
                JSON.writerWithDefaultPrettyPrinter().writeValueAsString(report));
        String table = BenchTable.render(report);
        Files.writeString(out.resolve("bench.md"), table);
        System.out.print(table);
    }

    /**
     * One workload's rates. The raw consumer and the end-to-end run, the two that move most with
     * the machine's load, are measured {@code repeats} times, alternating; the report keeps every
     * run ({@code raw_runs}, {@code e2e_runs}) and the medians, and the end-to-end run with the
     * median rate supplies the run's other figures (memory, checkpoints).
     */
    private static ObjectNode measure(
            Workload w,
            String servers,
            Path launcher,
            Path out,
            List<String> jvmOptions,
            int repeats)
            throws Exception {
        log("%s: topic %s, flags %s", w.name(), w.topic(), String.join(" ", w.modelFlags()));
        TrainingConfig config = ModelFlags.parse(w.modelFlags());
        ObjectNode r = JSON.createObjectNode();
        r.put("topic", w.topic());
        r.put("flags", String.join(" ", w.modelFlags()));

        Read raw = read(servers, w.topic(), rec -> {});
        log(
                "%s: consumer in this JVM %,d records, %.0f records/s",
                w.name(), raw.records(), raw.rate());
        r.put("events", raw.records());
        r.put("bytes", raw.bytes());
        r.put("raw_in_bench_jvm_per_second", raw.rate());

        LabeledEventDecoder decoder = new LabeledEventDecoder();
        int features = config.spec().inputSize();
        long keep = Math.max(config.batchSize(), IN_MEMORY_BYTES / (4L * features));
        List<TrainingExample> kept = new ArrayList<>();
        Read decoded =
                read(
                        servers,
                        w.topic(),
                        rec -> {
                            TrainingExample e =
                                    EventValidator.validate(
                                            decoder.decode(rec.value()), config.spec());
                            if (kept.size() < keep) {
                                kept.add(e);
                            }
                        });
        log("%s: decoding consumer %.0f records/s", w.name(), decoded.rate());
        r.put("decode_per_second", decoded.rate());

        r.put("in_memory_in_bench_jvm_per_second", inMemory(config, kept));
        log(
                "%s: in-memory trainer in this JVM %.0f examples/s",
                w.name(), r.get("in_memory_in_bench_jvm_per_second").asDouble());

        StepTimeFit fit = stepTimes(config, kept);
        r.put("tau_f_seconds", fit.tauF());
        r.put("tau_d_seconds", fit.tauD());
        r.put("step_fit_r_squared", fit.rSquared());
        log(
                "%s: T(b) = %.1f µs + %.3f µs·b (R² %.3f)",
                w.name(), fit.tauF() * 1e6, fit.tauD() * 1e6, fit.rSquared());
        kept.clear();

        List<Double> raws = new ArrayList<>();
        List<Double> colds = new ArrayList<>();
        List<Double> warms = new ArrayList<>();
        List<ObjectNode> runs = new ArrayList<>();
        for (int i = 0; i < repeats; i++) {
            raws.add(coldRead(servers, w.topic(), jvmOptions));
            log(
                    "%s: raw consumer in a fresh JVM, run %d: %.0f records/s",
                    w.name(), i + 1, raws.get(i));
            double[] pass = coldPass(w, servers, jvmOptions);
            r.put("cold_pass_examples", (long) pass[0]);
            colds.add(pass[0] / pass[1]);
            warms.add(pass[2] / pass[3]);
            log(
                    "%s: in-memory trainer in a fresh JVM, run %d: one cold pass over %,d"
                            + " examples %.0f examples/s, then warm %.0f examples/s",
                    w.name(), i + 1, (long) pass[0], colds.get(i), warms.get(i));
            Workload run =
                    repeats == 1
                            ? w
                            : new Workload(w.name() + "-" + (i + 1), w.topic(), w.modelFlags());
            runs.add(TrainChild.run(run, servers, launcher, out));
        }
        List<ObjectNode> byRate = new ArrayList<>(runs);
        byRate.sort(Comparator.comparingDouble(n -> n.get("streamgrad_per_second").asDouble()));
        r.setAll(byRate.get((byRate.size() - 1) / 2));
        r.put("raw_per_second", median(raws));
        ArrayNode rawRuns = r.putArray("raw_runs");
        raws.forEach(rawRuns::add);
        r.put("in_memory_per_second", median(warms));
        ArrayNode warmRuns = r.putArray("in_memory_runs");
        warms.forEach(warmRuns::add);
        r.put("cold_pass_per_second", median(colds));
        ArrayNode coldRuns = r.putArray("cold_pass_runs");
        colds.forEach(coldRuns::add);
        ArrayNode e2eRuns = r.putArray("e2e_runs");
        runs.forEach(n -> e2eRuns.add(n.get("streamgrad_per_second").asDouble()));
        r.set("warm", warm(w, servers, launcher, out, repeats));
        return r;
    }

    /**
     * The warm runs: {@code repeats} runs of {@value #WARM_EPOCHS} epochs without the full-pass
     * loss; {@code last_epoch_runs} holds each run's last-epoch rate, {@code last_epoch_per_second}
     * their median, and the run with the median rate supplies {@code epoch_per_second} (every
     * epoch's rate) and its CPU in the whole span.
     */
    private static ObjectNode warm(Workload w, String servers, Path launcher, Path out, int repeats)
            throws Exception {
        List<String> flags = new ArrayList<>(w.modelFlags());
        flags.addAll(List.of("--epochs", Integer.toString(WARM_EPOCHS), "--no-full-pass-loss"));
        List<ObjectNode> runs = new ArrayList<>();
        for (int i = 0; i < repeats; i++) {
            ObjectNode run =
                    TrainChild.run(
                            new Workload(w.name() + "-warm-" + (i + 1), w.topic(), flags),
                            servers,
                            launcher,
                            out);
            JsonNode epochs = run.path("epoch_per_second");
            if (epochs.size() != WARM_EPOCHS) {
                throw new IllegalStateException(
                        w.name() + ": a " + WARM_EPOCHS + "-epoch run reported " + epochs);
            }
            run.put("last_epoch_per_second", epochs.get(WARM_EPOCHS - 1).asDouble());
            log(
                    "%s: %d epochs, run %d: %s examples/s per epoch",
                    w.name(), WARM_EPOCHS, i + 1, epochs);
            runs.add(run);
        }
        List<ObjectNode> byRate = new ArrayList<>(runs);
        byRate.sort(Comparator.comparingDouble(n -> n.get("last_epoch_per_second").asDouble()));
        ObjectNode median = byRate.get((byRate.size() - 1) / 2);
        ObjectNode r = JSON.createObjectNode();
        r.put("flags", String.join(" ", flags));
        r.put("last_epoch_per_second", median.get("last_epoch_per_second").asDouble());
        r.set("epoch_per_second", median.get("epoch_per_second"));
        if (median.has("cpu_seconds_in_span")) {
            r.set("cpu_seconds_in_span", median.get("cpu_seconds_in_span"));
        }
        r.put("rate_span_seconds", median.path("rate_span_seconds").asDouble());
        r.put("streamgrad_per_second", median.path("streamgrad_per_second").asDouble());
        r.put("peak_rss_bytes", median.path("peak_rss_bytes").asLong());
        ArrayNode last = r.putArray("last_epoch_runs");
        runs.forEach(n -> last.add(n.get("last_epoch_per_second").asDouble()));
        return r;
    }

    /** The median (the lower of the two middle values for an even count). */
    static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return sorted.get((sorted.size() - 1) / 2);
    }

    /** The flags of a JVM options file: one per line, '#' lines and blank lines skipped. */
    static List<String> jvmOptions(Path file) throws IOException {
        return Files.readAllLines(file).stream()
                .map(String::trim)
                .filter(l -> !l.isEmpty() && !l.startsWith("#"))
                .toList();
    }

    /**
     * {@link ColdPass} in a child JVM (this JVM's java, class path and heap limit, the launcher's
     * JVM flags): {examples, seconds} of its cold pass, then {examples, seconds} warm.
     */
    static double[] coldPass(Workload w, String servers, List<String> jvmOptions)
            throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of(servers, w.topic()));
        args.addAll(w.modelFlags());
        return freshJvm(ColdPass.class, args, jvmOptions, "the cold pass of " + w.name());
    }

    /** Records/s of a plain consumer reading {@code topic} in a fresh JVM ({@link ColdRead}). */
    static double coldRead(String servers, String topic, List<String> jvmOptions)
            throws IOException, InterruptedException {
        double[] r =
                freshJvm(
                        ColdRead.class,
                        List.of(servers, topic),
                        jvmOptions,
                        "the raw consumer of " + topic);
        return r[0] / r[1];
    }

    /**
     * Runs {@code main} in a fresh JVM with the launcher's flags and this JVM's heap and class
     * path; returns the numbers of the last line it printed.
     */
    private static double[] freshJvm(
            Class<?> main, List<String> args, List<String> jvmOptions, String what)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.add("-Xmx" + (Runtime.getRuntime().maxMemory() >> 20) + "m");
        cmd.add("-Dlog4j2.level=warn");
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path")));
        cmd.add(main.getName());
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String outText = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException(what + " exited with " + p.exitValue());
        }
        String[] lines = outText.strip().split("\\R");
        String[] f = lines[lines.length - 1].trim().split(" ");
        return Arrays.stream(f).mapToDouble(Double::parseDouble).toArray();
    }

    /** Reads {@code topic} from its beginning to the end offsets it has now. */
    static Read read(String servers, String topic, Consumer<ConsumerRecord<byte[], byte[]>> each) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
            List<TopicPartition> parts = new ArrayList<>();
            for (PartitionInfo i : c.partitionsFor(topic, Duration.ofSeconds(30))) {
                parts.add(new TopicPartition(topic, i.partition()));
            }
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            long total = 0;
            for (TopicPartition tp : parts) {
                total += end.get(tp) - c.beginningOffsets(List.of(tp)).get(tp);
            }
            long records = 0;
            long bytes = 0;
            long first = 0;
            long last = 0;
            while (records < total) {
                ConsumerRecords<byte[], byte[]> polled = c.poll(Duration.ofSeconds(5));
                if (polled.isEmpty()) {
                    if (parts.stream().allMatch(tp -> c.position(tp) >= end.get(tp))) {
                        break;
                    }
                    continue;
                }
                if (first == 0) {
                    first = System.nanoTime();
                }
                for (ConsumerRecord<byte[], byte[]> rec : polled) {
                    each.accept(rec);
                    bytes += rec.serializedValueSize() + Math.max(0, rec.serializedKeySize());
                    records++;
                }
                last = System.nanoTime();
            }
            return new Read(records, bytes, Math.max(1, last - first) / 1e9);
        }
    }

    /** Examples per second of {@link ModelTrainer#train} over batches already in memory. */
    static double inMemory(TrainingConfig config, List<TrainingExample> kept) {
        int b = config.batchSize();
        List<Batch> batches = new ArrayList<>();
        for (int i = 0; i + b <= kept.size(); i += b) {
            batches.add(Batch.of("bench", i / b, kept.subList(i, i + b)));
        }
        if (batches.isEmpty()) {
            throw new IllegalStateException("fewer than one batch of events in the topic");
        }
        ModelTrainer trainer = ModelTrainer.create("bench", config);
        // Warm-up: JIT compilation and ND4J's first allocations are start-up, not throughput.
        for (int i = 0; i < 50; i++) {
            trainer.train(batches.get(i % batches.size()));
        }
        long examples = 0;
        long start = System.nanoTime();
        int i = 0;
        while (i < batches.size() || (System.nanoTime() - start) / 1e9 < IN_MEMORY_MIN_SECONDS) {
            trainer.train(batches.get(i % batches.size()));
            examples += b;
            i++;
        }
        return examples / ((System.nanoTime() - start) / 1e9);
    }

    /** τ_f and τ_d of the workload's model, from step times at {@link #STEP_SIZES}. */
    static StepTimeFit stepTimes(TrainingConfig config, List<TrainingExample> kept) {
        List<StepTimer.Point> points =
                StepTimer.measure(
                        ModelTrainer.create("bench", config),
                        BatchSampler.withReplacement(kept, 7),
                        STEP_SIZES,
                        20,
                        40);
        double[] b = points.stream().mapToDouble(StepTimer.Point::batchSize).toArray();
        double[] t = points.stream().mapToDouble(StepTimer.Point::medianSeconds).toArray();
        return StepTimeFit.fit(b, t);
    }

    /** The benchmarks' {@code --name value} pairs, keyed by name without the dashes. */
    static Map<String, String> arguments(String[] args) {
        Map<String, String> a = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        return a;
    }

    static String required(Map<String, String> a, String name) {
        String v = a.get(name);
        if (v == null) {
            throw new IllegalArgumentException("missing --" + name);
        }
        return v;
    }

    static void log(String format, Object... args) {
        System.err.printf("bench: " + format + "%n", args);
    }

    /** The machine the numbers were measured on. */
    static final class Machine {
        static String describe() throws IOException {
            String cpu;
            try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
                cpu =
                        lines.filter(l -> l.startsWith("model name"))
                                .findFirst()
                                .map(l -> l.substring(l.indexOf(':') + 1).trim())
                                .orElse("unknown CPU");
            }
            return String.format(
                    "%d cores (%s), %s, Java %s, OMP_NUM_THREADS=%s",
                    Runtime.getRuntime().availableProcessors(),
                    cpu,
                    memTotal(),
                    System.getProperty("java.version"),
                    System.getenv().getOrDefault("OMP_NUM_THREADS", "unset"));
        }

        static String loadAverage() throws IOException {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        }

        private static String memTotal() throws IOException {
            try (Stream<String> lines = Files.lines(Path.of("/proc/meminfo"))) {
                return lines.filter(l -> l.startsWith("MemTotal"))
                        .findFirst()
                        .map(
                                l ->
                                        Long.parseLong(l.replaceAll("\\D", "")) / 1024 / 1024
                                                + " GiB RAM")
                        .orElse("? RAM");
            }
        }
    }

    /**
     * GET a Flink REST path; null when the job (or the MiniCluster) is not there (yet, or any
     * more).
     */
    static JsonNode rest(HttpClient http, int port, String path) {
        try {
            HttpResponse<String> res =
                    http.send(
                            HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                                    .timeout(Duration.ofSeconds(2))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            return res.statusCode() == 200 ? JSON.readTree(res.body()) : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
