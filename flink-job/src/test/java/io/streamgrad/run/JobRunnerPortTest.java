package io.streamgrad.run;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.BindException;
import java.net.ServerSocket;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/**
 * A local run that chose its web UI port itself chooses again when another process took the port
 * before the MiniCluster bound it; any other failure to start is reported as it is.
 */
class JobRunnerPortTest {

    @Test
    void aBindFailureIsFoundWhereverFlinkWrapsIt() throws Exception {
        BindException taken;
        try (ServerSocket s = new ServerSocket(0)) {
            try (ServerSocket again = new ServerSocket(s.getLocalPort())) {
                throw new AssertionError("a bound port bound twice");
            } catch (BindException e) {
                taken = e; // the exception a taken port really gives
            }
        }
        Exception wrapped =
                new RuntimeException(
                        "Could not start the MiniCluster",
                        new CompletionException(
                                new Exception("Could not start rest endpoint", taken)));
        assertTrue(JobRunner.causedByBindFailure(wrapped));
        assertFalse(
                JobRunner.causedByBindFailure(
                        new RuntimeException(new IllegalStateException("no slots"))));
    }

    @Test
    void aChosenPortIsFreeWhenChosen() throws Exception {
        int port = JobRunner.freePort();
        try (ServerSocket s = new ServerSocket(port)) {
            assertTrue(s.isBound());
        }
    }
}
