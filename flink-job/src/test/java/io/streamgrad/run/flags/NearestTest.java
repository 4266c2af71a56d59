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

    @Test
    void anAbbreviationOtherToolsUseComesFirst() {
        List<String> flags = List.of("--batch-size", "--epochs", "--l2", "--learning-rate");
        // "--lr" is one edit from "--l2" and eleven from "--learning-rate": the initials win.
        assertEquals(List.of("--learning-rate", "--l2"), Nearest.to("--lr", flags));
        assertEquals(List.of("--batch-size", "--l2"), Nearest.to("--bs", flags));
        assertEquals(List.of("learning-rate"), Nearest.to("lr", List.of("learning-rate", "seed")));
        // One word has no initials, and a name's last word is not an abbreviation of it.
        assertEquals(List.of(), Nearest.to("--e", List.of("--epochs")));
        assertEquals(List.of(), Nearest.to("--topic", List.of("--events-topic", "--seed")));
        assertEquals(List.of(), Nearest.to("--no-full-pas-loss", List.of("--loss")));
        assertEquals(List.of(), Nearest.to("--", List.of("--epochs")));
    }
}
