package io.streamgrad.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class SnapshotsTopicWarningTest {
    @Test
    void aSnapshotsTopicThatDeletesIsWarnedAboutWithTheFix() {
        assertEquals(Optional.empty(), JobRunner.snapshotsTopicWarning("compact", "s"));
        // No cleanup at all keeps every snapshot.
        assertEquals(Optional.empty(), JobRunner.snapshotsTopicWarning("", "s"));
        // Retention deletes a model's only snapshot too, compacted or not.
        assertTrue(JobRunner.snapshotsTopicWarning("compact,delete", "s").isPresent());
        String w = JobRunner.snapshotsTopicWarning("delete", "nc2.snaps").orElseThrow();
        assertTrue(w.startsWith("warning: snapshots topic nc2.snaps deletes by retention"), w);
        assertTrue(w.contains("--entity-name nc2.snaps --add-config cleanup.policy=compact"), w);
    }
}
