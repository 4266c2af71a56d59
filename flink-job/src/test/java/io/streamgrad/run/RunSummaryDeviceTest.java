package io.streamgrad.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamgrad.model.Activation;
import io.streamgrad.model.BackendInfo;
import io.streamgrad.model.ModelSpec;
import io.streamgrad.model.OptimizerSpec;
import io.streamgrad.train.Batching;
import io.streamgrad.train.TrainingConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code --summary-json} says where the run trained: backend, device and the device's memory. */
class RunSummaryDeviceTest {

    @Test
    void theSummaryNamesTheBackendTheDeviceAndItsMemory() throws Exception {
        TrainingConfig training =
                new TrainingConfig(
                        ModelSpec.parse("logistic", 4, 0, Activation.RELU),
                        new OptimizerSpec("sgd", 0.1),
                        Batching.defaults(),
                        7,
                        1_000,
                        0.05);
        RunSummary s =
                RunSummary.of(
                        "run-1", training, Map.of(), List.of(), List.of(), null, null, 0, 1.0, 1.0);
        JsonNode json = new ObjectMapper().readTree(new ObjectMapper().writeValueAsString(s));

        BackendInfo here = BackendInfo.current();
        assertEquals("CPU", json.path("backend").asText()); // what ND4J's CPU executioner says
        assertEquals(here.device(), json.path("device").asText());
        assertTrue(json.path("device").asText().startsWith("host"), json.toString());
        assertTrue(json.path("device_memory_bytes").isIntegralNumber(), json.toString());
        assertEquals(here.memoryBytes(), json.path("device_memory_bytes").asLong());
        assertTrue(here.memoryBytes() > 0, "the host's physical memory: " + here.memoryBytes());
    }
}
