package io.streamgrad.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The OpenAPI v3 schemas of custom resources as the operators release them, and a validation of a
 * manifest against them as strict as the API server's: besides types, enums and required fields, a
 * field a schema does not declare is an error (the API server prunes or, with strict field
 * validation, refuses it) unless the schema keeps unknown fields ({@code
 * x-kubernetes-preserve-unknown-fields}).
 *
 * <p>Where the CRDs come from (flink-job/pom.xml puts the jars in target/): the Flink Kubernetes
 * Operator's api jar carries its CRDs (META-INF/fabric8/), unpacked as they are; Strimzi publishes
 * none on Maven Central, so its released crd-generator makes them from its released api classes, as
 * Strimzi's own build does (in a forked JVM: both are compiled for Java 21).
 */
final class CrdSchemas {
    static final Path TARGET = Path.of("target").toAbsolutePath();
    static final Path FLINK_CRD =
            TARGET.resolve(
                    "test-classes/crds/META-INF/fabric8/flinkdeployments.flink.apache.org-v1.yml");
    private static final Path STRIMZI_JARS = TARGET.resolve("strimzi-crd-generator");
    private static final Path STRIMZI_CRDS = TARGET.resolve("strimzi-crds");

    /** The Strimzi kinds deploy/k8s/ uses, by their api classes. */
    private static final Map<String, String> STRIMZI_KINDS =
            Map.of(
                    "kafka.yaml", "io.strimzi.api.kafka.model.kafka.Kafka",
                    "kafkanodepool.yaml", "io.strimzi.api.kafka.model.nodepool.KafkaNodePool",
                    "kafkatopic.yaml", "io.strimzi.api.kafka.model.topic.KafkaTopic");

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private final Map<String, Schema> schemas;

    private CrdSchemas(Map<String, Schema> schemas) {
        this.schemas = schemas;
    }

