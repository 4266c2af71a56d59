package io.streamgrad.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One {@code ./streamgrad train --bounded} run of a workload as a child process, watched from
 * outside: its peak resident memory (the kernel's {@code VmHWM}, read from /proc/PID/status while
 * it runs, since it is gone once the process has exited), the Flink checkpoint statistics of its
 * job (the MiniCluster's REST API, polled; the last answer before the job ended is kept) and the
 * largest size its state directory reached (a finished bounded run's checkpoints are gone at the
 * end), from its GC log the largest heap occupancy left after a collection (what the run holds,
 * which resident memory shows only through what the collector chose to commit), and the CPU its
 * threads and the broker used during the rate's span ({@link ThreadCpu}).
 */
final class TrainChild {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long POLL_MS = 250;
    private static final long REST_EVERY_MS = 1_000;

    private TrainChild() {}

    static ObjectNode run(ThroughputBench.Workload w, String servers, Path launcher, Path out)
            throws Exception {
        return run(w, servers, launcher, out, Map.of());
    }

    /**
     * @param env environment of the child on top of this process's (e.g. {@code
     *     STREAMGRAD_HEAP=768m}); a GC log flag is appended to its {@code STREAMGRAD_JAVA_OPTS}
     */
    static ObjectNode run(
            ThroughputBench.Workload w,
            String servers,
            Path launcher,
            Path out,
            Map<String, String> env)
            throws Exception {
        int port = freePort();
        Path summary = out.resolve(w.name() + "-summary.json");
        Path state = out.resolve("state-" + w.name());
        Path log = out.resolve(w.name() + "-train.log");
        Path gcLog = out.resolve(w.name() + "-gc.log");
        Files.deleteIfExists(summary);
        Files.deleteIfExists(gcLog);
        List<String> cmd = new ArrayList<>();
        cmd.add(launcher.toString());
        cmd.addAll(
                List.of(
                        "train",
                        "--bounded",
                        "--bootstrap-servers",
                        servers,
                        "--events-topic",
                        w.topic(),
                        "--group-id",
                        "bench-" + w.name() + "-" + System.currentTimeMillis(),
                        "--state-dir",
                        state.toString(),
                        "--start-over",
                        "--web-ui-port",
                        Integer.toString(port),
                        "--summary-json",
                        summary.toString()));
        cmd.addAll(w.modelFlags());
        ThroughputBench.log("%s: %s", w.name(), String.join(" ", cmd));
        ProcessBuilder builder =
                new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(env);
        builder.environment()
                .merge("STREAMGRAD_JAVA_OPTS", "-Xlog:gc:file=" + gcLog, (a, b) -> a + " " + b);
        Process p = builder.start();
        // If the benchmark is stopped (Ctrl-C, SIGTERM from the script), so is its child.
        Thread stopChild = new Thread(p::destroy);
        Runtime.getRuntime().addShutdownHook(stopChild);
        HttpClient http = HttpClient.newHttpClient();
        ThreadCpu cpu = new ThreadCpu(p.pid(), brokerPidFile());
        long hwmKb = 0;
        long stateBytes = 0;
        JsonNode checkpoints = null;
        long nextRest = 0;
        try {
            while (p.isAlive()) {
                hwmKb = Math.max(hwmKb, vmHwmKb(p.pid()));
                cpu.sample();
                long now = System.currentTimeMillis();
                if (now >= nextRest) {
                    nextRest = now + REST_EVERY_MS;
                    stateBytes = Math.max(stateBytes, sizeOf(state));
                    JsonNode c = checkpointsOfRunningJob(http, port);
                    if (c != null) {
                        checkpoints = c;
                    }
                }
                Thread.sleep(POLL_MS);
            }
        } finally {
            // Only the child this benchmark started, and only if the benchmark itself is stopped.
            if (p.isAlive()) {
                p.destroy();
            }
        }
        Runtime.getRuntime().removeShutdownHook(stopChild);
        if (p.exitValue() != 0 || !Files.exists(summary)) {
            throw new IllegalStateException(
                    "train exited with "
                            + p.exitValue()
                            + " for "
                            + w.name()
                            + " (see "
                            + log
                            + ")");
        }
        JsonNode s = JSON.readTree(summary.toFile());
        ObjectNode r = JSON.createObjectNode();
        r.put("streamgrad_per_second", s.get("events_per_second").asDouble());
        r.put("startup_seconds", s.path("startup_seconds").asDouble(Double.NaN));
        r.put("rate_span_seconds", s.path("rate_span_seconds").asDouble(Double.NaN));
        r.put("wall_seconds", s.get("wall_seconds").asDouble());
        r.set("epoch_per_second", s.path("epoch_events_per_second").deepCopy());
        r.put("examples_trained", s.get("examples_trained").asLong());
        r.put("mean_step_seconds", s.path("mean_step_seconds").asDouble(Double.NaN));
        r.put("peak_rss_bytes", hwmKb * 1024);
        r.put("state_dir_peak_bytes", stateBytes);
        JsonNode from = s.path("first_record_at_ms");
        JsonNode to = s.path("last_update_at_ms");
        double[] inSpan =
                from.isIntegralNumber() && to.isIntegralNumber()
                        ? cpu.within(from.asLong(), to.asLong())
                        : null;
        if (inSpan != null) {
            ObjectNode c = r.putObject("cpu_seconds_in_span");
            for (ThreadCpu.Role role : ThreadCpu.Role.values()) {
                c.put(role.key, inSpan[role.ordinal()]);
            }
        }
        GcLog gc = GcLog.read(gcLog);
        r.put("heap_after_gc_max_bytes", gc.afterMaxBytes());
        r.put("heap_committed_max_bytes", gc.committedMaxBytes());
        r.put("gc_pauses", gc.pauses());
        if (checkpoints != null) {
            JsonNode sum = checkpoints.path("summary");
            r.put("checkpoints_completed", checkpoints.path("counts").path("completed").asLong());
            r.put("checkpoint_size_max_bytes", sum.path("checkpointed_size").path("max").asLong());
            r.put(
                    "checkpoint_duration_avg_ms",
                    sum.path("end_to_end_duration").path("avg").asDouble());
            r.put(
                    "checkpoint_duration_max_ms",
                    sum.path("end_to_end_duration").path("max").asLong());
        }
        return r;
    }

    /**
     * A unified JVM log of {@code -Xlog:gc}: per pause a line ending {@code
     * BEFORE->AFTER(COMMITTED) TIME}, sizes with a unit (K, M, G). Zeros when the log is missing.
     *
     * @param afterMaxBytes the largest heap occupancy right after a collection, bytes
     * @param committedMaxBytes the largest committed heap, bytes
     * @param pauses the number of pauses logged
     */
    record GcLog(long afterMaxBytes, long committedMaxBytes, int pauses) {
        private static final Pattern PAUSE =
                Pattern.compile(
                        "GC\\(\\d+\\) Pause .* (\\d+)([KMG])->(\\d+)([KMG])\\((\\d+)([KMG])\\)"
                                + " [\\d.]+ms$");

        static GcLog read(Path log) throws IOException {
            if (!Files.exists(log)) {
                return new GcLog(0, 0, 0);
            }
            try (Stream<String> lines = Files.lines(log)) {
                return parse(lines.toList());
            }
        }

        static GcLog parse(List<String> lines) {
            long after = 0;
            long committed = 0;
            int pauses = 0;
            for (String line : lines) {
                Matcher m = PAUSE.matcher(line);
                if (m.find()) {
                    pauses++;
                    after = Math.max(after, bytes(m.group(3), m.group(4)));
                    committed = Math.max(committed, bytes(m.group(5), m.group(6)));
                }
            }
            return new GcLog(after, committed, pauses);
        }

        private static long bytes(String n, String unit) {
            int shift =
                    switch (unit) {
                        case "K" -> 10;
                        case "M" -> 20;
                        default -> 30;
                    };
            return Long.parseLong(n) << shift;
        }
    }

    /**
     * The broker's pid file as {@code deploy/local/kafka.sh} writes it under {@code
     * STREAMGRAD_LOCAL_DIR} (scripts/bench-throughput.sh sets it); null when it is not set.
     */
    private static Path brokerPidFile() {
        String dir = System.getenv("STREAMGRAD_LOCAL_DIR");
        return dir == null ? null : Path.of(dir, "pid", "kafka.pid");
    }

    /** The checkpoint statistics of the (one) job of the MiniCluster at {@code port}, or null. */
    private static JsonNode checkpointsOfRunningJob(HttpClient http, int port) {
        JsonNode jobs = ThroughputBench.rest(http, port, "/jobs/overview");
        if (jobs == null
                || jobs.path("jobs").isEmpty()
                || !"RUNNING".equals(jobs.path("jobs").get(0).path("state").asText())) {
            // An initializing job answers the checkpoint request with an error logged in full.
            return null;
        }
        String jid = jobs.path("jobs").get(0).path("jid").asText();
        JsonNode c = ThroughputBench.rest(http, port, "/jobs/" + jid + "/checkpoints");
        return c != null && c.has("summary") ? c : null;
    }

    /**
     * The peak resident set size of a live process, kilobytes ({@code VmHWM} of /proc/PID/status);
     * 0 once it has exited (or before the line is there).
     */
    static long vmHwmKb(long pid) {
        try (Stream<String> lines = Files.lines(Path.of("/proc/" + pid + "/status"))) {
            return lines.filter(l -> l.startsWith("VmHWM:"))
                    .findFirst()
                    .map(l -> Long.parseLong(l.replaceAll("\\D", "")))
                    .orElse(0L);
        } catch (IOException | java.io.UncheckedIOException e) {
            return 0;
        }
    }

    /** Bytes of the files under {@code dir}; files that vanish while it is walked count 0. */
    static long sizeOf(Path dir) {
        if (!Files.exists(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile)
                    .mapToLong(
                            f -> {
                                try {
                                    return Files.size(f);
                                } catch (IOException e) {
                                    return 0;
                                }
                            })
                    .sum();
        } catch (IOException | java.io.UncheckedIOException e) {
            return 0; // a checkpoint directory deleted while walking: next poll
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
