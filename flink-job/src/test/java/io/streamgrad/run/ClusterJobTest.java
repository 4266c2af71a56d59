package io.streamgrad.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The job jar's entry point refuses wrong flags before it builds anything. */
class ClusterJobTest {
    @Test
    void refusesANegativeRestartCount() {
        assertEquals(
                2,
                ClusterJob.run(
                        new String[] {
                            "--bootstrap-servers", "localhost:1", "--restart-attempts", "-1"
                        }));
    }

    @Test
    void refusesARestartCountThatIsNotANumber() {
        assertEquals(
                2,
                ClusterJob.run(
                        new String[] {
                            "--bootstrap-servers", "localhost:1", "--restart-attempts", "many"
                        }));
    }
}
