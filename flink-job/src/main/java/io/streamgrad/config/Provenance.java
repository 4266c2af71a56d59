package io.streamgrad.config;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.RecordComponent;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;

/**
 * Where a model came from, derived from the configuration records themselves: every component of a
 * record, recursively, becomes one entry, so a setting added to a configuration record is recorded
 * without anyone listing it. Keys are the component paths in snake_case joined by dots ({@code
 * training.batching.batch_size}); values are the settings as users write them (a value type with a
 * {@code describe()} method is described by it, an enum by its {@code wireName()}).
 */
public final class Provenance {
    /** The key of the build version of the code that trained the model. */
    public static final String CODE_VERSION = "code_version";

    private Provenance() {}

    /**
     * The settings of a configuration record, flattened.
     *
     * @param prefix the key prefix of the record's components (no trailing dot), or "" for none
     * @throws IllegalArgumentException if {@code config} is not a record
     */
    public static Map<String, String> of(String prefix, Record config) {
        Map<String, String> out = new LinkedHashMap<>();
        flatten(prefix, config, out);
        return out;
    }

    private static void flatten(String prefix, Object value, Map<String, String> out) {
        String described = described(value);
        if (described != null || !(value instanceof Record r)) {
            out.put(prefix, described != null ? described : String.valueOf(value));
            return;
        }
        for (RecordComponent c : r.getClass().getRecordComponents()) {
            Object v;
            try {
                c.getAccessor().setAccessible(true);
                v = c.getAccessor().invoke(r);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot read " + c, e);
            }
            String key = snakeCase(c.getName());
            flatten(prefix.isEmpty() ? key : prefix + "." + key, v, out);
        }
    }

    /** A value's own description, or null when it has none and is a record to open up. */
    private static String described(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof Collection<?> c) {
            return c.stream()
                    .map(v -> described(v) != null ? described(v) : String.valueOf(v))
                    .collect(Collectors.joining(","));
        }
        for (String method : new String[] {"describe", "wireName"}) {
            try {
                var m = value.getClass().getMethod(method);
                if (m.getReturnType() == String.class && m.getParameterCount() == 0) {
                    return (String) m.invoke(value);
                }
            } catch (NoSuchMethodException e) {
                // next
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot describe " + value, e);
            }
        }
        if (value instanceof Enum<?> e) {
            return e.name().toLowerCase(java.util.Locale.ROOT);
        }
        return value instanceof Record ? null : String.valueOf(value);
    }

    static String snakeCase(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
    }

    /** The version of streamgrad that was built (from the build), or "unknown" when run unbuilt. */
    public static String codeVersion() {
        return buildProperty("version");
    }

    /**
     * The git commit the code was built from ({@code git describe --always --dirty} at build time:
     * a hash, with {@code -dirty} for uncommitted changes), or "unknown" when built outside git.
     */
    public static String gitCommit() {
        return buildProperty("git.commit");
    }

    private static String buildProperty(String key) {
        try (InputStream in = Provenance.class.getResourceAsStream("build.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty(key, "unknown").strip();
            // An unfiltered placeholder: the build did not set it.
            return v.isEmpty() || v.startsWith("${") ? "unknown" : v;
        } catch (IOException e) {
            return "unknown";
        }
    }
}
