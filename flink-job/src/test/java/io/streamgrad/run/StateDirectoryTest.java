package io.streamgrad.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamgrad.config.InvalidSettingException;
import io.streamgrad.job.JobConfig;
import io.streamgrad.kafka.KafkaClientConfig;
import io.streamgrad.model.Activation;
import io.streamgrad.model.ModelSpec;
import io.streamgrad.model.OptimizerSpec;
import io.streamgrad.train.Batching;
import io.streamgrad.train.ShuffleMode;
import io.streamgrad.train.TrainingConfig;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateDirectoryTest {
    private static final String CLUSTER = "MkU3OEVBNTcwNTJENDM2Qk";

    private static JobConfig job(ShuffleMode shuffle) {
        return job(shuffle, JobConfig.Topics.DEFAULT);
    }

    private static JobConfig job(ShuffleMode shuffle, JobConfig.Topics topics) {
        TrainingConfig training =
                new TrainingConfig(
                        ModelSpec.parse("logistic", 4, 0, Activation.RELU),
                        new OptimizerSpec("sgd", 0.1),
                        Batching.defaults().withShuffle(shuffle),
                        7,
                        1_000,
                        0.05);
        return new JobConfig(
                KafkaClientConfig.plain("localhost:9092"),
                topics,
                "g",
                "run-1",
                true,
                true,
                1,
                1_000,
                training);
    }

    @Test
    void aRunWrittenBeforeShuffleModesKeptItsPassAndResumesOnlyAsSuch(@TempDir Path dir)
            throws Exception {
        StateDirectory state = StateDirectory.at(dir);
        state.begin(job(ShuffleMode.PASS), OutputStart.BEGINNING, CLUSTER);
        // A run.json written before the setting existed.
        editRunFile(
                dir, stored -> assertEquals("pass", stored.remove("training.batching.shuffle")));

        InvalidSettingException e =
                assertThrows(
                        InvalidSettingException.class,
                        () -> state.open(job(ShuffleMode.BLOCKS), CLUSTER, null));
        assertTrue(
                e.getMessage().contains("training.batching.shuffle was pass, now blocks"),
                e.getMessage());
        assertEquals("run-1", state.open(job(ShuffleMode.PASS), CLUSTER, null).runId());
    }

    @Test
    void aChangedBlockSizeStopsOnlyARunThatReadsBlocks(@TempDir Path dir) throws Exception {
        // Runs recorded with 512-offset blocks, resumed with 8,192 (auto for 4 features).
        StateDirectory window = StateDirectory.at(dir.resolve("window"));
        window.begin(job(ShuffleMode.WINDOW), OutputStart.BEGINNING, CLUSTER);
        editRunFile(
                dir.resolve("window"),
                stored -> stored.put("training.batching.block_offsets", "512"));
        assertEquals(
                "run-1",
                window.open(job(ShuffleMode.WINDOW), CLUSTER, null).runId(),
                "blocks unused");

        StateDirectory blocks = StateDirectory.at(dir.resolve("blocks"));
        blocks.begin(job(ShuffleMode.BLOCKS), OutputStart.BEGINNING, CLUSTER);
        editRunFile(
                dir.resolve("blocks"),
                stored -> stored.put("training.batching.block_offsets", "512"));
        InvalidSettingException e =
                assertThrows(
                        InvalidSettingException.class,
                        () -> blocks.open(job(ShuffleMode.BLOCKS), CLUSTER, null));
        assertTrue(
                e.getMessage().contains("training.batching.block_offsets was 512, now 8192"),
                e.getMessage());
        // The flag and value that resume, and why auto may have moved.
        assertTrue(e.getMessage().contains("resume (shuffle-block 512)"), e.getMessage());
        assertTrue(e.getMessage().contains("up to 8,192 offsets since Dec 1 2026"), e.getMessage());
    }

    @Test
    void whereTheRunsOutputsBeganIsKeptUntilItCompletes(@TempDir Path dir) {
        StateDirectory state = StateDirectory.at(dir);
        assertEquals(
                OutputStart.BEGINNING,
                state.open(job(ShuffleMode.BLOCKS), CLUSTER, null).outputStart());
        OutputStart start = new OutputStart(Map.of(0, 12L, 3, 7L), Map.of(0, 4L), Map.of());
        state.begin(job(ShuffleMode.BLOCKS), start, CLUSTER);
        assertEquals(start, state.open(job(ShuffleMode.BLOCKS), CLUSTER, null).outputStart());
        state.complete(job(ShuffleMode.BLOCKS));
        StateDirectory.Found found = state.open(job(ShuffleMode.BLOCKS), CLUSTER, null);
        assertTrue(found.completed());
        assertEquals(start, found.outputStart());
        assertEquals(JobConfig.Topics.DEFAULT.events(), found.eventsTopic());
        // Done is what matters then, whatever the settings: nothing is left to resume with them.
        // The topic it trained is the stored one, not the new run's.
        JobConfig.Topics other = new JobConfig.Topics("other", "m", "s", "d");
        StateDirectory.Found again = state.open(job(ShuffleMode.WINDOW, other), CLUSTER, null);
        assertTrue(again.completed());
        assertEquals(JobConfig.Topics.DEFAULT.events(), again.eventsTopic());
        assertEquals(
                "other",
                StateDirectory.at(dir.resolve("new"))
                        .open(job(ShuffleMode.WINDOW, other), CLUSTER, null)
                        .eventsTopic());
    }

    @Test
    void aDamagedOutputStartIsRefusedNamingTheFile(@TempDir Path dir) throws Exception {
        StateDirectory state = StateDirectory.at(dir);
        state.begin(job(ShuffleMode.BLOCKS), OutputStart.BEGINNING, CLUSTER);
        editRunFile(dir, stored -> stored.put("outputs_from.metrics", "0=12,1"));
        InvalidSettingException e =
                assertThrows(
                        InvalidSettingException.class,
                        () -> state.open(job(ShuffleMode.BLOCKS), CLUSTER, null));
        assertTrue(
                e.getMessage().contains("run.json outputs_from.metrics has '0=12,1'"),
                e.getMessage());
    }

    @Test
    void aRunOnAnotherKafkaClusterIsRefusedNamingBothClusters(@TempDir Path dir) throws Exception {
        StateDirectory state = StateDirectory.at(dir);
        state.begin(job(ShuffleMode.BLOCKS), OutputStart.BEGINNING, CLUSTER);
        state.complete(job(ShuffleMode.BLOCKS));
        // Another broker at the same address: its offsets are another log's.
        InvalidSettingException e =
                assertThrows(
                        InvalidSettingException.class,
                        () -> state.open(job(ShuffleMode.BLOCKS), "another-cluster", null));
        String m = e.getMessage();
        assertTrue(m.contains("holds run run-1 of group g"), m);
        assertTrue(m.contains("another Kafka cluster (id " + CLUSTER + ", reached at"), m);
        assertTrue(m.contains("localhost:9092 is cluster another-cluster"), m);
        assertTrue(m.contains("start-over trains afresh here"), m);
        // The same cluster, whatever its address now; and a cluster not known, unchecked.
        JobConfig elsewhere =
                new JobConfig(
                        KafkaClientConfig.plain("broker-1.example:9093"),
                        JobConfig.Topics.DEFAULT,
                        "g",
                        "run-1",
                        true,
                        true,
                        1,
                        1_000,
                        job(ShuffleMode.BLOCKS).training());
        assertTrue(state.open(elsewhere, CLUSTER, null).completed());
        assertTrue(state.open(job(ShuffleMode.BLOCKS), null, null).completed());
        // A run.json written before clusters were recorded is not refused either.
        editRunFile(dir, stored -> assertEquals(CLUSTER, stored.remove("kafka.cluster_id")));
        assertTrue(state.open(job(ShuffleMode.BLOCKS), "another-cluster", null).completed());
    }

    @Test
    void aRunOnAnEventsTopicMadeAgainIsRefusedOnlyWhenItHasSomethingToResume(@TempDir Path dir)
            throws Exception {
        StateDirectory state = StateDirectory.at(dir);
        JobConfig c = job(ShuffleMode.BLOCKS);
        state.begin(c, OutputStart.BEGINNING, CLUSTER, "old-topic-id", null);
        // Neither a checkpoint nor an end: the run starts afresh anyway, on the topic as it is.
        assertEquals("run-1", state.open(c, CLUSTER, "new-topic-id").runId());
        state.complete(c);
        // Kept by complete(); the same topic, or an unknown id, is not refused.
        assertTrue(state.open(c, CLUSTER, "old-topic-id").completed());
        assertTrue(state.open(c, CLUSTER, null).completed());
        InvalidSettingException e =
                assertThrows(InvalidSettingException.class, () -> state.open(c, CLUSTER, "new"));
        String m = e.getMessage();
        // Not "already trained": the topic made again is other data.
        assertTrue(
                m.contains(
                        "holds run run-1 of group g, which read streamgrad.events before it was"
                                + " deleted and made again (topic id old-topic-id, now new)"),
                m);
        assertTrue(m.contains("start-over trains afresh on the topic as it is now"), m);
        // A begin that knows no id keeps the one recorded; one that does records it.
        state.begin(c, OutputStart.BEGINNING, CLUSTER);
        state.complete(c);
        assertThrows(InvalidSettingException.class, () -> state.open(c, CLUSTER, "new"));
        state.begin(c, OutputStart.BEGINNING, CLUSTER, "new", null);
        assertEquals(false, state.open(c, CLUSTER, "new").completed());
        // A run.json written before topic ids were recorded is not refused.
        editRunFile(dir, stored -> assertEquals("new", stored.remove("kafka.events_topic_id")));
        state.complete(c);
        assertTrue(state.open(c, CLUSTER, "another").completed());
    }

    /** A run with the given batching, snapshot interval and learning rate, live or bounded. */
    private static JobConfig run(
            boolean bounded,
            long idleTimeoutMs,
            long outOfOrdernessMs,
            int snapshotEvery,
            double learningRate) {
        Batching b = Batching.defaults();
        b =
                new Batching(
                        b.batchSize(),
                        b.fullBatch(),
                        b.window(),
                        outOfOrdernessMs,
                        idleTimeoutMs,
                        b.latePolicy(),
                        b.epochs(),
                        b.fullBatchLimit(),
                        b.fullPassLoss(),
                        b.shuffle(),
                        b.blockOffsets(),
                        b.groupBlocks());
        TrainingConfig training =
                new TrainingConfig(
                        ModelSpec.parse("logistic", 4, 0, Activation.RELU),
                        new OptimizerSpec("sgd", learningRate),
                        b,
                        7,
                        snapshotEvery,
                        0.05);
        return new JobConfig(
                KafkaClientConfig.plain("localhost:9092"),
                JobConfig.Topics.DEFAULT,
                "g",
                "run-1",
                bounded,
                true,
                1,
                1_000,
                training);
    }

    @Test
    void aResumeMayChangeWhatOnlyShapesTheOutputsAndALiveRunsTimingButNotTheModel(@TempDir Path dir)
            throws Exception {
        StateDirectory live = StateDirectory.at(dir.resolve("live"));
        live.begin(run(false, 60_000, 5_000, 100, 0.1), OutputStart.BEGINNING, CLUSTER);
        assertEquals("run-1", live.open(run(false, 5_000, 1_000, 50, 0.1), CLUSTER, null).runId());
        InvalidSettingException lr =
                assertThrows(
                        InvalidSettingException.class,
                        () -> live.open(run(false, 60_000, 5_000, 100, 0.2), CLUSTER, null));
        String m = lr.getMessage();
        assertTrue(m.contains("training.optimizer.learning_rate was 0.1, now 0.2"), m);
        assertTrue(m.contains("or another group-id (and state-dir, if given)"), m);
        assertTrue(m.contains("add warm-start run:run-1 there (its last snapshot"), m);
        // A live run recorded with a bounded-only setting (as builds before Dec 2 2026 let it)
        // resumes without it.
        editRunFile(
                dir.resolve("live"),
                stored -> stored.put("training.batching.full_pass_loss", "false"));
        assertEquals(
                "run-1", live.open(run(false, 60_000, 5_000, 100, 0.1), CLUSTER, null).runId());

        // A bounded replay's batches are a function of data and seed: its out-of-orderness is
        // kept; the idle timeout, which it does not use, is not.
        StateDirectory bounded = StateDirectory.at(dir.resolve("bounded"));
        bounded.begin(run(true, 60_000, 5_000, 100, 0.1), OutputStart.BEGINNING, CLUSTER);
        assertEquals("run-1", bounded.open(run(true, 0, 5_000, 50, 0.1), CLUSTER, null).runId());
        InvalidSettingException late =
                assertThrows(
                        InvalidSettingException.class,
                        () -> bounded.open(run(true, 60_000, 1_000, 100, 0.1), CLUSTER, null));
        assertTrue(
                late.getMessage()
                        .contains("training.batching.max_out_of_orderness_ms was 5000, now 1000"),
                late.getMessage());
    }

    @Test
    void aLiveRunAndAReplayDoNotResumeEachOtherAndTheRefusalSaysSo(@TempDir Path dir) {
        StateDirectory live = StateDirectory.at(dir.resolve("live"));
        live.begin(run(false, 60_000, 5_000, 100, 0.1), OutputStart.BEGINNING, CLUSTER);
        String m =
                assertThrows(
                                InvalidSettingException.class,
                                () -> live.open(run(true, 60_000, 5_000, 100, 0.1), CLUSTER, null))
                        .getMessage();
        assertTrue(m.contains("holds an unfinished live run (run-1) of group g"), m);
        assertTrue(m.contains("and this run is bounded"), m);
        assertTrue(m.contains("Run it without bounded to resume it"), m);
        assertTrue(m.contains("with warm-start run:run-1 to go on from its model"), m);
        // Not a setting that "was pass" before settings were recorded: the switch is named.
        assertTrue(!m.contains("was pass"), m);

        StateDirectory bounded = StateDirectory.at(dir.resolve("bounded"));
        bounded.begin(run(true, 60_000, 5_000, 100, 0.1), OutputStart.BEGINNING, CLUSTER);
        String b =
                assertThrows(
                                InvalidSettingException.class,
                                () ->
                                        bounded.open(
                                                run(false, 60_000, 5_000, 100, 0.1), CLUSTER, null))
                        .getMessage();
        assertTrue(b.contains("holds an unfinished bounded run"), b);
        assertTrue(b.contains("Run it with bounded to resume it"), b);
        // A finished replay's directory has nothing to resume: it is not this refusal.
        bounded.complete(run(true, 60_000, 5_000, 100, 0.1));
        assertTrue(bounded.open(run(false, 60_000, 5_000, 100, 0.1), CLUSTER, null).completed());
    }

    /** Rewrites the state directory's run.json as {@code edit} changes it. */
    private static void editRunFile(Path dir, Consumer<Map<String, String>> edit) throws Exception {
        ObjectMapper json = new ObjectMapper();
        Map<String, String> stored =
                json.readValue(
                        dir.resolve("run.json").toFile(),
                        new TypeReference<Map<String, String>>() {});
        edit.accept(stored);
        json.writeValue(dir.resolve("run.json").toFile(), stored);
    }
}
