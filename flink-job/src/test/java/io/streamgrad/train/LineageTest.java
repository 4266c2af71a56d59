package io.streamgrad.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamgrad.batch.Batch;
import io.streamgrad.batch.TrainingExample;
import io.streamgrad.config.InvalidSettingException;
import io.streamgrad.model.Activation;
import io.streamgrad.model.ModelSpec;
import io.streamgrad.model.OptimizerSpec;
import io.streamgrad.model.Standardization;
import io.streamgrad.schema.AvroSerde;
import io.streamgrad.schema.Lineage;
import io.streamgrad.schema.ModelSnapshot;
import io.streamgrad.schema.OffsetRange;
import io.streamgrad.schema.Tensors;
import io.streamgrad.window.WindowSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The offsets a model trained, its parent snapshot, and warm starts from a snapshot. */
class LineageTest {
    private static final AvroSerde<ModelSnapshot> SERDE = AvroSerde.of(ModelSnapshot.class);

    /** Examples {@code from..from+n-1} of the synthetic stream, round-robin over two partitions. */
    private static List<TrainingExample> onKafka(List<TrainingExample> all, int from, int n) {
        List<TrainingExample> out = new ArrayList<>();
        for (int i = from; i < from + n; i++) {
            out.add(all.get(i).at(i % 2, i / 2));
        }
        return out;
    }

    private static TrainingConfig config(WindowSpec window, int epochs) {
        Batching b = TestData.batching(32, window, epochs);
        return new TrainingConfig(
                TestData.logistic().withStandardization(Standardization.ON),
                new OptimizerSpec("adam", 0.01),
                new Batching(
                        b.batchSize(),
                        b.fullBatch(),
                        b.window(),
                        b.maxOutOfOrdernessMs(),
                        2_000,
                        b.latePolicy(),
                        b.epochs(),
                        b.fullBatchLimit(),
                        b.fullPassLoss(),
                        io.streamgrad.train.ShuffleMode.WINDOW,
                        io.streamgrad.train.Batching.AUTO_BLOCK_OFFSETS,
                        io.streamgrad.train.Batching.DEFAULT_GROUP_BLOCKS),
                7,
                5,
                0.05);
    }

    private static ModelSnapshot snapshot(ModelTrainer t, String run) {
        return SERDE.deserialize(SERDE.serialize(Snapshots.of(t, run, 1L, Map.of(), "events")));
    }

    private static List<OffsetRange> ranges(ModelSnapshot s, boolean inherited) {
        Lineage l = s.getLineage();
        return inherited ? l.getInheritedOffsets() : l.getTrainedOffsets();
    }

    @Test
    void rangesWidenPerPartitionAndMergeAcrossRunsOnlyWhenContiguous() {
        OffsetRanges r =
                OffsetRanges.NONE.including(new int[] {1, 0, 1, -1}, new long[] {7, 3, 5, 99});
        assertArrayEquals(new int[] {0, 1}, r.partitions());
        assertArrayEquals(new long[] {3, 5}, r.first());
        assertArrayEquals(new long[] {3, 7}, r.last());
        assertArrayEquals(new long[] {1, 2}, r.examples(), "the row not from Kafka is not counted");
        OffsetRanges later =
                OffsetRanges.NONE.including(new int[] {0, 1}, new long[] {4, 10}); // 1: a gap
        OffsetRanges all = r.followedBy(later);
        assertEquals("[0:3..4 (2), 1:5..7 (2), 1:10..10 (1)]", all.toString());
        assertEquals(Map.of(0, 5L, 1, 11L), all.nextOffsets());
    }

