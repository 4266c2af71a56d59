package io.streamgrad.run;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.flink.runtime.checkpoint.Checkpoints;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import org.apache.flink.runtime.state.KeyGroupsStateHandle;
import org.apache.flink.runtime.state.OperatorStreamStateHandle;
import org.apache.flink.runtime.state.StateObject;
import org.apache.flink.runtime.state.filesystem.FileStateHandle;

/**
 * Reads a checkpoint's metadata the way Flink will when it restores it, and checks that every state
 * file it refers to is there, so that a corrupt or half-deleted checkpoint is reported before a job
 * starts instead of failing inside it after restarts.
 */
final class CheckpointCheck {
    private CheckpointCheck() {}

    /**
     * What is wrong with a checkpoint directory ({@code chk-<n>}), or null if Flink can read it.
     */
    static String problem(Path checkpoint) {
        Path metadata = checkpoint.resolve("_metadata");
        CheckpointMetadata m;
        try (InputStream in = Files.newInputStream(metadata)) {
            m =
                    Checkpoints.loadCheckpointMetadata(
                            new DataInputStream(in),
                            CheckpointCheck.class.getClassLoader(),
                            checkpoint.toString());
        } catch (IOException | RuntimeException e) {
            return "its metadata "
                    + metadata
                    + " cannot be read ("
                    + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage())
                    + ")";
        }
        List<Path> missing = new ArrayList<>();
        for (OperatorState o : m.getOperatorStates()) {
            collectMissing(o.getCoordinatorState(), missing);
            for (OperatorSubtaskState s : o.getStates()) {
                for (StateObject h : s.getDiscardables()) {
                    collectMissing(h, missing);
                }
            }
        }
        if (!missing.isEmpty()) {
            return missing.size()
                    + " state file"
                    + (missing.size() == 1 ? "" : "s")
                    + " it refers to "
                    + (missing.size() == 1 ? "is" : "are")
                    + " missing (e.g. "
                    + missing.get(0)
                    + ")";
        }
        return null;
    }

    private static void collectMissing(Object handle, List<Path> missing) {
        if (handle == null) {
            return;
        }
        if (handle instanceof Collection<?> c) {
            for (Object o : c) {
                collectMissing(o, missing);
            }
        } else if (handle instanceof FileStateHandle f) {
            Path p = Paths.get(f.getFilePath().toUri());
            if (!Files.isRegularFile(p)) {
                missing.add(p);
            }
        } else if (handle instanceof KeyGroupsStateHandle k) {
            collectMissing(k.getDelegateStateHandle(), missing);
        } else if (handle instanceof OperatorStreamStateHandle o) {
            collectMissing(o.getDelegateStateHandle(), missing);
        }
        // Other handles hold their bytes inline in the metadata (ByteStreamStateHandle).
    }
}
