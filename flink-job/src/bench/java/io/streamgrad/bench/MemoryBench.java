package io.streamgrad.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Whether a bounded run's memory depends on the stream's length (issue 9, item 3): {@code train
 * --bounded} over topics of different lengths, with 1 and 3 epochs, each a child process watched by
 * {@link TrainChild} (peak resident memory, checkpoint size and duration; the JSON also has the GC
 * log's largest heap after a collection), with the launcher's heap or another ({@code
 * STREAMGRAD_HEAP}). Prints a table with the ratio of each run's peak resident memory to that of
 * the shortest topic with the same epochs and heap, measured in the same run.
 *
 * <p>Arguments: {@code --bootstrap-servers S --launcher PATH --out DIR --cases
 * EVENTS:EPOCHS[:HEAP],...}; each case reads topic {@code bench.mem.EVENTS} (the script produces
 * them: logistic regression data, 100 features).
 */
public final class MemoryBench {
    private static final ObjectMapper JSON = new ObjectMapper();

    private MemoryBench() {}

    record Case(long events, int epochs, String heap) {
        String name() {
            return "mem-" + events + "-e" + epochs + (heap.isEmpty() ? "" : "-" + heap);
        }
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = ThroughputBench.arguments(args);
        String servers = ThroughputBench.required(a, "bootstrap-servers");
        Path launcher = Path.of(ThroughputBench.required(a, "launcher"));
        Path out = Path.of(ThroughputBench.required(a, "out"));
        List<Case> cases = new ArrayList<>();
        for (String c : ThroughputBench.required(a, "cases").split(",")) {
            String[] f = c.split(":");
            cases.add(
                    new Case(
                            Long.parseLong(f[0]),
                            Integer.parseInt(f[1]),
                            f.length > 2 ? f[2] : ""));
        }
        ArrayNode rows = JSON.createArrayNode();
        // Keyed by epochs and heap: the runs a longer run is compared with.
        Map<String, Case> shortest = new HashMap<>();
        StringBuilder table = new StringBuilder();
        table.append("machine: ").append(ThroughputBench.Machine.describe()).append("\n\n");
        table.append(
                "| events | epochs | heap | peak RSS (MiB) | × shortest | events/s | wall (s) |"
                        + " checkpoints | largest (KiB) | mean duration (ms) |\n");
        table.append("|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|\n");
        Map<Case, ObjectNode> results = new HashMap<>();
        // A case alone in its group (epochs and heap) has nothing to be compared with.
        Map<String, Long> groupSizes = new HashMap<>();
        cases.forEach(c -> groupSizes.merge(c.epochs() + "/" + c.heap(), 1L, Long::sum));
        for (Case c : cases) {
            // The throughput benchmark's logistic workload, over this case's topic and epochs.
            List<String> flags =
                    new ArrayList<>(ThroughputBench.WORKLOADS.get("logistic").modelFlags());
            flags.addAll(List.of("--epochs", Integer.toString(c.epochs())));
            ThroughputBench.Workload w =
                    new ThroughputBench.Workload(c.name(), "bench.mem." + c.events(), flags);
            Map<String, String> env =
                    c.heap().isEmpty() ? Map.of() : Map.of("STREAMGRAD_HEAP", c.heap());
            ThroughputBench.log("%s: load %s", c.name(), ThroughputBench.Machine.loadAverage());
            ObjectNode r = TrainChild.run(w, servers, launcher, out, env);
            r.put("case", c.name());
            r.put("events", c.events());
            r.put("epochs", c.epochs());
            r.put("heap", c.heap());
            results.put(c, r);
            String group = c.epochs() + "/" + c.heap();
            shortest.merge(group, c, (x, y) -> x.events() <= y.events() ? x : y);
            ObjectNode base = results.get(shortest.get(group));
            double rssRatio =
                    (double) r.get("peak_rss_bytes").asLong() / base.get("peak_rss_bytes").asLong();
            r.put("rss_ratio_to_shortest", rssRatio);
            rows.add(r);
            table.append(
                    String.format(
                            "| %,d | %d | %s | %,.0f | %s | %,.0f | %.1f | %d | %,.0f | %,.0f"
                                    + " |%n",
                            c.events(),
                            c.epochs(),
                            c.heap().isEmpty() ? "launcher's" : c.heap(),
                            r.get("peak_rss_bytes").asLong() / 1048576.0,
                            groupSizes.get(group) > 1 ? String.format("%.2f", rssRatio) : "-",
                            r.get("streamgrad_per_second").asDouble(),
                            r.get("wall_seconds").asDouble(),
                            r.path("checkpoints_completed").asLong(),
                            r.path("checkpoint_size_max_bytes").asLong() / 1024.0,
                            r.path("checkpoint_duration_avg_ms").asDouble(Double.NaN)));
        }
        Files.writeString(out.resolve("memory.md"), table.toString());
        JSON.writerWithDefaultPrettyPrinter().writeValue(out.resolve("memory.json").toFile(), rows);
        System.out.print(table);
    }
}