    /**
     * Two epochs over bounded input: the lineage names each partition's first and last offset once,
     * with the examples drawn from it (each epoch counts again), and the snapshot carries it.
     */
    @Test
    void aBoundedRunRecordsTheOffsetsOfItsFirstPass() {
        List<TrainingExample> data = onKafka(TestData.binary(300, 4), 0, 300);
        TrainingConfig c = config(new WindowSpec.Count(2), 2);
        ModelTrainer t = OfflineReplay.replay("m", c, data, OfflineReplay.ignoring());
        ModelSnapshot s = snapshot(t, "r1");
        assertEquals(
                List.of(new OffsetRange(0, 0L, 149L, 300L), new OffsetRange(1, 0L, 149L, 300L)),
                ranges(s, false));
        assertEquals(List.of(), ranges(s, true));
        assertTrue(s.getLineage().getOffsetsComplete());
        assertEquals("events", s.getLineage().getSourceTopic());
        assertFalse(s.getLineage().getBackend().isBlank());
        assertFalse(s.getLineage().getDevice().isBlank());
        assertEquals("r1", s.getLineage().getParentRunId(), "snapshots every 5 iterations");
        assertEquals(t.lastSnapshotVersion(), s.getLineage().getParentVersion());
    }

    @Test
    void theFirstSnapshotOfAFreshModelHasNoParentAndTheNextHasThePrevious() {
        TrainingConfig c = config(new WindowSpec.Count(1), 1);
        ModelTrainer t = ModelTrainer.create("m", c);
        List<TrainingExample> data = onKafka(TestData.binary(64, 4), 0, 64);
        t.train(Batch.of("m", 0, data.subList(0, 32)));
        ModelSnapshot first = snapshot(t, "r");
        assertNull(first.getLineage().getParentRunId());
        assertNull(first.getLineage().getParentVersion());
        t.markSnapshot();
        t.train(Batch.of("m", 1, data.subList(32, 64)));
        ModelSnapshot second = snapshot(t, "r");
        assertEquals("r", second.getLineage().getParentRunId());
        assertEquals(1L, second.getLineage().getParentVersion());
    }

    /**
     * A warm start continues exactly where the snapshot stopped: the same batch trained by the
     * original trainer and by one started from its snapshot gives the same parameters, bit for bit
     * (parameters, optimizer state, feature statistics and iteration, which the schedule and Adam's
     * bias correction depend on, all carried over).
     */
    @Test
    void aWarmStartContinuesTheSnapshotsModelBitForBit() {
        TrainingConfig c = config(new WindowSpec.Count(1), 1);
        List<TrainingExample> data = onKafka(TestData.binary(32 * 8, 5), 0, 32 * 8);
        ModelTrainer original = ModelTrainer.create("m", c);
        for (int i = 0; i < 6; i++) {
            original.train(Batch.of("m", i, data.subList(i * 32, i * 32 + 32)));
        }
        ModelSnapshot s = snapshot(original, "r0");
        ModelTrainer warm = ModelTrainer.restore("m", c, WarmStart.of(s).state(c, 0));
        assertEquals(6, warm.iteration(), "the version numbering continues");
        assertEquals(original.examplesSeen(), warm.examplesSeen());
        for (int i = 6; i < 8; i++) {
            Batch b = Batch.of("m", i, data.subList(i * 32, i * 32 + 32));
            original.train(b);
            warm.train(b);
        }
        assertEquals(
                Tensors.checksum(original.network().parameters()),
                Tensors.checksum(warm.network().parameters()));
        ModelSnapshot next = snapshot(warm, "r1");
        assertEquals("r0", next.getLineage().getParentRunId());
        assertEquals(6L, next.getLineage().getParentVersion());
        assertEquals(
                List.of(new OffsetRange(0, 0L, 95L, 96L), new OffsetRange(1, 0L, 95L, 96L)),
                ranges(next, true),
                "what the parent trained");
        assertEquals(
                List.of(new OffsetRange(0, 96L, 127L, 32L), new OffsetRange(1, 96L, 127L, 32L)),
                ranges(next, false),
                "this run's: right after the parent's");
    }

