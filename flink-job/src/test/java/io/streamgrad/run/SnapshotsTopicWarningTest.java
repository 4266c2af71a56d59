package io.streamgrad.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class SnapshotsTopicWarningTest {
    @Test
    void aSnapshotsTopicThatDeletesIsWarnedAboutWithTheFix() {
        assertEquals(Optional.empty(), JobRunner.snapshotsTopicWarning("compact", "s"));
        assertEquals(Optional.empty(), JobRunner.snapshotsTopicWarning("compact,delete", "s"));
        String w = JobRunner.snapshotsTopicWarning("delete", "nc2.snaps").orElseThrow();
        assertTrue(w.startsWith("warning: snapshots topic nc2.snaps is not compacted"), w);
        assertTrue(w.contains("--entity-name nc2.snaps --add-config cleanup.policy=compact"), w);
    }
}
