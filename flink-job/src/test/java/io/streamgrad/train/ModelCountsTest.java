package io.streamgrad.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ModelCountsTest {
    private static void assertBalanced(ModelCounts c) {
        assertEquals(c.consumed(), c.trained() + c.deadLettered() + c.pending(), c.toString());
    }

    @Test
    void whatLeavesTheBufferWasTrained() {
        ModelCounts c = ModelCounts.ZERO.arrived().arrived().arrived().arrivedAndDeadLettered();
        assertEquals(new ModelCounts(4, 0, 1, 3), c);
        c = c.settled(1); // a window closed: two trained, one carried
        assertEquals(new ModelCounts(4, 2, 1, 1), c);
        assertBalanced(c);
        assertEquals(new ModelCounts(4, 3, 1, 0), c.settled(0));
    }

    @Test
    void stateFromBeforeTheAccountingIsAdoptedNotFatal() {
        // A checkpoint of an older version buffered 5 events and has no counts.
        ModelCounts c = ModelCounts.ZERO.arrived().settled(5);
        assertEquals(new ModelCounts(5, 0, 0, 5), c);
        assertBalanced(c);
        assertBalanced(c.settled(2));
        assertEquals(3, c.settled(2).trained());
    }
}
