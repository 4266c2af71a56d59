package io.streamgrad.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalLong;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class RunIdsTest {
    @Test
    void anIdIsAVersion7UuidThatSaysWhenItsRunStarted() {
        long before = System.currentTimeMillis();
        String id = RunIds.next();
        long after = System.currentTimeMillis();
        UUID u = UUID.fromString(id);
        assertEquals(7, u.version());
        assertEquals(2, u.variant()); // RFC 9562's variant (10xx)
        long started = RunIds.startedAt(id).orElseThrow();
        assertTrue(started >= before && started <= after, started + " in " + before + ".." + after);
        assertNotEquals(id, RunIds.next());
    }

    @Test
    void theTimeIsTheFirst48BitsWhateverTheRandomBits() {
        // RFC 9562 appendix A.6's example: 2022-02-22 19:22:22 UTC = 0x017F22E279B0 ms.
        long millis = 0x017F22E279B0L;
        for (int seed = 0; seed < 100; seed++) {
            UUID u = RunIds.at(millis, new Random(seed));
            assertTrue(u.toString().startsWith("017f22e2-79b0-7"), u.toString());
            assertEquals(OptionalLong.of(millis), RunIds.startedAt(u.toString()));
        }
    }

    @Test
    void olderIdsAndOtherTextTellNoTime() {
        assertEquals(OptionalLong.empty(), RunIds.startedAt(UUID.randomUUID().toString()));
        assertEquals(OptionalLong.empty(), RunIds.startedAt("run-1"));
        assertEquals(OptionalLong.empty(), RunIds.startedAt(null));
    }
}
