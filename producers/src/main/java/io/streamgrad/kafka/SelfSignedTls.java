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
 * A self-signed certificate in a PKCS12 keystore, and a truststore that trusts it: for {@code
 * localhost} and 127.0.0.1, what {@link EmbeddedKafkaBroker}'s TLS listeners serve and their
 * clients verify, host name included (Kafka clients check it by default, {@code
 * ssl.endpoint.identification.algorithm=https}); or a client's, which a listener that requires
 * client certificates (mutual TLS) trusts. Made by the running JDK's own {@code keytool}, so
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
     * Makes a broker's two stores in {@code directory}: {@code broker.p12}, {@code truststore.p12}.
     *
     * @throws IllegalStateException when keytool is missing (a JRE without it) or fails, with its
     *     output
     */
    public static SelfSignedTls create(Path directory) {
        return create(directory, "broker", "truststore", "CN=localhost", true);
    }

    /**
     * Makes a client's two stores in {@code directory}: {@code client.p12}, {@code
     * client-trust.p12} (for the broker), the certificate's subject {@code CN=<commonName>}.
     *
     * @throws IllegalStateException as {@link #create(Path)}
     */
    public static SelfSignedTls createClient(Path directory, String commonName) {
        return create(directory, "client", "client-trust", "CN=" + commonName, false);
    }

    private static SelfSignedTls create(
            Path directory, String alias, String trustName, String dname, boolean localhost) {
        String password = UUID.randomUUID().toString();
        SelfSignedTls t =
                new SelfSignedTls(
                        directory,
                        directory.resolve(alias + ".p12"),
                        directory.resolve(trustName + ".p12"),
                        password);
        Path certificate = directory.resolve(alias + ".crt");
        try {
            Files.createDirectories(directory);
            List<String> generate =
                    new ArrayList<>(
                            List.of(
                                    "-genkeypair",
                                    "-alias",
                                    alias,
                                    "-keyalg",
                                    "EC",
                                    "-groupname",
                                    "secp256r1",
                                    "-validity",
                                    "2",
                                    "-dname",
                                    dname));
            if (localhost) {
                generate.addAll(List.of("-ext", "SAN=dns:localhost,ip:127.0.0.1"));
            }
            generate.addAll(
                    List.of(
                            "-keystore",
                            t.keystore.toString(),
                            "-storetype",
                            "PKCS12",
                            "-storepass",
                            password,
                            "-keypass",
                            password));
            keytool(generate.toArray(String[]::new));
            keytool(
                    "-exportcert",
                    "-alias",
                    alias,
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
                    alias,
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
