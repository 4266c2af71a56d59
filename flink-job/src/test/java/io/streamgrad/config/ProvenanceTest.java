package io.streamgrad.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamgrad.job.JobConfig;
import io.streamgrad.kafka.KafkaClientConfig;
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
                    KafkaClientConfig.plain("kafka:9092"),
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

    @Test
    void theKafkaClientSettingsAreRecordedByKeyNeverByValue() {
        String secret = "pr0v-s3cret";
        JobConfig secured =
                new JobConfig(
                        KafkaClientConfig.of(
                                "kafka:9093",
                                Map.of(
                                        "security.protocol",
                                        "SASL_SSL",
                                        "sasl.jaas.config",
                                        "org.apache.kafka.common.security.scram.ScramLoginModule"
                                                + " required username=\"svc\" password=\""
                                                + secret
                                                + "\";",
                                        "ssl.truststore.password",
                                        secret)),
                        CONFIG.topics(),
                        CONFIG.groupId(),
                        CONFIG.runId(),
                        CONFIG.bounded(),
                        CONFIG.fromEarliest(),
                        CONFIG.parallelism(),
                        CONFIG.checkpointIntervalMs(),
                        CONFIG.training());
        Map<String, String> p = secured.provenance();
        assertEquals(
                "kafka:9093 with client settings (sasl.jaas.config, security.protocol,"
                        + " ssl.truststore.password)",
                p.get("kafka"));
        for (Map.Entry<String, String> e : p.entrySet()) {
            assertFalse(e.getValue().contains(secret), e.getKey());
            assertFalse(e.getValue().contains("svc"), e.getKey());
        }
        assertFalse(secured.toString().contains(secret), secured.toString());
        assertEquals("kafka:9092", CONFIG.provenance().get("kafka"));
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
