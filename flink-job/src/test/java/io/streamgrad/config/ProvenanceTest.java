package io.streamgrad.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamgrad.job.JobConfig;
import io.streamgrad.model.Activation;
import io.streamgrad.model.ModelSpec;
import io.streamgrad.model.OptimizerSpec;
import io.streamgrad.train.Batching;
import io.streamgrad.train.TrainingConfig;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProvenanceTest {
    private static final JobConfig CONFIG =
            new JobConfig(
                    "kafka:9092",
                    JobConfig.Topics.DEFAULT,
                    "group",
                    "run-1",
                    true,
                    true,
                    1,
                    10_000,
                    new TrainingConfig(
                            ModelSpec.parse("mlp:8,4", 3, 3, Activation.TANH),
                            new OptimizerSpec("adam", 0.01),
                            Batching.defaults(),
                            5,
                            100,
                            0.05,
                            7));

    /**
     * Adds up the components of the configuration records by walking them independently of {@link
     * Provenance}: every one must be recorded, so a setting added to a record cannot be forgotten.
     */
    @Test
    void everyComponentOfTheConfigurationIsRecorded() {
        Map<String, String> p = CONFIG.provenance();
        List<String> expected = new ArrayList<>();
        leaves("", JobConfig.class, expected);
        assertTrue(expected.size() > 30, "the walk found the nested records: " + expected);
        for (String key : expected) {
            assertTrue(p.containsKey(key), key + " is missing from " + p.keySet());
        }
        assertTrue(p.containsKey(Provenance.CODE_VERSION));
        assertEquals(expected.size() + 1, p.size(), "nothing else: " + p.keySet());
    }

    @Test
    void valuesAreWrittenAsUsersWriteThem() {
        Map<String, String> p = CONFIG.provenance();
        assertEquals("7", p.get("training.divergence_patience"));
        assertEquals("100", p.get("training.snapshot_every"));
        assertEquals("0.05", p.get("training.smoothing"));
        assertEquals("count:4", p.get("training.batching.window"));
        assertEquals("tanh", p.get("training.spec.activation"));
        assertEquals("8,4", p.get("training.spec.hidden_layers"));
        assertEquals("constant", p.get("training.optimizer.schedule"));
        assertEquals("streamgrad.events", p.get("topics.events"));
        assertNotEquals("unknown", p.get(Provenance.CODE_VERSION), "the build records a version");
    }

    /** Record components, recursively; a component whose type has describe() is one leaf. */
    private static void leaves(String prefix, Class<?> type, List<String> out) {
        for (RecordComponent c : type.getRecordComponents()) {
            String key =
                    (prefix.isEmpty() ? "" : prefix + ".")
                            + c.getName().replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase();
            Class<?> t = c.getType();
            if (t.isRecord() && !hasDescribe(t)) {
                leaves(key, t, out);
            } else {
                out.add(key);
            }
        }
    }

    private static boolean hasDescribe(Class<?> t) {
        try {
            t.getMethod("describe");
            return true;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }
}
