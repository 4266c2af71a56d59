package io.streamgrad.run.flags;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.streamgrad.config.InvalidSettingException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * A job file: the same settings as the flags, in YAML. Keys are the long flag names without {@code
 * --}; they may be grouped under any section for readability (a key whose value is a mapping is a
 * section); lists become comma-separated values. The file supplies the defaults of the command's
 * options, so a flag on the command line overrides it and both go through the same parsing and
 * checks — one path from settings to config.
 *
 * <pre>
 * model:
 *   model: mlp:128
 *   features: 784
 *   classes: 10
 *   activation: relu
 *   standardize: "off"
 * optimizer:
 *   optimizer: adam
 *   learning-rate: 0.001
 *   lr-schedule: step:1000:0.5
 * batch-size: 64
 * epochs: 3
 * </pre>
 */
public final class JobFile implements CommandLine.IDefaultValueProvider {
    private final Path file;
    private final Map<String, Setting> values;
    private final List<String> args;

    private JobFile(Path file, Map<String, Setting> values, String[] args) {
        this.file = file;
        this.values = values;
        this.args = List.of(args);
    }

    /**
     * Reads {@code --config FILE} from the arguments, if any, and checks its keys against the
     * command's options.
     *
     * @return the file's values, or null when the arguments name no job file
     */
    public static JobFile fromArgs(String[] args, CommandLine root) {
        if (args.length == 0 || root.getSubcommands().get(args[0]) == null) {
            return null;
        }
        return forCommand(args, root.getSubcommands().get(args[0]));
    }

