package io.streamgrad.bench;

import com.fasterxml.jackson.databind.JsonNode;
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
        s.append(
                "| workload | events | streamgrad e2e (ev/s) | start-up (s) | raw consumer (rec/s)"
                        + " | consumer + decode (rec/s) | in-memory trainer (ex/s) | in-memory,"
                        + " one cold pass (ex/s) |\n");
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
                (name, r) -> {
                    double e2e = r.path("streamgrad_per_second").asDouble();
                    return String.format(
                            "| %s | %.3f | %.3f | %.3f | %.3f | %s |%n",
                            name,
                            e2e / r.path("raw_per_second").asDouble(),
                            e2e / r.path("decode_per_second").asDouble(),
                            e2e / r.path("in_memory_per_second").asDouble(),
                            e2e / r.path("cold_pass_per_second").asDouble(),
                            target(name));
                });
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
        return s.toString();
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
