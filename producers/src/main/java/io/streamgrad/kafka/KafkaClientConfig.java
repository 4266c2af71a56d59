package io.streamgrad.kafka;

import java.io.IOException;
import java.io.Serializable;
import java.io.StringReader;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Where Kafka is and how to talk to it: the bootstrap servers and the client settings of a Java
 * properties file (security protocol, SASL, SSL, timeouts…), given once as Kafka's own tools take
 * {@code --command-config}. Every client streamgrad makes (producers, consumers, admin clients,
 * Kafka Streams, the Flink source and sinks) gets its properties from {@link #properties}, so the
 * file applies to all alike.
 *
 * <p>Settings the job owns (bootstrap servers, serdes, group and transactional ids, offset commits,
 * isolation, acknowledgements) are refused at load, naming the flag or rule that sets them. Other
 * settings override streamgrad's defaults for the same key. Secrets (passwords, JAAS
 * configurations, keys, tokens) never leave this object in text: {@link #toString} hides their
 * values and {@link #describe} names only keys.
 *
 * <p>Immutable and serializable: it travels inside the Flink job's configuration to the source and
 * sinks.
 */
public final class KafkaClientConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    /** What stands for a secret value in every text this class makes. */
    public static final String HIDDEN = "[hidden]";

    /** Keys streamgrad sets itself, with what sets them, for the refusal message. */
    private static final Map<String, String> OWNED = owned();

    private static final Pattern SECRET_NAME =
            Pattern.compile("password|secret|jaas|token|credential|ssl\\.key|\\.key$");

    /** How long a command waits for Kafka to answer unless told otherwise: 10 s (10,000 ms). */
    public static final long DEFAULT_TIMEOUT_MS = 10_000;

    private final String bootstrapServers;
    private final Map<String, String> settings;
    private final String file;
    private final long timeoutMs;

    private KafkaClientConfig(
            String bootstrapServers, Map<String, String> settings, String file, long timeoutMs) {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("bootstrap servers must be given");
        }
        if (timeoutMs < 1 || timeoutMs > Integer.MAX_VALUE) {
            // Kafka's clients take their timeouts as int milliseconds.
            throw new IllegalArgumentException(
                    "the timeout must be 1 to " + Integer.MAX_VALUE + " ms, got " + timeoutMs);
        }
        this.bootstrapServers = bootstrapServers;
        this.settings = Collections.unmodifiableMap(new TreeMap<>(settings));
        this.file = file;
        this.timeoutMs = timeoutMs;
    }

    private KafkaClientConfig(String bootstrapServers, Map<String, String> settings, String file) {
        this(bootstrapServers, settings, file, DEFAULT_TIMEOUT_MS);
    }

    /**
     * Plaintext, no client settings: a broker that needs no authentication (the demo's, tests').
     */
    public static KafkaClientConfig plain(String bootstrapServers) {
        return new KafkaClientConfig(bootstrapServers, Map.of(), null);
    }

    /**
     * Reads client settings from a Java properties file ({@link Properties#load} syntax: {@code
     * key=value}, {@code #} comments, {@code \} continues a line).
     *
     * @param file the properties file; null for none
     * @throws InvalidClientConfigException naming the file (and line) when it cannot be read, a key
     *     has no value or is set twice, or a key is one streamgrad sets itself
     */
    public static KafkaClientConfig load(String bootstrapServers, Path file) {
        if (file == null) {
            return plain(bootstrapServers);
        }
        return new KafkaClientConfig(bootstrapServers, parse(file), file.toString());
    }

    /** With explicit settings (checked as a file's are); for tests and programmatic use. */
    public static KafkaClientConfig of(String bootstrapServers, Map<String, String> settings) {
        settings.keySet().forEach(k -> requireNotOwned(k, "settings"));
        return new KafkaClientConfig(bootstrapServers, settings, null);
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /**
     * How long a command waits for Kafka to answer one request before it counts as unreachable, in
     * ms ({@code --kafka-timeout-ms}; {@link #DEFAULT_TIMEOUT_MS} unless set): every admin client
     * made from this configuration waits this long, so that the flag holds for every part of a
     * command, not only its first checks.
     */
    public long timeoutMs() {
        return timeoutMs;
    }

    /**
     * The same servers and settings with another wait for Kafka's answers.
     *
     * @param timeoutMs in ms, 1 to {@link Integer#MAX_VALUE}
     * @throws IllegalArgumentException when it is outside that
     */
    public KafkaClientConfig withTimeoutMs(long timeoutMs) {
        return new KafkaClientConfig(bootstrapServers, settings, file, timeoutMs);
    }

    /** The file's settings, by key (secrets in clear: hand them only to Kafka clients). */
    public Map<String, String> settings() {
        return settings;
    }

    /** The properties file the settings came from, or null. */
    public String file() {
        return file;
    }

    /**
     * The properties of one client: {@code defaults} (streamgrad's settings for that client), then
     * the bootstrap servers and the file's settings over them.
     *
     * @param defaults the client's own settings, e.g. serializers, client id, timeouts
     * @return a new, mutable {@link Properties}
     */
    public Properties properties(Map<?, ?> defaults) {
        Properties p = new Properties();
        p.putAll(defaults);
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.putAll(settings);
        return p;
    }

    /** The file's keys that no Kafka client (producer, consumer, admin, Streams) knows. */
    public Set<String> unknownKeys() {
        if (settings.isEmpty()) {
            // The known keys come from the clients' definitions, and Kafka Streams' loads its
            // classes: 0.3 s of every command's start, for nothing when there is no file.
            return new TreeSet<>();
        }
        Set<String> known = knownKeys();
        return settings.keySet().stream()
                .filter(k -> !known.contains(k))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /** Whether a setting's value must never be shown: passwords, JAAS configurations, keys. */
    public static boolean isSecret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return SECRET_NAME.matcher(k).find() || PasswordKeys.ALL.contains(k);
    }

    /**
     * {@code text} with every secret value of these settings (and every quoted string inside one,
     * such as a JAAS configuration's password) replaced by {@link #HIDDEN}: for messages of Kafka's
     * exceptions, which may quote what they could not parse.
     */
    public String redact(String text) {
        if (text == null) {
            return null;
        }
        String out = text;
        for (Map.Entry<String, String> e : settings.entrySet()) {
            if (!isSecret(e.getKey()) || e.getValue().isEmpty()) {
                continue;
            }
            out = hide(out, e.getValue());
            Matcher m =
                    Pattern.compile("=\\s*\"([^\"]*)\"|=\\s*([^\\s\";]+)").matcher(e.getValue());
            while (m.find()) {
                String part = m.group(1) != null ? m.group(1) : m.group(2);
                if (!part.isEmpty()) {
                    out = hide(out, part);
                }
            }
        }
        return out;
    }

    /** Values this short are hidden only where they stand alone, not inside other words. */
    private static final int SHORT_SECRET = 6;

    /**
     * {@code text} with {@code secret} replaced by {@link #HIDDEN}: everywhere, or, for a value
     * shorter than {@link #SHORT_SECRET} characters (a JAAS user name "u"), only where no letter or
     * digit adjoins it, so that "request" does not become "req[hidden]est".
     */
    private static String hide(String text, String secret) {
        if (secret.length() >= SHORT_SECRET) {
            return text.replace(secret, HIDDEN);
        }
        return Pattern.compile("(?<![A-Za-z0-9])" + Pattern.quote(secret) + "(?![A-Za-z0-9])")
                .matcher(text)
                .replaceAll(Matcher.quoteReplacement(HIDDEN));
    }

    /** For provenance and summaries: the servers, the file and the names of its keys, no values. */
    public String describe() {
        return text(String.join(", ", settings.keySet()), "(", ")");
    }

    /** For logs: the servers, the file and its settings, secret values {@link #HIDDEN}. */
    @Override
    public String toString() {
        return text(
                settings.entrySet().stream()
                        .map(e -> e.getKey() + "=" + (isSecret(e.getKey()) ? HIDDEN : e.getValue()))
                        .collect(Collectors.joining(", ")),
                "{",
                "}");
    }

    private String text(String entries, String open, String close) {
        if (file == null && settings.isEmpty()) {
            return bootstrapServers;
        }
        return bootstrapServers
                + " with client settings "
                + (file != null ? "from " + file + " " : "")
                + open
                + entries
                + close;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KafkaClientConfig c
                && c.bootstrapServers.equals(bootstrapServers)
                && c.settings.equals(settings)
                && java.util.Objects.equals(c.file, file)
                && c.timeoutMs == timeoutMs;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(bootstrapServers, settings, file, timeoutMs);
    }

    /** A file's settings, each checked, in file order; errors name the file and line. */
    private static Map<String, String> parse(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.ISO_8859_1);
        } catch (NoSuchFileException e) {
            throw new InvalidClientConfigException(
                    file + ": no such file; give the Kafka client properties file to use");
        } catch (AccessDeniedException e) {
            throw new InvalidClientConfigException(
                    file + ": permission denied; make it readable by this user (and no one else)");
        } catch (MalformedInputException e) {
            throw new InvalidClientConfigException(file + ": not a text file");
        } catch (IOException e) {
            throw new InvalidClientConfigException(
                    file
                            + ": cannot be read ("
                            + (Files.isDirectory(file) ? "a directory" : e.getMessage())
                            + "); give a Kafka client properties file");
        }
        Map<String, String> out = new LinkedHashMap<>();
        Map<String, Integer> lineOf = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            int first = i;
            String trimmed = lines.get(i).stripLeading();
            if (trimmed.isEmpty() || trimmed.startsWith("#") || trimmed.startsWith("!")) {
                continue;
            }
            // A logical line: lines ending in an odd number of backslashes continue.
            StringBuilder logical = new StringBuilder(lines.get(i));
            while (endsWithContinuation(lines.get(i)) && i + 1 < lines.size()) {
                i++;
                logical.append('\n').append(lines.get(i));
            }
            Properties one = new Properties();
            try {
                one.load(new StringReader(logical.toString()));
            } catch (IOException | IllegalArgumentException e) {
                throw new InvalidClientConfigException(
                        file
                                + ":"
                                + (first + 1)
                                + ": not a key=value line ("
                                + e.getMessage()
                                + ")");
            }
            for (String key : one.stringPropertyNames()) {
                String where = file + ":" + (first + 1);
                String value = one.getProperty(key).strip();
                requireNotOwned(key, where);
                if (value.isEmpty()) {
                    throw new InvalidClientConfigException(
                            where + ": '" + key + "' has no value; give one or delete the line");
                }
                Integer before = lineOf.put(key, first + 1);
                if (before != null) {
                    throw new InvalidClientConfigException(
                            where
                                    + ": '"
                                    + key
                                    + "' is also set on line "
                                    + before
                                    + "; keep one of them");
                }
                out.put(key, value);
            }
        }
        return out;
    }

    private static boolean endsWithContinuation(String line) {
        int n = 0;
        for (int j = line.length() - 1; j >= 0 && line.charAt(j) == '\\'; j--) {
            n++;
        }
        return n % 2 == 1;
    }

    private static void requireNotOwned(String key, String where) {
        String owner = OWNED.get(key);
        if (owner != null) {
            throw new InvalidClientConfigException(
                    where
                            + ": '"
                            + key
                            + "' is set by streamgrad ("
                            + owner
                            + "); delete it from the client settings");
        }
    }

    private static Map<String, String> owned() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, "use --bootstrap-servers");
        String serde = "records are bytes in streamgrad's Avro single-object encoding";
        m.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, serde);
        m.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, serde);
        m.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, serde);
        m.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, serde);
        m.put(ConsumerConfig.GROUP_ID_CONFIG, "use --group-id");
        m.put(
                ProducerConfig.TRANSACTIONAL_ID_CONFIG,
                "the exactly-once sinks derive it from --group-id");
        m.put(
                ProducerConfig.TRANSACTION_TIMEOUT_CONFIG,
                "the sinks size it from --checkpoint-interval-ms");
        m.put(
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                "offsets are committed with each checkpoint");
        m.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "use --from");
        m.put(
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "every reader reads read_committed, so outputs are exactly once");
        m.put(ProducerConfig.ACKS_CONFIG, "all, for exactly-once outputs");
        m.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "on, for exactly-once outputs");
        m.put(StreamsConfig.APPLICATION_ID_CONFIG, "use join's --application-id");
        m.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, "the join is exactly-once (v2)");
        return Collections.unmodifiableMap(m);
    }

    private static Set<String> knownKeys() {
        Set<String> s = new TreeSet<>();
        s.addAll(ProducerConfig.configNames());
        s.addAll(ConsumerConfig.configNames());
        s.addAll(AdminClientConfig.configNames());
        s.addAll(StreamsConfig.configDef().names());
        return s;
    }

    /** Keys Kafka's own client definitions type as passwords (it hides them in its logs too). */
    private static final class PasswordKeys {
        static final Set<String> ALL = passwordKeys();

        private static Set<String> passwordKeys() {
            Set<String> s = new TreeSet<>();
            for (ConfigDef d :
                    List.of(
                            ProducerConfig.configDef(),
                            ConsumerConfig.configDef(),
                            AdminClientConfig.configDef())) {
                d.configKeys().values().stream()
                        .filter(k -> k.type == ConfigDef.Type.PASSWORD)
                        .forEach(k -> s.add(k.name));
            }
            return s;
        }
    }
}
