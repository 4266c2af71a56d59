package io.streamgrad.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.streamgrad.kafka.KafkaClientConfig;
import io.streamgrad.train.Batching;
import io.streamgrad.train.ReplayPlan;
import io.streamgrad.train.ShuffleMode;
import io.streamgrad.window.WindowSpec;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.junit.jupiter.api.Test;

/** How the replay's consumer is configured, without a broker. */
class ReplaySourceTest {

    @Test
    void aFetchAsksForAboutOneBlockBetween64KiBAndKafkasDefault() {
        // 1,024 events of 100 floats: 1,024 × (400 + 128) bytes.
        assertEquals(540_672, ReplaySource.blockFetchBytes(1_024, 100));
        assertEquals(64 << 10, ReplaySource.blockFetchBytes(128, 4), "floor");
        assertEquals(
                ConsumerConfig.DEFAULT_MAX_PARTITION_FETCH_BYTES,
                ReplaySource.blockFetchBytes(1_024, 784),
                "MNIST blocks are larger than a default fetch");
        assertEquals(
                ConsumerConfig.DEFAULT_MAX_PARTITION_FETCH_BYTES,
                ReplaySource.blockFetchBytes(1 << 20, 1 << 20),
                "no overflow");
    }

    @Test
    void onlyAPassReadAsBlocksSizesItsFetchesAndTheUsersSettingWins() {
        String key = ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG;
        KafkaClientConfig plain = KafkaClientConfig.plain("localhost:9092");
        assertEquals(
                "540672", source(plain, ShuffleMode.BLOCKS).consumerProperties().getProperty(key));
        assertNull(source(plain, ShuffleMode.WINDOW).consumerProperties().getProperty(key));
        KafkaClientConfig users = KafkaClientConfig.of("localhost:9092", Map.of(key, "2048"));
        assertEquals(
                "2048", source(users, ShuffleMode.BLOCKS).consumerProperties().getProperty(key));
    }

    private static ReplaySource source(KafkaClientConfig kafka, ShuffleMode mode) {
        Batching b =
                Batching.defaults()
                        .withWindow(new WindowSpec.Count(4))
                        .withEpochs(2)
                        .withShuffle(mode)
                        .withBlocks(1_024, 16);
        return new ReplaySource(kafka, "t", "g", ReplayPlan.of(b, 1), true, true, null, 100);
    }
}
