package io.streamgrad.run.flags;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class NearestTest {
    @Test
    void editDistanceCountsInsertionsDeletionsAndSubstitutions() {
        assertEquals(1, Nearest.editDistance("--featurs", "--features"));
        assertEquals(3, Nearest.editDistance("kitten", "sitting"));
        assertEquals(0, Nearest.editDistance("seed", "seed"));
        assertEquals(4, Nearest.editDistance("", "seed"));
    }

    @Test
    void suggestsAtMostTwoWithinTwoEditsNearestFirst() {
        List<String> known = List.of("batch-size", "batch-sizes", "epochs", "seed", "speed");
        assertEquals(List.of("batch-size", "batch-sizes"), Nearest.to("batchsize", known));
        assertEquals(List.of("seed", "speed"), Nearest.to("sed", known));
        assertEquals(List.of("epochs"), Nearest.to("epoch", known));
        assertEquals(List.of(), Nearest.to("learning-rate", known));
        assertEquals(" (did you mean epochs?)", Nearest.didYouMean("epoch", known));
        assertEquals("", Nearest.didYouMean("optimizer", known));
    }
}