    static CrdSchemas load() throws IOException, InterruptedException {
        List<Path> crds = new ArrayList<>();
        crds.add(FLINK_CRD);
        crds.addAll(strimziCrds());
        SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4);
        Map<String, Schema> schemas = new HashMap<>();
        for (Path file : crds) {
            for (JsonNode crd : read(file)) {
                if (!"CustomResourceDefinition".equals(crd.path("kind").asText())) {
                    continue;
                }
                String group = crd.path("spec").path("group").asText();
                String kind = crd.path("spec").path("names").path("kind").asText();
                for (JsonNode version : crd.path("spec").path("versions")) {
                    JsonNode openApi = version.path("schema").path("openAPIV3Schema");
                    if (openApi.isMissingNode() || !version.path("served").asBoolean()) {
                        continue;
                    }
                    String key = group + "/" + version.path("name").asText() + " " + kind;
                    schemas.put(key, registry.getSchema(closed(withTypeMeta(openApi.deepCopy()))));
                }
            }
        }
        return new CrdSchemas(schemas);
    }

    /** Strimzi's CRDs of the kinds used, made once per build by Strimzi's crd-generator. */
    private static List<Path> strimziCrds() throws IOException, InterruptedException {
        List<Path> out =
                STRIMZI_KINDS.keySet().stream().sorted().map(STRIMZI_CRDS::resolve).toList();
        if (out.stream().allMatch(Files::isRegularFile)) {
            return out;
        }
        Files.createDirectories(STRIMZI_CRDS);
        List<String> cmd = new ArrayList<>();
        cmd.add(java21().toString());
        cmd.add("-cp");
        cmd.add(STRIMZI_JARS.resolve("*").toString());
        cmd.add("io.strimzi.crdgenerator.CrdGenerator");
        // The arguments of Strimzi's own build for its v1-only CRDs.
        cmd.addAll(
                List.of(
                        "--crd-api-version",
                        "v1",
                        "--api-versions",
                        "v1",
                        "--storage-version",
                        "v1",
                        "--yaml"));
        STRIMZI_KINDS.forEach((file, type) -> cmd.add(type + "=" + STRIMZI_CRDS.resolve(file)));
        Path log = TARGET.resolve("strimzi-crd-generator.log");
        Process p =
                new ProcessBuilder(cmd)
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
        if (!p.waitFor(3, TimeUnit.MINUTES) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new AssertionError(
                    "Strimzi's crd-generator failed: "
                            + String.join(" ", cmd)
                            + "\n"
                            + Files.readString(log));
        }
        return out;
    }

    /**
     * A Java 21 or newer for Strimzi's jars: $STREAMGRAD_JAVA21_HOME, this JVM if new enough, or a
     * JDK under /usr/lib/jvm (the project's machines have Temurin 25 there).
     */
    private static Path java21() throws IOException {
        List<Path> homes = new ArrayList<>();
        String env = System.getenv("STREAMGRAD_JAVA21_HOME");
        if (env != null) {
            homes.add(Path.of(env));
        }
        if (Runtime.version().feature() >= 21) {
            homes.add(Path.of(System.getProperty("java.home")));
        }
        Path jvms = Path.of("/usr/lib/jvm");
        if (Files.isDirectory(jvms)) {
            try (Stream<Path> dirs = Files.list(jvms)) {
                dirs.sorted(Comparator.reverseOrder()).forEach(homes::add);
            }
        }
        for (Path home : homes) {
            Path java = home.resolve("bin/java");
            if (Files.isExecutable(java) && featureVersion(home) >= 21) {
                return java;
            }
        }
        throw new AssertionError(
                "Strimzi's crd-generator needs Java 21 or newer: none found in"
                        + " $STREAMGRAD_JAVA21_HOME, this JVM or /usr/lib/jvm; install one (apt-get"
                        + " install openjdk-21-jdk-headless) or set STREAMGRAD_JAVA21_HOME");
    }

    /** The JDK's feature version from its release file (JAVA_VERSION="25.0.1"), 0 if unknown. */
    private static int featureVersion(Path home) throws IOException {
        Path release = home.resolve("release");
        if (!Files.isRegularFile(release)) {
            return 0;
        }
        for (String line : Files.readAllLines(release)) {
            if (line.startsWith("JAVA_VERSION=")) {
                String v = line.substring("JAVA_VERSION=".length()).replace("\"", "");
                String major = v.split("[.+-]")[0];
                return major.matches("\\d+") ? Integer.parseInt(major) : 0;
            }
        }
        return 0;
    }

    /** The kinds known, as "group/version Kind". */
    Set<String> kinds() {
        return schemas.keySet();
    }

    /**
     * Validates one manifest against its kind's schema.
     *
     * @return the errors, each with the location of the field at fault; empty if valid
     * @throws AssertionError if no CRD on the class path defines the manifest's kind
     */
    List<String> validate(JsonNode manifest) {
        String key = manifest.path("apiVersion").asText() + " " + manifest.path("kind").asText();
        Schema schema = schemas.get(key);
        if (schema == null) {
            throw new AssertionError("no CRD defines " + key + "; known: " + schemas.keySet());
        }
        List<Error> errors = schema.validate(manifest);
        return errors.stream().map(Error::toString).toList();
    }

    /**
     * The fields every object has and the API server checks itself (apiVersion, kind, metadata),
     * declared at the root where a CRD leaves them out, so that closing the root keeps them.
     */
    private static JsonNode withTypeMeta(JsonNode root) {
        if (root instanceof ObjectNode o && o.path("properties") instanceof ObjectNode props) {
            props.putIfAbsent("apiVersion", YAML.createObjectNode().put("type", "string"));
            props.putIfAbsent("kind", YAML.createObjectNode().put("type", "string"));
            props.putIfAbsent("metadata", YAML.createObjectNode().put("type", "object"));
        }
        return root;
    }

    /**
     * Closes every object schema that lists its properties: additionalProperties false, unless it
     * already says what to do with other fields or keeps them
     * (x-kubernetes-preserve-unknown-fields). Walks the schema's structure (properties, items,
     * additionalProperties, allOf/anyOf/oneOf/not), not enum values or defaults that happen to hold
     * a "properties" key.
     */
    private static JsonNode closed(JsonNode schema) {
        if (!(schema instanceof ObjectNode o)) {
            return schema;
        }
        if (o.path("properties") instanceof ObjectNode properties) {
            if (!o.has("additionalProperties")
                    && !o.path("x-kubernetes-preserve-unknown-fields").asBoolean()) {
                o.put("additionalProperties", false);
            }
            properties.elements().forEachRemaining(CrdSchemas::closed);
        }
        closed(o.path("items"));
        closed(o.path("additionalProperties"));
        closed(o.path("not"));
        for (String combinator : List.of("allOf", "anyOf", "oneOf")) {
            o.path(combinator).elements().forEachRemaining(CrdSchemas::closed);
        }
        return schema;
    }

    private static List<JsonNode> read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new AssertionError(file + " is missing: run the generate-test-resources phase");
        }
        try (InputStream in = Files.newInputStream(file)) {
            return YAML.readerFor(JsonNode.class).<JsonNode>readValues(in).readAll();
        } catch (IOException e) {
            throw new UncheckedIOException(file.toString(), e);
        }
    }
}
