package io.streamgrad.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/** The benchmark's report as Markdown tables: rates, ratios against the references, costs. */
final class BenchTable {
    private BenchTable() {}

    static String render(JsonNode report) {
        StringBuilder s = new StringBuilder();
        s.append("Machine: ").append(report.path("machine").asText()).append('\n');
        s.append("Load average (1/5/15 min) before: ")
                .append(report.path("load_before").asText())
                .append(", after: ")
                .append(report.path("load_after").asText())
                .append("\n\n");
        int runs = 1;
        for (JsonNode w : report.path("workloads")) {
            runs = Math.max(runs, w.path("e2e_runs").size());
        }
        if (runs > 1) {
            s.append(
                    String.format(
                            "streamgrad e2e, the raw consumer and the in-memory trainer (a fresh"
                                + " JVM each: one cold pass, then warm): medians of %d runs each,"
                                + " alternating; each ratio gives in brackets the lowest and"
                                + " highest of a single run against the reference measured just"
                                + " before it.%n%n",
                            runs));
        }
        s.append(
                "| workload | events | streamgrad e2e (ev/s) | start-up (s) | raw consumer, fresh"
                    + " JVM (rec/s) | consumer + decode (rec/s) | in-memory trainer, warm (ex/s) |"
                    + " in-memory, one cold pass (ex/s) |\n");
        s.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        rows(
                s,
                report,
                (name, r) ->
                        String.format(
                                "| %s | %,d | %,.0f | %.1f | %,.0f | %,.0f | %,.0f | %,.0f |%n",
                                name,
                                r.path("events").asLong(),
                                r.path("streamgrad_per_second").asDouble(),
                                r.path("startup_seconds").asDouble(),
                                r.path("raw_per_second").asDouble(),
                                r.path("decode_per_second").asDouble(),
                                r.path("in_memory_per_second").asDouble(),
                                r.path("cold_pass_per_second").asDouble()));
        s.append(
                "\n| workload | e2e / raw | e2e / decode | e2e / in-memory | e2e / cold pass |"
                        + " issue 9 target |\n");
        s.append("|---|---:|---:|---:|---:|---|\n");
        rows(
                s,
                report,
                (name, r) ->
                        String.format(
                                "| %s | %s | %s | %s | %s | %s |%n",
                                name,
                                ratio(r, r.path("raw_runs")),
                                ratio(r, r.path("decode_per_second")),
                                ratio(r, r.path("in_memory_runs")),
                                ratio(r, r.path("cold_pass_runs")),
                                target(name)));
        s.append(
                String.format(
                        "%nWarm: the same run with --epochs %d --no-full-pass-loss, every epoch"
                                + " read from Kafka again; the last epoch's rate (from the epoch"
                                + " before's last update to its own), the JIT's warm-up behind"
                                + " it, against the warm in-memory trainer and the raw consumer"
                                + "%s.%n%n",
                        ThroughputBench.WARM_EPOCHS,
                        runs > 1
                                ? " (medians; in brackets single warm runs, each against the"
                                        + " in-memory run of the same number, measured before the"
                                        + " one-pass runs, and against the raw consumer's median)"
                                : ""));
        s.append(
                "| workload | e2e per epoch (ex/s) | last epoch (ex/s) | last epoch / in-memory |"
                        + " last epoch / raw | issue 9 target |\n");
        s.append("|---|---|---:|---:|---:|---|\n");
        rows(s, report, BenchTable::warmRow);
        s.append(
                "\n| workload | τ_f (µs) | τ_d (µs/example) | R² | peak RSS (MiB) | checkpoints |"
                        + " largest (MiB) | duration avg / max (ms) | state dir peak (MiB) |\n");
        s.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        rows(
                s,
                report,
                (name, r) ->
                        String.format(
                                "| %s | %.1f | %.3f | %.3f | %,.0f | %s | %s | %s | %.1f |%n",
                                name,
                                r.path("tau_f_seconds").asDouble() * 1e6,
                                r.path("tau_d_seconds").asDouble() * 1e6,
                                r.path("step_fit_r_squared").asDouble(),
                                r.path("peak_rss_bytes").asDouble() / (1 << 20),
                                r.has("checkpoints_completed")
                                        ? Long.toString(r.path("checkpoints_completed").asLong())
                                        : "n/a",
                                r.has("checkpoints_completed")
                                        ? String.format(
                                                "%.1f",
                                                r.path("checkpoint_size_max_bytes").asDouble()
                                                        / (1 << 20))
                                        : "n/a",
                                r.has("checkpoints_completed")
                                        ? String.format(
                                                "%.0f / %d",
                                                r.path("checkpoint_duration_avg_ms").asDouble(),
                                                r.path("checkpoint_duration_max_ms").asLong())
                                        : "n/a",
                                r.path("state_dir_peak_bytes").asDouble() / (1 << 20)));
        s.append(
                "\nCPU seconds used during the run's rate span (its first record to its last"
                        + " update), by the train JVM's threads and by the broker; cores busy is"
                        + " their sum over the span; CPU per event is their sum over the events the"
                        + " span read (rate × span; for the 3-epoch rows, per example trained,"
                        + " three per event), the JIT's warm-up included (a fixed cost, which a"
                        + " longer run spreads thinner).\n\n");
        s.append(
                "| workload | span (s) | task thread | fetcher | JIT compilers | GC + VM thread |"
                        + " other JVM threads | broker | cores busy | CPU per event (µs) |\n");
        s.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        rows(s, report, BenchTable::cpuRow);
        rows(
                s,
                report,
                (name, r) ->
                        r.has("warm")
                                ? cpuRow(
                                        name + ", " + ThroughputBench.WARM_EPOCHS + " epochs",
                                        r.path("warm"))
                                : "");
        return s.toString();
    }

