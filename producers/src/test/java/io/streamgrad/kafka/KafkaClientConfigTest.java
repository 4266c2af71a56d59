package io.streamgrad.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaClientConfigTest {
    private static final String SECRET = "s3cr3t-Pa55";
    private static final String JAAS =
            "org.apache.kafka.common.security.plain.PlainLoginModule required"
                    + " username=\"alice\" password=\""
                    + SECRET
                    + "\";";

    private static Path write(Path dir, String text) throws Exception {
        Path f = dir.resolve("client.properties");
        Files.writeString(f, text);
        return f;
    }

    @Test
    void readsAPropertiesFileWithContinuationsAndComments(@TempDir Path dir) throws Exception {
        Path f =
                write(
                        dir,
                        "# SASL over TLS\n"
                            + "security.protocol=SASL_SSL\n"
                            + "\n"
                            + "sasl.mechanism = PLAIN\n"
                            + "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule"
                            + " required \\\n"
                            + "    username=\"alice\" \\\n"
                            + "    password=\""
                                + SECRET
                                + "\";\n"
                                + "ssl.truststore.password: "
                                + SECRET
                                + "\n");
        KafkaClientConfig c = KafkaClientConfig.load("b1:9093,b2:9093", f);
        assertEquals("SASL_SSL", c.settings().get("security.protocol"));
        assertEquals("PLAIN", c.settings().get("sasl.mechanism"));
        assertEquals(JAAS, c.settings().get("sasl.jaas.config"));
        assertEquals(SECRET, c.settings().get("ssl.truststore.password"));
        assertEquals(f.toString(), c.file());

        // Applied over a client's defaults, with the servers.
        Properties p = c.properties(Map.of("client.id", "x", "sasl.mechanism", "GSSAPI"));
        assertEquals("b1:9093,b2:9093", p.get("bootstrap.servers"));
        assertEquals("x", p.get("client.id"));
        assertEquals("PLAIN", p.get("sasl.mechanism"));
        assertEquals(JAAS, p.get("sasl.jaas.config"));
    }

    @Test
    void secretsAreHiddenInEveryTextButKeptForTheClients(@TempDir Path dir) throws Exception {
        Path f =
                write(
                        dir,
                        "security.protocol=SASL_SSL\nsasl.mechanism=PLAIN\nsasl.jaas.config="
                                + JAAS.replace("\"", "\\\"")
                                + "\nssl.key.password="
                                + SECRET
                                + "\nssl.keystore.key="
                                + SECRET
                                + "\nsasl.oauthbearer.client.credentials.client.secret="
                                + SECRET
                                + "\n");
        KafkaClientConfig c = KafkaClientConfig.load("b:9093", f);
        for (String text : new String[] {c.toString(), c.describe()}) {
            assertFalse(text.contains(SECRET), text);
            assertFalse(text.contains("alice"), text);
            assertTrue(text.contains(f.toString()), text);
            assertTrue(text.contains("sasl.jaas.config"), text);
        }
        assertTrue(c.toString().contains("security.protocol=SASL_SSL"), c.toString());
        assertTrue(c.toString().contains("sasl.jaas.config=[hidden]"), c.toString());
        // describe() (provenance, summaries) names keys only.
        assertFalse(c.describe().contains("SASL_SSL"), c.describe());

        // A Kafka message quoting the JAAS configuration, or the password alone, is redacted.
        String m = c.redact("Unexpected token in " + JAAS + " near password=\"" + SECRET + "\"");
        assertFalse(m.contains(SECRET), m);
        assertTrue(m.contains("Unexpected token in"), m);
    }

    @Test
    void aShortSecretIsHiddenWhereItStandsAloneNotInsideOtherWords() {
        KafkaClientConfig c =
                KafkaClientConfig.of(
                        "b:9093",
                        Map.of(
                                "sasl.jaas.config",
                                "org.apache.kafka.common.security.plain.PlainLoginModule required"
                                        + " username=\"u\" password=\"e\";"));
        String m = c.redact("Unexpected request from u: password=\"e\" refused");
        assertEquals("Unexpected request from [hidden]: password=\"[hidden]\" refused", m);
    }

    @Test
    void classifiesSecretKeys() {
        for (String k :
                Set.of(
                        "sasl.jaas.config",
                        "ssl.key.password",
                        "ssl.keystore.password",
                        "ssl.truststore.password",
                        "ssl.keystore.key",
                        "ssl.keystore.certificate.chain",
                        "ssl.truststore.certificates",
                        "sasl.oauthbearer.token.endpoint.url.secret",
                        "basic.auth.credentials.source")) {
            assertTrue(KafkaClientConfig.isSecret(k), k);
        }
        for (String k :
                Set.of(
                        "security.protocol",
                        "sasl.mechanism",
                        "ssl.truststore.location",
                        "request.timeout.ms",
                        "ssl.endpoint.identification.algorithm")) {
            assertFalse(KafkaClientConfig.isSecret(k), k);
        }
    }

    private static String refusal(Path file) {
        return assertThrows(
                        InvalidClientConfigException.class,
                        () -> KafkaClientConfig.load("b:9092", file))
                .getMessage();
    }

    @Test
    void refusesSettingsTheJobOwnsNamingTheFlag(@TempDir Path dir) throws Exception {
        Path f = write(dir, "security.protocol=SASL_SSL\n\nbootstrap.servers=other:9092\n");
        String e = refusal(f);
        assertEquals(
                f
                        + ":3: 'bootstrap.servers' is set by streamgrad (use --bootstrap-servers);"
                        + " delete it from the client settings",
                e);
        for (String[] owned :
                new String[][] {
                    {"group.id", "--group-id"},
                    {"transactional.id", "--group-id"},
                    {"enable.auto.commit", "checkpoint"},
                    {"key.serializer", "Avro"},
                    {"value.deserializer", "Avro"},
                    {"isolation.level", "read_committed"},
                    {"auto.offset.reset", "--from"}
                }) {
            Path g = write(dir, owned[0] + "=x\n");
            String ex = refusal(g);
            assertTrue(ex.startsWith(g + ":1: '" + owned[0] + "'"), ex);
            assertTrue(ex.contains(owned[1]), ex);
        }
    }

    @Test
    void badFilesAreNamedWithTheLineAndNeverQuoteAValue(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("nope.properties");
        String e = refusal(missing);
        assertTrue(e.startsWith(missing + ": no such file"), e);

        String d = refusal(dir);
        assertTrue(d.startsWith(dir + ": cannot be read"), d);
        assertTrue(d.contains("a directory"), d);

        Path twice =
                write(
                        dir,
                        "sasl.jaas.config=" + SECRET + "\n# c\nsasl.jaas.config=" + SECRET + "x\n");
        String t = refusal(twice);
        assertEquals(twice + ":3: 'sasl.jaas.config' is also set on line 1; keep one of them", t);

        Path empty = write(dir, "security.protocol=SASL_SSL\nsasl.mechanism=\n");
        String v = refusal(empty);
        assertEquals(empty + ":2: 'sasl.mechanism' has no value; give one or delete the line", v);
    }

    @Test
    void unknownKeysAreReportedKnownOnesAreNot(@TempDir Path dir) throws Exception {
        Path f =
                write(
                        dir,
                        "security.protocol=SASL_SSL\nsasl.jaas.confg=x\nrequest.timeout.ms=60000\n"
                                + "linger.ms=5\nmax.poll.records=10\n");
        assertEquals(Set.of("sasl.jaas.confg"), KafkaClientConfig.load("b:9092", f).unknownKeys());
        // A streams-only key is known too (the shortcut for no file must not skip Streams').
        Path streams = write(dir, "num.stream.threads=2\n");
        assertEquals(Set.of(), KafkaClientConfig.load("b:9092", streams).unknownKeys());
        assertEquals(Set.of(), KafkaClientConfig.plain("b:9092").unknownKeys());
    }

    @Test
    void plainHasNoSettingsAndSerializes() throws Exception {
        KafkaClientConfig c = KafkaClientConfig.plain("localhost:9092");
        assertEquals("localhost:9092", c.describe());
        assertEquals("localhost:9092", c.toString());
        assertNull(c.file());
        assertEquals(Map.of(), c.settings());
        assertEquals(KafkaClientConfig.plain("localhost:9092"), c);
        try (ObjectOutputStream out = new ObjectOutputStream(new ByteArrayOutputStream())) {
            out.writeObject(KafkaClientConfig.of("b:1", Map.of("sasl.mechanism", "PLAIN")));
        }
    }

    @Test
    void carriesItsWaitForKafkaWhichOnlyWithTimeoutMsChanges() {
        KafkaClientConfig c = KafkaClientConfig.of("b:1", Map.of("sasl.mechanism", "PLAIN"));
        assertEquals(KafkaClientConfig.DEFAULT_TIMEOUT_MS, c.timeoutMs());
        KafkaClientConfig slow = c.withTimeoutMs(30_000);
        assertEquals(30_000, slow.timeoutMs());
        assertEquals(c.settings(), slow.settings());
        assertEquals(c.bootstrapServers(), slow.bootstrapServers());
        assertNotEquals(c, slow);
        assertEquals(c, slow.withTimeoutMs(KafkaClientConfig.DEFAULT_TIMEOUT_MS));
        assertThrows(IllegalArgumentException.class, () -> c.withTimeoutMs(0));
    }
}
