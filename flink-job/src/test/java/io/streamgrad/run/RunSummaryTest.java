package io.streamgrad.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamgrad.job.Accumulators;
import io.streamgrad.model.Activation;
import io.streamgrad.model.BackendInfo;
import io.streamgrad.model.ModelSpec;
import io.streamgrad.model.OptimizerSpec;
import io.streamgrad.schema.MetricKind;
import io.streamgrad.schema.TrainingMetric;
import io.streamgrad.train.Batching;
import io.streamgrad.train.TrainingConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code --summary-json}: where the run trained (backend, device and the device's memory), and the
 * span its rate is measured over, also as wall-clock instants so outside measurements align.
 */
class RunSummaryTest {
    private static final TrainingConfig TRAINING =
            new TrainingConfig(
                    ModelSpec.parse("logistic", 4, 0, Activation.RELU),
                    new OptimizerSpec("sgd", 0.1),
                    Batching.defaults(),
                    7,
                    1_000,
                    0.05);

    /** Submitted at 1,000 ms, first record at 4,500 ms. */
    private static final Map<String, Object> SUBMITTED_THEN_FIRST_RECORD =
            Map.of(
                    Accumulators.JOB_SUBMITTED_MILLIS, 1_000L,
                    Accumulators.FIRST_RECORD_MILLIS, 4_500L);

    private static JsonNode summary(Map<String, Object> accumulators, List<TrainingMetric> metrics)
            throws Exception {
        RunSummary s =
                RunSummary.of(
                        "run-1",
                        TRAINING,
                        accumulators,
                        metrics,
                        List.of(),
                        null,
                        null,
                        0,
                        30.0,
                        20.0);
        return new ObjectMapper().readTree(new ObjectMapper().writeValueAsString(s));
    }

    @Test
    void theSpanIsGivenAsItsFirstRecordAndLastUpdateInstants() throws Exception {
        JsonNode json =
                summary(
                        SUBMITTED_THEN_FIRST_RECORD,
                        List.of(
                                RateSpanTest.metric(MetricKind.ITERATION, 14_500L),
                                RateSpanTest.metric(MetricKind.ITERATION, 9_000L),
                                RateSpanTest.metric(MetricKind.COUNTS, 21_000L)));
        assertEquals(4_500L, json.path("first_record_at_ms").asLong());
        assertEquals(14_500L, json.path("last_update_at_ms").asLong());
        assertEquals(
                (json.path("last_update_at_ms").asLong() - json.path("first_record_at_ms").asLong())
                        / 1e3,
                json.path("rate_span_seconds").asDouble(),
                1e-12);
        assertEquals(3.5, json.path("startup_seconds").asDouble(), 1e-12);
        // One epoch (a live run's 0): two updates of one example each over the 10-s span.
        assertEquals(1, json.path("epoch_events_per_second").size(), json.toString());
        assertEquals(2 / 10.0, json.path("epoch_events_per_second").get(0).asDouble(), 1e-12);
    }

    @Test
    void anEpochThatMadeNoUpdateCountsZeroIterations() throws Exception {
        // A range smaller than a batch: epoch 1 carries it, epoch 2 trains the remainder twice.
        TrainingConfig twoEpochs =
                new TrainingConfig(
                        TRAINING.spec(),
                        TRAINING.optimizer(),
                        Batching.defaults().withEpochs(2),
                        7,
                        1_000,
                        0.05);
        List<TrainingMetric> steps = new java.util.ArrayList<>();
        for (long t : new long[] {9_000L, 9_500L}) {
            TrainingMetric m = RateSpanTest.metric(MetricKind.ITERATION, t);
            m.setEpoch(2);
            steps.add(m);
        }
        RunSummary s =
                RunSummary.of(
                        "run-1",
                        twoEpochs,
                        SUBMITTED_THEN_FIRST_RECORD,
                        steps,
                        List.of(),
                        null,
                        null,
                        0,
                        30.0,
                        20.0);
        JsonNode json = new ObjectMapper().readTree(new ObjectMapper().writeValueAsString(s));
        assertEquals("[0,2]", json.path("epoch_iterations").toString());
    }

    @Test
    void aRunThatReadNothingHasNoInstants() throws Exception {
        JsonNode json = summary(Map.of(Accumulators.JOB_SUBMITTED_MILLIS, 1_000L), List.of());
        assertTrue(json.path("first_record_at_ms").isNull(), json.toString());
        assertTrue(json.path("last_update_at_ms").isNull(), json.toString());
        assertEquals(0.0, json.path("events_per_second").asDouble());
    }

    @Test
    void aRunThatReadButMadeNoUpdateHasOnlyItsFirstRecord() throws Exception {
        JsonNode json =
                summary(
                        SUBMITTED_THEN_FIRST_RECORD,
                        List.of(RateSpanTest.metric(MetricKind.COUNTS, 21_000L)));
        assertEquals(4_500L, json.path("first_record_at_ms").asLong());
        assertTrue(json.path("last_update_at_ms").isNull(), json.toString());
        assertTrue(json.path("rate_span_seconds").isNull(), json.toString());
        assertEquals(3.5, json.path("startup_seconds").asDouble(), 1e-12);
        assertEquals(0.0, json.path("events_per_second").asDouble());
    }

    @Test
    void theSummaryNamesTheBackendTheDeviceAndItsMemory() throws Exception {
        JsonNode json = summary(Map.of(), List.of());

        BackendInfo here = BackendInfo.current();
        assertEquals("CPU", json.path("backend").asText()); // what ND4J's CPU executioner says
        assertEquals(here.device(), json.path("device").asText());
        assertTrue(json.path("device").asText().startsWith("host"), json.toString());
        assertTrue(json.path("device_memory_bytes").isIntegralNumber(), json.toString());
        assertEquals(here.memoryBytes(), json.path("device_memory_bytes").asLong());
        assertTrue(here.memoryBytes() > 0, "the host's physical memory: " + here.memoryBytes());
    }
}