    /** A workload's CPU by role in the rate's span; n/a where the run did not record it. */
    static String cpuRow(String name, JsonNode r) {
        JsonNode c = r.path("cpu_seconds_in_span");
        double span = r.path("rate_span_seconds").asDouble(Double.NaN);
        if (c.isMissingNode() || !(span > 0)) {
            return String.format(
                    "| %s | n/a | n/a | n/a | n/a | n/a | n/a | n/a | n/a | n/a |%n", name);
        }
        StringBuilder line = new StringBuilder(String.format("| %s | %.1f |", name, span));
        double total = 0;
        for (ThreadCpu.Role role : ThreadCpu.Role.values()) {
            double v = c.path(role.key).asDouble();
            total += v;
            line.append(String.format(" %.1f |", v));
        }
        double events = r.path("streamgrad_per_second").asDouble(Double.NaN) * span;
        return line.append(String.format(" %.2f | %.1f |%n", total / span, 1e6 * total / events))
                .toString();
    }

    /** A workload's warm runs; n/a where the report has none. */
    static String warmRow(String name, JsonNode r) {
        JsonNode w = r.path("warm");
        if (w.isMissingNode()) {
            return String.format("| %s | n/a | n/a | n/a | n/a | %s |%n", name, target(name));
        }
        List<String> epochs = new ArrayList<>();
        w.path("epoch_per_second").forEach(v -> epochs.add(String.format("%,.0f", v.asDouble())));
        JsonNode runs = w.path("last_epoch_runs");
        double last = w.path("last_epoch_per_second").asDouble();
        return String.format(
                "| %s | %s | %,.0f | %s | %s | %s |%n",
                name,
                String.join(", ", epochs),
                last,
                ratio(runs, last, r.path("in_memory_runs")),
                ratio(runs, last, ThroughputBench.median(values(r.path("raw_runs")))),
                target(name));
    }

    /**
     * The median end-to-end rate over a reference, and with several runs the lowest and highest
     * ratio of a single run ({@code 0.267 (0.241–0.301)}); a reference measured once per run (the
     * raw consumer's {@code raw_runs}) pairs each run with its own.
     */
    static String ratio(JsonNode r, JsonNode reference) {
        return ratio(r.path("e2e_runs"), r.path("streamgrad_per_second").asDouble(), reference);
    }

    /** As above for any runs and their median, against one reference value. */
    static String ratio(JsonNode runs, double median, double reference) {
        return ratio(runs, median, DoubleNode.valueOf(reference));
    }

    private static String ratio(JsonNode runs, double median, JsonNode reference) {
        double ref =
                reference.isArray()
                        ? ThroughputBench.median(values(reference))
                        : reference.asDouble();
        if (runs.size() < 2) {
            return String.format("%.3f", median / ref);
        }
        double low = Double.MAX_VALUE;
        double high = 0;
        for (int i = 0; i < runs.size(); i++) {
            double q =
                    runs.get(i).asDouble()
                            / (reference.isArray() ? reference.get(i).asDouble() : ref);
            low = Math.min(low, q);
            high = Math.max(high, q);
        }
        return String.format("%.3f (%.3f–%.3f)", median / ref, low, high);
    }

    private static List<Double> values(JsonNode array) {
        List<Double> out = new ArrayList<>();
        array.forEach(v -> out.add(v.asDouble()));
        return out;
    }

    /** One line per workload, in the order they ran. */
    private static void rows(
            StringBuilder s, JsonNode report, BiFunction<String, JsonNode, String> line) {
        report.path("workloads")
                .fields()
                .forEachRemaining(e -> s.append(line.apply(e.getKey(), e.getValue())));
    }

    private static String target(String workload) {
        return switch (workload) {
            case "logistic" -> "e2e/raw ≥ 0.5; τ_f ≤ 50 µs";
            case "mlp" -> "e2e/in-memory ≥ 0.8";
            case "softmax" -> "e2e/in-memory ≥ 0.7";
            default -> "";
        };
    }
}
