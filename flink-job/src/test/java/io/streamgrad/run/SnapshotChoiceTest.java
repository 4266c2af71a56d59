package io.streamgrad.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamgrad.config.InvalidSettingException;
import io.streamgrad.model.ModelSpec;
import io.streamgrad.schema.ModelSnapshot;
import io.streamgrad.serve.TestSnapshots;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which snapshot each form of {@code --snapshot} / {@code --warm-start} picks. */
class SnapshotChoiceTest {
    private static final ModelSpec SPEC = TestSnapshots.families(4).get(0);

    private static ModelSnapshot of(String run, long version, long createdAt) {
        ModelSnapshot s = TestSnapshots.random("k", SPEC, version, version, false);
        s.setRunId(run);
        s.setCreatedAt(createdAt);
        return s;
    }

    // Run a trained to version 300, then run b, started later, to version 200.
    private static final List<ModelSnapshot> SNAPSHOTS =
            List.of(
                    of("a", 100, 1_000),
                    of("a", 300, 3_000),
                    of("a", 200, 2_000),
                    of("b", 100, 4_000),
                    of("b", 200, 5_000));

    @Test
    void aRunsLastSnapshotIsItsHighestVersionWhateverRanLater() {
        ModelSnapshot a = SnapshotChoice.choose("run:a", null, "snaps", SNAPSHOTS);
        assertEquals("a", a.getRunId().toString());
        assertEquals(300, a.getVersion());
        assertEquals(200, SnapshotChoice.choose("run:b", "k", "snaps", SNAPSHOTS).getVersion());
        // latest is the newest run's: b's, though a got further.
        assertEquals(
                "b",
                SnapshotChoice.choose("latest", null, "snaps", SNAPSHOTS).getRunId().toString());
        // A version number of two runs: the later created.
        assertEquals(
                "b", SnapshotChoice.choose("200", null, "snaps", SNAPSHOTS).getRunId().toString());
    }

    @Test
    void anUnknownRunIsRefusedNamingTheRunsThatHaveSnapshots() {
        InvalidSettingException e =
                assertThrows(
                        InvalidSettingException.class,
                        () -> SnapshotChoice.choose("run:c", null, "snaps", SNAPSHOTS));
        assertEquals(
                "snapshot run:c: model key k has no snapshot of that run on snaps; runs with"
                        + " snapshots of it: a, b",
                e.getMessage());
        String bad =
                assertThrows(
                                InvalidSettingException.class,
                                () -> SnapshotChoice.choose("newest", null, "snaps", SNAPSHOTS))
                        .getMessage();
        assertTrue(bad.contains("latest, a version number, run:ID or file:PATH"), bad);
    }
}
