package io.streamgrad.cli;

import io.streamgrad.job.JobConfig;
import io.streamgrad.job.TrainingJob;
import io.streamgrad.kafka.TopicAdmin;
import io.streamgrad.schema.ModelSnapshot;
import io.streamgrad.schema.TrainingMetric;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Runs the training job and gathers what it did: the accumulators of the run, and the metrics and
 * snapshots it wrote to Kafka (read back, filtered by run id).
 */
public final class JobRunner {
    private static final long CANCEL_TIMEOUT_SECONDS = 30;

    private JobRunner() {}

    /** The local job was cancelled because the thread running it was interrupted. */
    public static final class JobCancelledException extends RuntimeException {
        JobCancelledException(String runId) {
            super("run " + runId + " cancelled");
        }
    }

    /** What a finished run produced. */
    public record Outcome(
            Map<String, Object> accumulators,
            List<TrainingMetric> metrics,
            List<ModelSnapshot> snapshots,
            double wallSeconds) {}

    /** Flink settings every streamgrad job runs with, locally or on a cluster. */
    static Map<String, String> jobSettings(JobConfig c) {
        Map<String, String> m = new HashMap<>();
        // Records cross operators as POJOs and Avro records; anything else is a bug, not Kryo.
        m.put("pipeline.generic-types", "false");
        // A failing job surfaces in seconds instead of restarting forever.
        m.put("restart-strategy.type", "fixed-delay");
        m.put("restart-strategy.fixed-delay.attempts", "3");
        m.put("restart-strategy.fixed-delay.delay", "2 s");
        m.put("execution.checkpointing.interval", c.checkpointIntervalMs() + " ms");
        return m;
    }

    /** Creates the output topics, runs the job in a local MiniCluster, and reads its output. */
    public static Outcome runLocally(JobConfig c, int webUiPort, PrintStream out) throws Exception {
        try (TopicAdmin admin = new TopicAdmin(c.bootstrapServers())) {
            admin.ensureTopic(c.topics().metrics(), 1, TopicAdmin.Retention.BROKER_DEFAULT);
            admin.ensureTopic(c.topics().snapshots(), 1, TopicAdmin.Retention.COMPACTED);
            admin.ensureTopic(c.topics().deadLetter(), 1, TopicAdmin.Retention.BROKER_DEFAULT);
        }
        Map<String, String> settings = jobSettings(c);
        int port = webUiPort > 0 ? webUiPort : freePort();
        settings.put("rest.port", Integer.toString(port));
        settings.put("rest.bind-address", "localhost");
        settings.put("rest.address", "localhost");
        // In-process, a lost slot never comes back: fail in seconds rather than the default 5 min.
        settings.put("slot.request.timeout", "20 s");
        // Window buffers and the pass kept for epochs outgrow the JobManager's 5 MB in-memory
        // checkpoint limit: checkpoint to a local directory, removed when the run ends.
        Path checkpoints = Files.createTempDirectory("streamgrad-checkpoints-");
        settings.put("execution.checkpointing.storage", "filesystem");
        settings.put("execution.checkpointing.dir", checkpoints.toUri().toString());
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironment(Configuration.fromMap(settings));
        env.setParallelism(c.parallelism());
        TrainingJob.build(env, c);
        out.printf("  Flink MiniCluster web UI: http://localhost:%d%n", port);

        long start = System.nanoTime();
        JobExecutionResult result;
        try (ProgressReporter progress =
                new ProgressReporter(c.bootstrapServers(), c.topics().metrics(), c.runId(), out)) {
            JobClient job = env.executeAsync("streamgrad train " + c.runId());
            try {
                result = job.getJobExecutionResult().get();
            } catch (InterruptedException e) {
                // A live job runs until cancelled: interrupting the caller cancels it.
                job.cancel().get(CANCEL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                Thread.currentThread().interrupt();
                throw new JobCancelledException(c.runId());
            } catch (ExecutionException e) {
                throw e.getCause() instanceof Exception cause ? cause : e;
            }
        } finally {
            deleteRecursively(checkpoints);
        }
        double wall = (System.nanoTime() - start) / 1e9;
        return new Outcome(
                result.getAllAccumulatorResults(),
                TopicReader.readAll(
                        c.bootstrapServers(),
                        c.topics().metrics(),
                        TrainingMetric.class,
                        m -> c.runId().equals(m.getRunId())),
                TopicReader.readAll(
                        c.bootstrapServers(),
                        c.topics().snapshots(),
                        ModelSnapshot.class,
                        s -> c.runId().equals(s.getRunId())),
                wall);
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
