package io.streamgrad.run;

import io.streamgrad.job.Accumulators;
import io.streamgrad.job.BacktestConfig;
import io.streamgrad.job.JobConfig;
import io.streamgrad.job.TrainingJob;
import io.streamgrad.kafka.Topic;
import io.streamgrad.kafka.TopicAdmin;
import io.streamgrad.schema.ModelSnapshot;
import io.streamgrad.schema.TrainingMetric;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
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

    /**
     * The local job was cancelled: the thread running it was interrupted, or the JVM is going down
     * (Ctrl-C, SIGTERM), in which case the shutdown hook has said so already ({@link #announced}).
     */
    public static final class JobCancelledException extends RuntimeException {
        private final boolean announced;

        JobCancelledException(String runId, boolean announced) {
            super("run " + runId + " cancelled");
            this.announced = announced;
        }

        /** Whether the cancellation was printed already: the JVM may halt before a caller can. */
        public boolean announced() {
            return announced;
        }
    }

    /**
     * What a finished run produced; the accumulators include {@link
     * Accumulators#JOB_SUBMITTED_MILLIS}.
     *
     * @param metrics the run's metrics, read from {@code outputStart} on
     * @param snapshots the run's snapshots, read from {@code outputStart} on
     * @param outputStart where the run's outputs begin (the dead letters too)
     */
    public record Outcome(
            Map<String, Object> accumulators,
            List<TrainingMetric> metrics,
            List<ModelSnapshot> snapshots,
            OutputStart outputStart,
            double wallSeconds) {}

    /** What a caller sees of a local run while it runs. */
    public interface Observer {
        /**
         * The job is about to be submitted (its topics exist): what must see the job's first output
         * starts here.
         */
        default void submitting(JobConfig job) {}

        /** The job was submitted to the MiniCluster, whose web UI is at this address. */
        void started(JobConfig job, String webUiUrl);

        /** The job ended, however it ended. */
        void ended();
    }

    /**
     * Where a local run keeps its checkpoints.
     *
     * @param checkpoints the directory Flink checkpoints to
     * @param restoreFrom a completed checkpoint to resume from
     * @param temporary delete the checkpoints when the run ends (the demo's)
     * @param outputStart where the run's outputs begin, from which its outcome is read; empty: the
     *     output topics' ends just before the job is submitted
     */
    public record LocalState(
            Path checkpoints,
            Optional<Path> restoreFrom,
            boolean temporary,
            Optional<OutputStart> outputStart) {
        /** A fresh temporary directory, deleted when the run ends. */
        public static LocalState inTemporaryDirectory() throws IOException {
            return new LocalState(
                    Files.createTempDirectory("streamgrad-checkpoints-"),
                    Optional.empty(),
                    true,
                    Optional.empty());
        }

        /** The same, with the outputs read from {@code start}. */
        public LocalState withOutputStart(OutputStart start) {
            return new LocalState(checkpoints, restoreFrom, temporary, Optional.of(start));
        }
    }

    /** As {@link #runLocally(JobConfig, LocalState, int, Observer)}, with temporary state. */
    public static Outcome runLocally(JobConfig c, int webUiPort, Observer observer)
            throws Exception {
        return runLocally(c, LocalState.inTemporaryDirectory(), webUiPort, observer);
    }

    /** Creates the output topics, runs the job in a local MiniCluster, and reads its output. */
    public static Outcome runLocally(
            JobConfig c, LocalState state, int webUiPort, Observer observer) throws Exception {
        return runLocally(c, state, webUiPort, observer, env -> TrainingJob.build(env, c));
    }

    /**
     * A backtest in a local MiniCluster with temporary checkpoints (a stopped backtest is run
     * again: its range is fixed); its output as for training.
     */
    public static Outcome runLocally(BacktestConfig b, Observer observer) throws Exception {
        return runLocally(
                b.job(),
                LocalState.inTemporaryDirectory(),
                0,
                observer,
                env -> TrainingJob.build(env, b));
    }

    private static Outcome runLocally(
            JobConfig c,
            LocalState state,
            int webUiPort,
            Observer observer,
            Consumer<StreamExecutionEnvironment> dataflow)
            throws Exception {
        OutputStart outputs;
        try (TopicAdmin admin = new TopicAdmin(c.kafka())) {
            ensureOutputs(admin, c.topics());
            outputs = state.outputStart().orElseGet(() -> OutputStart.now(admin, c.topics()));
        }
        Map<String, String> settings = TrainingJob.settings(c);
        int port = webUiPort > 0 ? webUiPort : freePort();
        settings.put("rest.bind-address", "localhost");
        settings.put("rest.address", "localhost");
        // In-process, a lost slot never comes back: fail in seconds rather than the default 5 min.
        settings.put("slot.request.timeout", "20 s");
        // Window buffers and the pass kept for epochs outgrow the JobManager's 5 MB in-memory
        // checkpoint limit: checkpoint to a local directory, kept when the process stops or dies
        // (unless temporary), so that the next run resumes from it.
        Path checkpoints = state.checkpoints();
        Files.createDirectories(checkpoints);
        settings.put("execution.checkpointing.storage", "filesystem");
        settings.put("execution.checkpointing.dir", checkpoints.toUri().toString());
        settings.put(
                "execution.checkpointing.externalized-checkpoint-retention",
                "RETAIN_ON_CANCELLATION");
        // Older checkpoints to fall back on if the newest is damaged (see TrainRun).
        settings.put("execution.checkpointing.num-retained", "3");
        state.restoreFrom()
                .ifPresent(
                        p -> settings.put("execution.state-recovery.path", p.toUri().toString()));
        observer.submitting(c);
        long start = System.nanoTime();
        long submittedMillis = System.currentTimeMillis();
        JobExecutionResult result;
        JobClient job;
        for (int attempt = 1; ; attempt++) {
            settings.put("rest.port", Integer.toString(port));
            StreamExecutionEnvironment env =
                    StreamExecutionEnvironment.createLocalEnvironment(
                            Configuration.fromMap(settings));
            env.setParallelism(c.parallelism());
            dataflow.accept(env);
            try {
                job = env.executeAsync("streamgrad train " + c.runId());
                break;
            } catch (Exception e) {
                // A port found free can be taken (by any outgoing connection) before the
                // MiniCluster binds it: a port chosen here is chosen again; one the user chose is
                // theirs to free.
                if (webUiPort > 0 || attempt == BIND_ATTEMPTS || !causedByBindFailure(e)) {
                    if (state.temporary()) {
                        deleteRecursively(checkpoints);
                    }
                    throw e;
                }
                port = freePort();
            }
        }
        AtomicBoolean stopping = new AtomicBoolean();
        Thread cancelOnExit =
                cancelOnExit(
                        job,
                        stopping,
                        state.temporary()
                                ? String.format("streamgrad: run %s cancelled", c.runId())
                                : String.format(
                                        "streamgrad: run %s cancelled; its metrics and snapshots"
                                                + " are on %s and %s, its checkpoints in %s",
                                        c.runId(),
                                        c.topics().metrics(),
                                        c.topics().snapshots(),
                                        checkpoints));
        try {
            Runtime.getRuntime().addShutdownHook(cancelOnExit);
        } catch (IllegalStateException e) {
            // A signal came while the job was being submitted: the JVM is going down already.
            cancelOnExit.run();
            throw new JobCancelledException(c.runId(), true);
        }
        observer.started(c, "http://localhost:" + port);
        ClassDataArchive.jobStarted();
        try {
            try {
                result = job.getJobExecutionResult().get();
            } catch (InterruptedException e) {
                // A live job runs until cancelled: interrupting the caller cancels it.
                job.cancel().get(CANCEL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                Thread.currentThread().interrupt();
                throw new JobCancelledException(c.runId(), false);
            } catch (ExecutionException e) {
                if (stopping.get()) {
                    throw new JobCancelledException(c.runId(), true);
                }
                throw e.getCause() instanceof Exception cause ? cause : e;
            }
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(cancelOnExit);
            } catch (IllegalStateException e) {
                // The JVM is going down: the hook is running.
            }
            observer.ended();
            if (state.temporary()) {
                deleteRecursively(checkpoints);
            }
        }
        double wall = (System.nanoTime() - start) / 1e9;
        Map<String, Object> accumulators = new HashMap<>(result.getAllAccumulatorResults());
        accumulators.put(Accumulators.JOB_SUBMITTED_MILLIS, submittedMillis);
        return new Outcome(
                accumulators,
                TopicReader.readAllWritten(
                        c.kafka(),
                        c.topics().metrics(),
                        outputs.metrics(),
                        TrainingMetric.class,
                        m -> c.runId().equals(m.getRunId()),
                        TopicReader::sayOnStandardError),
                TopicReader.readAllWritten(
                        c.kafka(),
                        c.topics().snapshots(),
                        outputs.snapshots(),
                        ModelSnapshot.class,
                        s -> c.runId().equals(s.getRunId()),
                        TopicReader::sayOnStandardError),
                outputs,
                wall);
    }

    /** How long a JVM going down waits for its job's cancellation, in all. */
    static final long EXIT_CANCEL_TIMEOUT_SECONDS = 10;

    /**
     * A shutdown hook that cancels a running local job and waits for it to end, at most {@link
     * #EXIT_CANCEL_TIMEOUT_SECONDS}. A signal (Ctrl-C, SIGTERM) ends the JVM through its shutdown
     * hooks; without this one the job's tasks stopped where they were, and each transactional sink
     * left its transaction open, holding every read_committed reader of its shared output topic
     * (other runs' summaries, {@code snapshots list}) until Kafka aborted it after its transaction
     * timeout, 1 to 15 min. Cancelled, the sinks close and abort their current transactions (one
     * precommitted at a checkpoint and not yet committed stays open: a run resumed from that
     * checkpoint commits it). The checkpoints stay (retained on cancellation), so the run resumes
     * from the last one.
     *
     * @param stopping set when the hook starts: the run ended because the JVM is going down
     * @param cancelled printed on standard output once the job is cancelled (the JVM halts when its
     *     hooks end, often before the thread that ran the job can say anything); if it could not
     *     be, the hook says so and why on standard error
     */
    static Thread cancelOnExit(JobClient job, AtomicBoolean stopping, String cancelled) {
        return new Thread(
                () -> {
                    stopping.set(true);
                    long deadline =
                            System.nanoTime()
                                    + TimeUnit.SECONDS.toNanos(EXIT_CANCEL_TIMEOUT_SECONDS);
                    String couldNot =
                            "streamgrad: could not cancel the job before exit (%s); a transaction"
                                    + " it left open holds read_committed readers of its topics"
                                    + " until Kafka aborts it%n";
                    try {
                        job.cancel().get(EXIT_CANCEL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                    } catch (ExecutionException e) {
                        return; // it had ended: nothing to cancel
                    } catch (Exception e) {
                        System.err.printf(couldNot, e);
                        return;
                    }
                    try {
                        job.getJobExecutionResult()
                                .get(
                                        Math.max(0, deadline - System.nanoTime()),
                                        TimeUnit.NANOSECONDS);
                        // A result: it ended by itself before the cancel took.
                    } catch (ExecutionException e) {
                        System.out.println(cancelled); // ended cancelled: its result is an error
                    } catch (Exception e) {
                        System.err.printf(couldNot, e);
                    }
                },
                "streamgrad-cancel-on-exit");
    }

    /**
     * Before a job starts: its output topics made where missing ({@link #ensureOutputTopics}), and
     * a warning on standard error when its snapshots topic deletes by retention ({@link
     * #snapshotsTopicWarning}).
     */
    static void ensureOutputs(TopicAdmin admin, JobConfig.Topics topics) {
        ensureOutputTopics(admin, topics);
        admin.cleanupPolicy(topics.snapshots())
                .flatMap(policy -> snapshotsTopicWarning(policy, topics.snapshots()))
                .ifPresent(TopicReader::sayOnStandardError);
    }

    /** Creates the job's metrics, snapshots and dead-letter topics where they do not exist. */
    static void ensureOutputTopics(TopicAdmin admin, JobConfig.Topics topics) {
        admin.ensureTopic(Topic.METRICS, topics.metrics(), 1);
        admin.ensureTopic(Topic.SNAPSHOTS, topics.snapshots(), 1);
        admin.ensureTopic(Topic.DEAD_LETTER, topics.deadLetter(), 1);
    }

    /**
     * A warning when the snapshots topic, made before by someone else (a topic streamgrad creates
     * is compacted only), deletes by retention ({@code delete} or {@code compact,delete}): the
     * broker would delete a model's last snapshot with the old ones, where compaction alone keeps
     * each key's newest.
     */
    static java.util.Optional<String> snapshotsTopicWarning(String cleanupPolicy, String topic) {
        if (!cleanupPolicy.contains("delete")) {
            // compact: each key's newest is kept; "" (no cleanup): everything is
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(
                String.format(
                        "warning: snapshots topic %s deletes by retention (cleanup.policy=%s): the"
                                + " broker will delete snapshots older than its retention, each"
                                + " model's last one too; make it compacted only (kafka-configs.sh"
                                + " --alter --entity-type topics --entity-name %s --add-config"
                                + " cleanup.policy=compact) or give another --snapshots-topic",
                        topic, cleanupPolicy, topic));
    }

    static void deleteRecursively(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Web UI ports a run tries when it chooses them itself. */
    static final int BIND_ATTEMPTS = 3;

    static boolean causedByBindFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.BindException) {
                return true;
            }
        }
        return false;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
