package io.streamgrad.run;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamgrad.config.InvalidSettingException;
import io.streamgrad.model.Activation;
import io.streamgrad.model.ModelSpec;
import io.streamgrad.model.OptimizerSpec;
import io.streamgrad.train.Batching;
import io.streamgrad.train.TrainingConfig;
import org.junit.jupiter.api.Test;

/**
 * What a session cluster's TaskManagers must hold, checked against their entries in the
 * JobManager's {@code /taskmanagers} answer (the REST API's own JSON shape): a training step in a
 * slot's share of the heap, and for a bounded run the block shuffle's three groups in half of it.
 */
class SessionClusterCheckTest {
    private static final String REST = "http://jm:8081";

    /** A TaskManager entry as the JobManager lists it: its id, slots and heap (bytes). */
    private static JsonNode taskManager(long heapMiB, int slots) throws Exception {
        return new ObjectMapper()
                .readTree(
                        String.format(
                                "{\"id\": \"tm-1\", \"slotsNumber\": %d, \"memoryConfiguration\":"
                                        + " {\"frameworkHeap\": %d, \"taskHeap\": %d}}",
                                slots, 128L << 20, (heapMiB - 128) << 20));
    }

    /** Logistic regression on 100 features: automatic blocks of 8,192 offsets, about 236 MB. */
    private static TrainingConfig logistic() {
        return new TrainingConfig(
                ModelSpec.parse("logistic", 100, 2, Activation.RELU),
                new OptimizerSpec("sgd", 0.1),
                Batching.defaults().withEpochs(3),
                7,
                100,
                0.05);
    }

    @Test
    void aBoundedRunsBlocksMustFitInHalfATaskManagersHeapNamingTheLargestBlockAndItsMemory()
            throws Exception {
        JsonNode small = taskManager(400, 2);
        InvalidSettingException e =
                assertThrows(
                        InvalidSettingException.class,
                        () -> SessionClusterCheck.requireFits(small, logistic(), true, REST));
        String m = e.getMessage();
        assertTrue(m.contains("blocks holds 3 groups"), m);
        assertTrue(m.contains("of 8,192 records of 100 features"), m);
        // Half of 400 MiB over 3 groups of 16 blocks of 650-byte records.
        long largest = ((400L << 20) / 2) / 650 / 16 / 3;
        assertTrue(m.contains(String.format("at most %,d", largest)), m);
        assertTrue(m.contains("TaskManager tm-1 at " + REST + " has 400 MiB"), m);
        assertTrue(m.contains("STREAMGRAD_FLINK_TM_MEMORY"), m);

        // A live run reads no blocks.
        assertDoesNotThrow(() -> SessionClusterCheck.requireFits(small, logistic(), false, REST));
        // The replay's one source subtask needs the heap, not every slot's share: the local
        // cluster's TaskManager (851 MiB over 2 slots) holds them.
        assertDoesNotThrow(
                () -> SessionClusterCheck.requireFits(taskManager(851, 2), logistic(), true, REST));
        // Smaller blocks fit the small TaskManager.
        TrainingConfig smallBlocks =
                new TrainingConfig(
                        ModelSpec.parse("logistic", 100, 2, Activation.RELU),
                        new OptimizerSpec("sgd", 0.1),
                        Batching.defaults().withEpochs(3).withBlocks((int) largest, 16),
                        7,
                        100,
                        0.05);
        assertDoesNotThrow(() -> SessionClusterCheck.requireFits(small, smallBlocks, true, REST));
    }

    @Test
    void aJobManagerThatReportsNoMemoryIsNotChecked() throws Exception {
        JsonNode old = new ObjectMapper().readTree("{\"id\": \"tm-1\", \"slotsNumber\": 2}");
        assertDoesNotThrow(() -> SessionClusterCheck.requireFits(old, logistic(), true, REST));
    }
}
