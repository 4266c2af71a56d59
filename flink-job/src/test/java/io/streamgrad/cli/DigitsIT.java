package io.streamgrad.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real data through the whole product: scikit-learn's digits (1,797 8×8 images, CC BY 4.0, see
 * src/test/resources/datasets/NOTICE.md) streamed through Kafka into the Flink job, the last
 * snapshot evaluated on a seeded 20 % of the rows it never trained on. The reference: logistic
 * regression reaches about 0.97 in 10-fold cross-validation (scikit-learn's documentation); the bar
 * here is 0.93.
 */
class DigitsIT {
    @Test
    void softmaxOnStandardizedDigitsReachesTheReference(@TempDir Path dir) throws Exception {
        Path digits = Path.of("src/test/resources/datasets/digits.csv.gz").toAbsolutePath();
        Path summary = dir.resolve("digits.json");
        int exit =
                Streamgrad.execute(
                        new String[] {
                            "demo",
                            "--dataset",
                            "csv:" + digits,
                            "--model",
                            "softmax",
                            "--standardize",
                            "on",
                            "--batch-size",
                            "32",
                            "--epochs",
                            "10",
                            "--summary-json",
                            summary.toString()
                        },
                        System.err);
        assertEquals(0, exit);
        JsonNode s = new ObjectMapper().readTree(summary.toFile());
        assertEquals(1_438, s.get("events_trained").asLong(), "80 % of 1,797 rows");
        assertEquals(359, s.get("holdout_events").asLong());
        assertEquals(0, s.get("untrained").asLong());
        // Every epoch's rate, read back from the run's metrics; the run's rate is their weighted
        // harmonic mean (the epochs' times tile its span), so it lies between the slowest and
        // the fastest.
        JsonNode epochRates = s.get("epoch_events_per_second");
        assertEquals(10, epochRates.size(), epochRates.toString());
        double slowest = Double.MAX_VALUE;
        double fastest = 0;
        for (JsonNode r : epochRates) {
            assertTrue(r.asDouble() > 0 && Double.isFinite(r.asDouble()), epochRates.toString());
            slowest = Math.min(slowest, r.asDouble());
            fastest = Math.max(fastest, r.asDouble());
        }
        double overall = s.get("events_per_second").asDouble();
        assertTrue(
                slowest * (1 - 1e-9) <= overall && overall <= fastest * (1 + 1e-9),
                overall + " outside " + epochRates);
        double accuracy = s.get("holdout_accuracy").asDouble();
        assertTrue(accuracy >= 0.93, "holdout accuracy " + accuracy);
    }
}
