package io.streamgrad.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * What another JDK and the launcher's start-up archive do to a bounded run (README "Start-up"): the
 * throughput benchmark's end-to-end {@code train --bounded} of each workload, each run a child that
 * {@link TrainChild} watches, in rounds that alternate three arms (the order reversed every other
 * round, so that over an even number of rounds a machine that drifts favours neither end arm; the
 * middle arm keeps its place):
 *
 * <ol>
 *   <li>{@code default}: the JDK the benchmark runs on (the launcher's {@code JAVA_HOME} or {@code
 *       java} on the PATH), with the launcher's class-data archive;
 *   <li>{@code jdk}: the JDK given with {@code --jdk}, with no archive ({@code STREAMGRAD_CDS=0});
 *   <li>{@code jdk+archive}: that JDK with the launcher's archive, which from JDK 25 on is an AOT
 *       cache with the JIT's method profiles.
 * </ol>
 *
 * <p>Before the rounds, one bounded logistic run per arm with an archive records it, in a directory
 * of the arm's own ({@code STREAMGRAD_CDS_DIR}); the time until the archive is in place (the
 * command, and the next launch, which takes a JDK 17 archive) is reported apart. Prints, per
 * workload and arm, the median rate from the first record to the last update, start-up and wall
 * time, each arm's rate as a ratio to the {@code default} arm's of the same round (median, lowest,
 * highest), and whether every run of a workload trained the same model (its checksum).
 *
 * <p>Arguments: {@code --bootstrap-servers S --launcher PATH --out DIR --jdk JAVA_HOME --workloads
 * logistic,softmax,mlp --rounds N}; the workloads read the throughput benchmark's topics.
 *
 * @throws IllegalStateException (from {@code main}) when a recording run leaves no archive, or a
 *     run fails
 */
public final class JdkBench {
    private static final ObjectMapper JSON = new ObjectMapper();

    private JdkBench() {}

    /** One way of running the launcher: its environment on top of the benchmark's. */
    record Arm(String name, Map<String, String> env) {}

