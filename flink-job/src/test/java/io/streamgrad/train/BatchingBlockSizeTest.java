package io.streamgrad.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamgrad.config.InvalidSettingException;
import io.streamgrad.config.Provenance;
import io.streamgrad.model.Activation;
import io.streamgrad.model.ModelSpec;
import io.streamgrad.model.OptimizerSpec;
import org.junit.jupiter.api.Test;

class BatchingBlockSizeTest {
    @Test
    void anAutomaticBlockIsTheLargestPowerOfTwoUpTo8192OffsetsWhoseEventsFitInFourMebibytes() {
        for (int features :
                new int[] {1, 2, 10, 100, 103, 104, 784, 999, 1_000, 10_000, 100_000, 2_000_000}) {
            int block = Batching.autoBlockOffsets(features);
            long eventBytes = 4L * features + 100;
            assertEquals(Integer.highestOneBit(block), block, "a power of two at " + features);
            assertTrue(block <= 8_192, "at most 8,192 at " + features);
            assertTrue(block == 1 || block * eventBytes <= 4L << 20, "fits at " + features);
            if (block < 8_192) {
                assertTrue(2L * block * eventBytes > 4L << 20, "largest at " + features);
            }
        }
        // The README's and the flag's examples.
        assertEquals(8_192, Batching.autoBlockOffsets(1));
        assertEquals(8_192, Batching.autoBlockOffsets(100));
        assertEquals(8_192, Batching.autoBlockOffsets(103));
        assertEquals(4_096, Batching.autoBlockOffsets(104));
        assertEquals(1_024, Batching.autoBlockOffsets(784));
        assertEquals(1_024, Batching.autoBlockOffsets(999));
        assertEquals(512, Batching.autoBlockOffsets(1_000));
        assertEquals(64, Batching.autoBlockOffsets(10_000));
        assertEquals(8, Batching.autoBlockOffsets(100_000));
        assertEquals(1, Batching.autoBlockOffsets(2_000_000));
        assertThrows(IllegalArgumentException.class, () -> Batching.autoBlockOffsets(0));
    }

    @Test
    void aTrainingConfigSizesAnAutomaticBlockByItsModelAndKeepsAGivenOne() {
        Batching auto = Batching.defaults();
        assertEquals(Batching.AUTO_BLOCK_OFFSETS, auto.blockOffsets());
        ModelSpec mnist = ModelSpec.parse("softmax", 784, 10, Activation.RELU);
        TrainingConfig c =
                new TrainingConfig(mnist, new OptimizerSpec("sgd", 0.1), auto, 7, 100, 0.05);
        assertEquals(1_024, c.batching().blockOffsets());
        assertEquals(Batching.DEFAULT_GROUP_BLOCKS, c.batching().groupBlocks());
        // What the checkpoint's provenance records, so a resumed run compares numbers.
        assertEquals("1024", Provenance.of("training", c).get("training.batching.block_offsets"));

        Batching given = auto.withBlocks(300, 4);
        TrainingConfig kept =
                new TrainingConfig(mnist, new OptimizerSpec("sgd", 0.1), given, 7, 100, 0.05);
        assertEquals(300, kept.batching().blockOffsets());
        assertSame(given, given.sizedFor(784));
    }

    @Test
    void aPlanIsNeverMadeWithAnAutomaticBlockAndNegativeBlocksAreRefused() {
        assertThrows(
                IllegalArgumentException.class,
                () -> ReplayPlan.of(Batching.defaults().withEpochs(2), 1));
        assertThrows(InvalidSettingException.class, () -> Batching.defaults().withBlocks(-1, 16));
        InvalidSettingException group =
                assertThrows(
                        InvalidSettingException.class, () -> Batching.defaults().withBlocks(64, 0));
        assertEquals(
                "shuffle-group is a number of blocks of at least 1, got 0", group.getMessage());
    }

    @Test
    void theShuffleIsDescribedAsTheRunUsesIt() {
        Batching b = Batching.defaults();
        assertEquals(
                "shuffle blocks of 8,192 offsets, 16 at a time",
                b.withShuffle(ShuffleMode.BLOCKS).sizedFor(100).describeShuffle());
        assertEquals(
                "shuffle blocks of 1,024 offsets, 4 at a time",
                b.withShuffle(ShuffleMode.BLOCKS).withBlocks(1_024, 4).describeShuffle());
        assertEquals("shuffle window", b.withShuffle(ShuffleMode.WINDOW).describeShuffle());
        assertEquals("shuffle pass", b.withShuffle(ShuffleMode.PASS).describeShuffle());
    }
}
