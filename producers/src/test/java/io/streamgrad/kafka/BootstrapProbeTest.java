package io.streamgrad.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/**
 * A mistyped port is said at once: the probe tells an address where nothing listens from a broker
 * that is slow to answer, and {@link TopicAdmin} gives up on the first, not on the second.
 */
class BootstrapProbeTest {
    /** A port nothing listens on: bound once, then released. */
    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void nothingListeningAnywhereIsARefusalAndAnyListenerIsNot() throws Exception {
        int closed = closedPort();
        assertEquals(
                "nothing listens at localhost:" + closed + " (connection refused)",
                BootstrapProbe.refusal("localhost:" + closed, 5_000));
        try (ServerSocket listening = new ServerSocket(0)) {
            String open = "localhost:" + listening.getLocalPort();
            assertNull(BootstrapProbe.refusal(open, 5_000));
            // One server that listens is enough: the client will find it.
            assertNull(BootstrapProbe.refusal("localhost:" + closed + ", " + open, 5_000));
        }
        assertNull(
                BootstrapProbe.refusal("not an address", 5_000), "the client's own check decides");
        assertNull(BootstrapProbe.refusal("localhost:" + closed, 0), "no time left to tell");
    }

    @Test
    void theAdminGivesUpAtOnceWhereNothingListensAndAtItsTimeoutWhereNothingAnswers()
            throws Exception {
        int closed = closedPort();
        // A minute's timeout: only the probe can end this request with this message.
        try (TopicAdmin admin = new TopicAdmin("localhost:" + closed, 60_000)) {
            KafkaUnreachableException e =
                    assertThrows(KafkaUnreachableException.class, admin::requireReachable);
            assertTrue(
                    e.getMessage().contains("nothing listens at localhost:" + closed),
                    e.getMessage());
        }
        // A listener that accepts and never answers is not refused: the timeout decides.
        try (ServerSocket silent = new ServerSocket(0);
                TopicAdmin admin = new TopicAdmin("localhost:" + silent.getLocalPort(), 1_500)) {
            KafkaUnreachableException e =
                    assertThrows(KafkaUnreachableException.class, () -> admin.topicExists("t"));
            assertTrue(e.getMessage().contains("within 1500 ms"), e.getMessage());
        }
        // An admin made from a client configuration waits as long as the configuration says
        // (--kafka-timeout-ms reaches every admin client of a command this way).
        try (ServerSocket silent = new ServerSocket(0);
                TopicAdmin admin =
                        new TopicAdmin(
                                KafkaClientConfig.plain("localhost:" + silent.getLocalPort())
                                        .withTimeoutMs(700))) {
            KafkaUnreachableException e =
                    assertThrows(KafkaUnreachableException.class, () -> admin.topicExists("t"));
            assertTrue(e.getMessage().contains("within 700 ms"), e.getMessage());
        }
    }
}