    public static void main(String[] args) throws Exception {
        Map<String, String> a = ThroughputBench.arguments(args);
        String servers = ThroughputBench.required(a, "bootstrap-servers");
        Path launcher = Path.of(ThroughputBench.required(a, "launcher"));
        Path out = Path.of(ThroughputBench.required(a, "out"));
        Path jdk = Path.of(ThroughputBench.required(a, "jdk")).toAbsolutePath();
        int rounds = Integer.parseInt(ThroughputBench.required(a, "rounds"));
        List<String> workloads = Arrays.asList(ThroughputBench.required(a, "workloads").split(","));
        if (!Files.isExecutable(jdk.resolve("bin/java"))) {
            throw new IllegalArgumentException("--jdk " + jdk + " has no bin/java");
        }
        Path defaultDir = Files.createDirectories(out.resolve("archive-default"));
        Path jdkDir = Files.createDirectories(out.resolve("archive-jdk"));
        List<Arm> arms =
                List.of(
                        new Arm(
                                "default",
                                Map.of(
                                        "STREAMGRAD_CDS",
                                        "1",
                                        "STREAMGRAD_CDS_DIR",
                                        defaultDir.toString())),
                        new Arm("jdk", Map.of("JAVA_HOME", jdk.toString(), "STREAMGRAD_CDS", "0")),
                        new Arm(
                                "jdk+archive",
                                Map.of(
                                        "JAVA_HOME",
                                        jdk.toString(),
                                        "STREAMGRAD_CDS",
                                        "1",
                                        "STREAMGRAD_CDS_DIR",
                                        jdkDir.toString())));
        ObjectNode report = JSON.createObjectNode();
        report.put("machine", ThroughputBench.Machine.describe());
        report.put("jdk", jdk.toString());
        report.put("default_java_home", System.getenv().getOrDefault("JAVA_HOME", "(PATH)"));
        report.put("load_before", ThroughputBench.Machine.loadAverage());

        // Each archive is recorded once, by a bounded logistic run, as a user's first one would.
        ObjectNode recording = report.putObject("recording_wall_seconds");
        for (Arm arm : List.of(arms.get(0), arms.get(2))) {
            Path dir = Path.of(arm.env().get("STREAMGRAD_CDS_DIR"));
            ThroughputBench.Workload w = renamed("logistic", "record-" + safe(arm.name()));
            long start = System.nanoTime();
            TrainChild.run(w, servers, launcher, out, arm.env());
            // Before JDK 25 the next launch takes the archive that run wrote (README "Start-up").
            version(launcher, arm.env(), out.resolve("record-" + safe(arm.name()) + "-next.log"));
            double seconds = (System.nanoTime() - start) / 1e9;
            List<String> archives = archives(dir);
            if (archives.isEmpty()) {
                throw new IllegalStateException(
                        "the " + arm.name() + " arm's recording run left no archive in " + dir);
            }
            recording.put(arm.name(), seconds);
            report.putArray("archive_" + safe(arm.name())).add(String.join(" ", archives));
        }

        // runs.get(workload).get(arm): one result per round.
        Map<String, Map<String, List<ObjectNode>>> runs = new LinkedHashMap<>();
        for (int round = 1; round <= rounds; round++) {
            for (String workload : workloads) {
                List<Arm> order = new ArrayList<>(arms);
                if (round % 2 == 0) {
                    Collections.reverse(order);
                }
                for (Arm arm : order) {
                    String name = workload + "-" + safe(arm.name()) + "-" + round;
                    ThroughputBench.log("%s: load %s", name, ThroughputBench.Machine.loadAverage());
                    ObjectNode r =
                            TrainChild.run(
                                    renamed(workload, name), servers, launcher, out, arm.env());
                    JsonNode summary = JSON.readTree(out.resolve(name + "-summary.json").toFile());
                    r.put("model_checksum", summary.path("model_checksum").asText());
                    r.put("round", round);
                    runs.computeIfAbsent(workload, k -> new LinkedHashMap<>())
                            .computeIfAbsent(arm.name(), k -> new ArrayList<>())
                            .add(r);
                }
            }
        }
        report.put("load_after", ThroughputBench.Machine.loadAverage());

        StringBuilder table = new StringBuilder();
        table.append("machine: ").append(report.get("machine").asText()).append("\n");
        table.append("default: JAVA_HOME=")
                .append(report.get("default_java_home").asText())
                .append("; --jdk ")
                .append(jdk)
                .append("; ")
                .append(rounds)
                .append(" rounds, load ")
                .append(report.get("load_before").asText())
                .append(" → ")
                .append(report.get("load_after").asText())
                .append("\n");
        table.append(
                "recording run (a bounded logistic train until its archive is in place, JVM start,"
                        + " exit and the next launch's --version included): ");
        recording
                .properties()
                .forEach(
                        e ->
                                table.append(
                                        String.format(
                                                "%s %.1f s; ",
                                                e.getKey(), e.getValue().asDouble())));
        table.append(
                "\n\n| workload | arm | events/s, median (low–high) | × default, median"
                        + " (low–high) | start-up (s), median | wall (s), median | same model |\n");
        table.append("|---|---|---:|---:|---:|---:|---|\n");
        ArrayNode rows = report.putArray("rows");
        for (var byWorkload : runs.entrySet()) {
            List<ObjectNode> reference = byWorkload.getValue().get("default");
            long checksums =
                    byWorkload.getValue().values().stream()
                            .flatMap(List::stream)
                            .map(r -> r.get("model_checksum").asText())
                            .distinct()
                            .count();
            for (var byArm : byWorkload.getValue().entrySet()) {
                List<ObjectNode> rs = byArm.getValue();
                double[] rates = values(rs, "streamgrad_per_second");
                double[] ratios = new double[rs.size()];
                for (int i = 0; i < rs.size(); i++) {
                    ratios[i] = rates[i] / reference.get(i).get("streamgrad_per_second").asDouble();
                }
                ObjectNode row = rows.addObject();
                row.put("workload", byWorkload.getKey());
                row.put("arm", byArm.getKey());
                row.put("median_per_second", median(rates));
                row.put("median_ratio_to_default", median(ratios));
                row.put("median_startup_seconds", median(values(rs, "startup_seconds")));
                row.put("median_wall_seconds", median(values(rs, "wall_seconds")));
                row.set("runs", JSON.valueToTree(rs));
                table.append(
                        String.format(
                                "| %s | %s | %,.0f (%,.0f–%,.0f) | %.2f (%.2f–%.2f) | %.1f | %.1f"
                                        + " | %s |%n",
                                byWorkload.getKey(),
                                byArm.getKey(),
                                median(rates),
                                Arrays.stream(rates).min().orElse(Double.NaN),
                                Arrays.stream(rates).max().orElse(Double.NaN),
                                median(ratios),
                                Arrays.stream(ratios).min().orElse(Double.NaN),
                                Arrays.stream(ratios).max().orElse(Double.NaN),
                                row.get("median_startup_seconds").asDouble(),
                                row.get("median_wall_seconds").asDouble(),
                                checksums == 1 ? "yes" : "NO (" + checksums + " checksums)"));
            }
        }
        Files.writeString(out.resolve("jdk.md"), table.toString());
        JSON.writerWithDefaultPrettyPrinter().writeValue(out.resolve("jdk.json").toFile(), report);
        System.out.print(table);
    }

    /** The benchmark's workload under another name (the name its files are written under). */
    private static ThroughputBench.Workload renamed(String workload, String name) {
        ThroughputBench.Workload w = ThroughputBench.WORKLOADS.get(workload);
        if (w == null) {
            throw new IllegalArgumentException(
                    "unknown workload " + workload + ": use " + ThroughputBench.WORKLOADS.keySet());
        }
        return new ThroughputBench.Workload(name, w.topic(), w.modelFlags());
    }

    /** Runs {@code launcher --version} with {@code env}; output to {@code log}. */
    private static void version(Path launcher, Map<String, String> env, Path log)
            throws IOException, InterruptedException {
        ProcessBuilder pb =
                new ProcessBuilder(launcher.toString(), "--version")
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile());
        pb.environment().putAll(env);
        int exit = pb.start().waitFor();
        if (exit != 0) {
            throw new IllegalStateException(
                    launcher + " --version exited with " + exit + " (see " + log + ")");
        }
    }

    private static String safe(String arm) {
        return arm.replace('+', '-');
    }

    /** The launcher's archives in {@code dir}: {@code streamgrad-*.jsa} or {@code .aot}. */
    private static List<String> archives(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.matches("streamgrad-\\d+\\.(jsa|aot)"))
                    .sorted()
                    .toList();
        }
    }

    private static double[] values(List<ObjectNode> runs, String field) {
        return runs.stream().mapToDouble(r -> r.path(field).asDouble(Double.NaN)).toArray();
    }

    /** {@link ThroughputBench#median}: the lower middle value for an even count. */
    private static double median(double[] values) {
        return ThroughputBench.median(Arrays.stream(values).boxed().toList());
    }
}