    /** As {@link #fromArgs}, for arguments of {@code command} itself (the job jar's main). */
    public static JobFile forCommand(String[] args, CommandLine command) {
        if (command.getCommandSpec().findOption("--config") == null) {
            return null; // picocli reports the unknown option
        }
        Path path = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config") && i + 1 < args.length) {
                path = Path.of(args[i + 1]);
            } else if (args[i].startsWith("--config=")) {
                path = Path.of(args[i].substring("--config=".length()));
            }
        }
        if (path == null) {
            return null;
        }
        JobFile f = new JobFile(path, read(path), args);
        f.requireKnownKeys(command);
        return f;
    }

    private static Map<String, Setting> read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new InvalidSettingException("{config} " + file + ": no such file");
        }
        Map<String, Setting> out = new LinkedHashMap<>();
        try (JsonParser p = new YAMLFactory().createParser(file.toFile())) {
            JsonToken first = p.nextToken();
            if (first == null || first == JsonToken.VALUE_NULL) {
                return out;
            }
            if (first != JsonToken.START_OBJECT) {
                throw new InvalidSettingException(
                        "--config "
                                + at(file, p)
                                + ": expected key: value lines (a mapping) at the top");
            }
            readMapping(file, p, out);
        } catch (JsonProcessingException e) {
            String why =
                    e.getOriginalMessage() == null
                            ? e.toString()
                            : e.getOriginalMessage().lines().findFirst().orElse("");
            JsonLocation where = e.getLocation();
            throw new InvalidSettingException(
                    "{config} "
                            + (where != null && where.getLineNr() > 0
                                    ? file + ":" + where.getLineNr()
                                    : file.toString())
                            + " is not valid YAML: "
                            + why);
        } catch (IOException e) {
            throw new InvalidSettingException("{config} " + file + " cannot be read: " + e);
        }
        return out;
    }

    /** The keys of a mapping whose START_OBJECT was just read; a nested mapping is a section. */
    private static void readMapping(Path file, JsonParser p, Map<String, Setting> out)
            throws IOException {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            int line = p.currentTokenLocation().getLineNr();
            JsonToken v = p.nextToken();
            String value;
            Boolean truth = null;
            int items = 1;
            if (v == JsonToken.START_OBJECT) {
                readMapping(file, p, out);
                continue;
            } else if (v == JsonToken.START_ARRAY) {
                List<String> parts = new ArrayList<>();
                for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                    if (!t.isScalarValue()) {
                        throw new InvalidSettingException(
                                "--config "
                                        + at(file, p)
                                        + ": '"
                                        + key
                                        + "' is a list of values, not of lists or mappings");
                    }
                    if (t != JsonToken.VALUE_NULL) {
                        parts.add(scalar(p, t));
                    }
                }
                value = String.join(",", parts);
                items = parts.size();
            } else if (v == JsonToken.VALUE_NULL) {
                continue;
            } else {
                value = scalar(p, v);
                if (v == JsonToken.VALUE_TRUE || v == JsonToken.VALUE_FALSE) {
                    truth = v == JsonToken.VALUE_TRUE;
                }
            }
            Setting before = out.put(key, new Setting(value, truth, line, items));
            if (before != null) {
                throw new InvalidSettingException(
                        "--config "
                                + file
                                + ":"
                                + line
                                + ": '"
                                + key
                                + "' is set twice (line "
                                + before.line()
                                + " set it first): keep one");
            }
        }
    }

    /**
     * A scalar's text for the flag's parser. Words and decimal numbers as written (1e-3 stays 1e-3;
     * a switch's yes/on/off is turned into true/false only for a switch, see {@link
     * #defaultValue}). YAML's other ways of writing a number (0x10, 0b11, 1_000, 010 as octal,
     * .inf) become their value in decimal, as Java reads it, which is what YAML means by them.
     */
    private static String scalar(JsonParser p, JsonToken t) throws IOException {
        String text = p.getText();
        if (t == JsonToken.VALUE_NUMBER_INT) {
            return p.getNumberValue().toString();
        }
        if (t == JsonToken.VALUE_NUMBER_FLOAT) {
            try {
                Double.parseDouble(text);
                return text;
            } catch (NumberFormatException e) {
                return p.getNumberValue().toString();
            }
        }
        return text;
    }

    private static String at(Path file, JsonParser p) {
        return file + ":" + p.currentTokenLocation().getLineNr();
    }

    /**
     * A value of the file ({@link #scalar}), whether YAML reads it as a boolean (yes, on, true…;
     * null when not), and the line its key is on (1 is the first).
     */
    private record Setting(String value, Boolean truth, int line, int items) {}

    /**
     * Where the value a flag has comes from the file: "FILE:LINE", for messages about that value.
     *
     * @param flag the flag's name without {@code --}
     * @return empty when the file does not set it, or the command line does (and wins)
     */
    public Optional<String> origin(String flag) {
        Setting s = values.get(flag);
        if (s == null) {
            return Optional.empty();
        }
        for (String a : args) {
            for (String given : List.of("--" + flag, "--no-" + flag)) {
                if (a.equals(given) || a.startsWith(given + "=")) {
                    return Optional.empty();
                }
            }
        }
        return Optional.of(file + ":" + s.line());
    }

    /**
     * "FILE:LINE: " before a message about the setting at fault ({@link
     * InvalidSettingException#atFault}) when its value came from this file; "" otherwise.
     */
    public static String originPrefix(JobFile f, InvalidSettingException e) {
        if (f == null) {
            return "";
        }
        return e.atFault().flatMap(f::origin).map(where -> where + ": ").orElse("");
    }

    /**
     * "FILE:LINE: " when the option whose value picocli refused got it from this file: picocli
     * names the option, not where its value was written; "" otherwise.
     */
    public static String originPrefix(JobFile f, CommandLine.ParameterException e) {
        if (f == null || !(e.getArgSpec() instanceof OptionSpec o)) {
            return "";
        }
        String name = o.longestName();
        return name.startsWith("--")
                ? f.origin(name.substring(2)).map(where -> where + ": ").orElse("")
                : "";
    }

    private void requireKnownKeys(CommandLine command) {
        Set<String> known = new TreeSet<>();
        for (OptionSpec o : command.getCommandSpec().options()) {
            String name = o.longestName();
            if (name.startsWith("--") && !o.usageHelp() && !o.versionHelp()) {
                known.add(name.substring(2));
            }
        }
        known.remove("config");
        for (Map.Entry<String, Setting> e : values.entrySet()) {
            String key = e.getKey();
            if (!known.contains(key)) {
                throw new InvalidSettingException(
                        "--config "
                                + file
                                + ":"
                                + e.getValue().line()
                                + ": unknown key '"
                                + key
                                + "' for '"
                                + command.getCommandName()
                                + "'"
                                + Nearest.didYouMean(key, known)
                                + "; keys are its flag names without --: "
                                + String.join(", ", known));
            }
            OptionSpec o = command.getCommandSpec().findOption("--" + key);
            if (e.getValue().items() > 1 && o.isMultiValue() && o.splitRegex().isEmpty()) {
                // A flag given again for each value (--variant, --drift-detector) takes one in a
                // file: picocli reads a file's value as one, commas and all.
                throw new InvalidSettingException(
                        "--config "
                                + file
                                + ":"
                                + e.getValue().line()
                                + ": '"
                                + key
                                + "' takes one value in a job file, got a list of "
                                + e.getValue().items()
                                + ": keep one there, or give them all as --"
                                + key
                                + " on the command line, once each (values given there replace"
                                + " the file's)");
            }
        }
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        if (arg instanceof OptionSpec o && o.longestName().startsWith("--")) {
            Setting s = values.get(o.longestName().substring(2));
            if (s == null) {
                return null;
            }
            // A switch takes YAML's yes/no/on/off as true/false; any other option the word as
            // written (standardize: on is the mode "on", not true).
            boolean isSwitch = o.type() == boolean.class || o.type() == Boolean.class;
            return isSwitch && s.truth() != null ? s.truth().toString() : s.value();
        }
        return null;
    }
}
