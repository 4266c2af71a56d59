package io.streamgrad.run;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.runtime.checkpoint.Checkpoints;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.KeyGroupRangeOffsets;
import org.apache.flink.runtime.state.KeyGroupsStateHandle;
import org.apache.flink.runtime.state.filesystem.FileStateHandle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoints written with Flink's own metadata serializer, then damaged as crashes damage them.
 */
class CheckpointCheckTest {

    @Test
    void aCompleteCheckpointIsReadable(@TempDir Path dir) throws Exception {
        Path chk = dir.resolve("chk-7");
        Path state = Files.write(Files.createDirectories(chk).resolve("state-0"), new byte[16]);
        writeMetadata(chk, state);
        assertNull(CheckpointCheck.problem(chk));
    }

    @Test
    void aMissingStateFileIsNamed(@TempDir Path dir) throws Exception {
        Path chk = dir.resolve("chk-7");
        Path state = Files.write(Files.createDirectories(chk).resolve("state-0"), new byte[16]);
        writeMetadata(chk, state);
        Files.delete(state);
        String problem = CheckpointCheck.problem(chk);
        assertTrue(problem != null && problem.contains("1 state file"), problem);
        assertTrue(problem.contains(state.toString()), problem);
    }

    @Test
    void truncatedOrGarbageMetadataIsReportedWithItsPath(@TempDir Path dir) throws Exception {
        Path chk = dir.resolve("chk-7");
        Path state = Files.write(Files.createDirectories(chk).resolve("state-0"), new byte[16]);
        writeMetadata(chk, state);
        Path metadata = chk.resolve("_metadata");
        byte[] whole = Files.readAllBytes(metadata);
        Files.write(metadata, java.util.Arrays.copyOf(whole, whole.length / 2));
        String truncated = CheckpointCheck.problem(chk);
        assertTrue(truncated != null && truncated.contains(metadata.toString()), truncated);

        Files.writeString(metadata, "not a checkpoint");
        String garbage = CheckpointCheck.problem(chk);
        assertTrue(garbage != null && garbage.contains("cannot be read"), garbage);
    }

    /** One keyed operator with one subtask whose state lives in {@code stateFile}. */
    private static void writeMetadata(Path chk, Path stateFile) throws Exception {
        OperatorState op = new OperatorState("train", "train", new OperatorID(), 1, 128);
        KeyGroupRange all = KeyGroupRange.of(0, 127);
        op.putState(
                0,
                OperatorSubtaskState.builder()
                        .setManagedKeyedState(
                                new KeyGroupsStateHandle(
                                        new KeyGroupRangeOffsets(all, new long[128]),
                                        new FileStateHandle(
                                                new org.apache.flink.core.fs.Path(
                                                        stateFile.toUri()),
                                                Files.size(stateFile))))
                        .build());
        try (OutputStream out = Files.newOutputStream(chk.resolve("_metadata"))) {
            Checkpoints.storeCheckpointMetadata(
                    new CheckpointMetadata(7L, List.of(op), List.of()), out);
        }
    }
}
