package io.streamgrad.kafka;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed certificate for {@code localhost} and 127.0.0.1 in a PKCS12 keystore, and a
 * truststore that trusts it: what {@link EmbeddedKafkaBroker}'s SASL_SSL listener serves and its
 * clients verify, host name included (Kafka clients check it by default, {@code
 * ssl.endpoint.identification.algorithm=https}). Made by the running JDK's own {@code keytool}, so
 * nothing but the JDK is needed; an EC P-256 key, valid for two days.
 *
 * @param directory where the two files are (created for them)
 * @param keystore the key and its certificate (PKCS12)
 * @param truststore the certificate alone (PKCS12)
 * @param password both stores' password, and the key's
 */
public record SelfSignedTls(Path directory, Path keystore, Path truststore, String password) {
    private static final long KEYTOOL_TIMEOUT_S = 60;

    /**
     * Makes the two stores in {@code directory}.
     *
     * @throws IllegalStateException when keytool is missing (a JRE without it) or fails, with its
     *     output
     */
    public static SelfSignedTls create(Path directory) {
        String password = UUID.randomUUID().toString();
        SelfSignedTls t =
                new SelfSignedTls(
                        directory,
                        directory.resolve("broker.p12"),
                        directory.resolve("truststore.p12"),
                        password);
        Path certificate = directory.resolve("broker.crt");
        try {
            Files.createDirectories(directory);
            keytool(
                    "-genkeypair",
                    "-alias",
                    "broker",
                    "-keyalg",
                    "EC",
                    "-groupname",
                    "secp256r1",
                    "-validity",
                    "2",
                    "-dname",
                    "CN=localhost",
                    "-ext",
                    "SAN=dns:localhost,ip:127.0.0.1",
                    "-keystore",
                    t.keystore.toString(),
                    "-storetype",
                    "PKCS12",
                    "-storepass",
                    password,
                    "-keypass",
                    password);
            keytool(
                    "-exportcert",
                    "-alias",
                    "broker",
                    "-rfc",
                    "-keystore",
                    t.keystore.toString(),
                    "-storepass",
                    password,
                    "-file",
                    certificate.toString());
            keytool(
                    "-importcert",
                    "-noprompt",
                    "-alias",
                    "broker",
                    "-file",
                    certificate.toString(),
                    "-keystore",
                    t.truststore.toString(),
                    "-storetype",
                    "PKCS12",
                    "-storepass",
                    password);
            return t;
        } catch (IOException | RuntimeException e) {
            try (var files = Files.walk(directory)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // the caller's failure matters, not a leftover temporary directory
            }
            throw new IllegalStateException("cannot make a self-signed certificate: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while making a certificate", e);
        }
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        // Its output goes to a file, not a pipe: a pipe read to its end would outwait the timeout.
        Path log = Files.createTempFile("streamgrad-keytool-", ".log");
        try {
            Process p =
                    new ProcessBuilder(command)
                            .redirectErrorStream(true)
                            .redirectOutput(log.toFile())
                            .start();
            if (!p.waitFor(KEYTOOL_TIMEOUT_S, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(
                        "keytool " + args[0] + " did not end in " + KEYTOOL_TIMEOUT_S + " s");
            }
            if (p.exitValue() != 0) {
                String output = Files.readString(log, StandardCharsets.UTF_8);
                throw new IOException(
                        "keytool "
                                + args[0]
                                + " failed (exit "
                                + p.exitValue()
                                + "): "
                                + output.strip());
            }
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