    /**
     * A live job warm-started from a bounded run's snapshot trains the following events once each;
     * its lineage starts right after the parent's and the offline replay of a quiet live stream
     * sees every event exactly once.
     */
    @Test
    void aQuietLiveReplayFromAWarmStartTrainsTheNewEventsOnce() {
        List<TrainingExample> all = TestData.binary(500, 6);
        TrainingConfig bounded = config(new WindowSpec.EventTime(3_600_000), 2);
        ModelTrainer first =
                OfflineReplay.replay("m", bounded, onKafka(all, 0, 300), OfflineReplay.ignoring());
        ModelSnapshot parent = snapshot(first, "r0");
        TrainingConfig live = config(new WindowSpec.EventTime(3_600_000), 1);
        TestData.Recorder steps = new TestData.Recorder();
        ModelTrainer next =
                OfflineReplay.replayQuietLive(
                        "m", live, WarmStart.of(parent), onKafka(all, 300, 200), steps);
        assertEquals(200, steps.steps.stream().mapToInt(ModelTrainer.Step::batchSize).sum());
        assertEquals(parent.getVersion() + steps.steps.size(), next.iteration());
        ModelSnapshot s = snapshot(next, "r1");
        assertEquals(
                List.of(new OffsetRange(0, 150L, 249L, 100L), new OffsetRange(1, 150L, 249L, 100L)),
                ranges(s, false));
        assertEquals(
                "[0:0..249 (400), 1:0..249 (400)]",
                Snapshots.allTrained(s).toString(),
                "with the parent's, every offset once");
    }

    @Test
    void aSnapshotThatDoesNotFitTheFlagsIsRefusedNamingEachDifference() {
        TrainingConfig c = config(new WindowSpec.Count(1), 1);
        ModelTrainer t = ModelTrainer.create("m", c);
        t.train(Batch.of("m", 0, onKafka(TestData.binary(32, 4), 0, 32)));
        ModelSnapshot s = snapshot(t, "r");
        TrainingConfig other =
                new TrainingConfig(
                        ModelSpec.parse("mlp:4", 12, 2, Activation.RELU),
                        new OptimizerSpec("sgd", 0.01),
                        c.batching(),
                        7,
                        5,
                        0.05);
        InvalidSettingException e =
                assertThrows(InvalidSettingException.class, () -> WarmStart.of(s).state(other, 0));
        String m = e.getMessage();
        for (String part :
                List.of(
                        "model logistic vs mlp:4",
                        "features 10 vs 12",
                        "optimizer adam vs sgd",
                        "standardize")) {
            assertTrue(m.contains(part), part + " in: " + m);
        }
        // Every name is a flag: there is no --hidden.
        assertFalse(m.contains("hidden"), m);
    }

    /** State written before lineage existed is adopted: ranges start at the resume, marked so. */
    @Test
    void stateFromBeforeLineageIsAdoptedAsIncomplete() {
        TrainingConfig c = config(new WindowSpec.Count(1), 1);
        ModelTrainer t = ModelTrainer.create("m", c);
        List<TrainingExample> data = onKafka(TestData.binary(64, 4), 0, 64);
        t.train(Batch.of("m", 0, data.subList(0, 32)));
        TrainerState s = t.state();
        TrainerState old =
                new TrainerState(
                        s.parameters(),
                        s.optimizerState(),
                        s.iteration(),
                        s.examplesSeen(),
                        s.shuffleIndex(),
                        s.lastLoss(),
                        s.smoothedLoss(),
                        s.lastSnapshotVersion(),
                        s.epoch(),
                        s.epochIteration(),
                        s.scaler(),
                        s.skippedInARow(),
                        s.lastGoodParameters(),
                        s.lastGoodOptimizerState(),
                        s.driftState(),
                        null);
        ModelTrainer resumed = ModelTrainer.restore("m", c, old);
        resumed.train(Batch.of("m", 1, data.subList(32, 64)));
        ModelSnapshot snap = snapshot(resumed, "r");
        assertFalse(snap.getLineage().getOffsetsComplete());
        assertEquals(
                List.of(new OffsetRange(0, 16L, 31L, 16L), new OffsetRange(1, 16L, 31L, 16L)),
                ranges(snap, false));
    }
}
