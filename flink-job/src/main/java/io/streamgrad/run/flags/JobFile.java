package io.streamgrad.run.flags;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.streamgrad.config.InvalidSettingException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
    private final Map<String, String> values;

    private JobFile(Path file, Map<String, String> values) {
        this.file = file;
        this.values = values;
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
        JobFile f = new JobFile(path, read(path));
        f.requireKnownKeys(command);
        return f;
    }

    private static Map<String, String> read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new InvalidSettingException("{config} " + file + ": no such file");
        }
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
        } catch (IOException e) {
            String why =
                    e.getMessage() == null
                            ? e.toString()
                            : e.getMessage().lines().findFirst().orElse("");
            throw new InvalidSettingException("{config} " + file + " is not valid YAML: " + why);
        }
        Map<String, String> out = new LinkedHashMap<>();
        if (root == null || root.isNull() || root.isMissingNode()) {
            return out;
        }
        if (!root.isObject()) {
            throw new InvalidSettingException(
                    "--config " + file + ": expected key: value lines (a mapping) at the top");
        }
        flatten(file, root, out);
        return out;
    }

    private static void flatten(Path file, JsonNode node, Map<String, String> out) {
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> e = fields.next();
            JsonNode v = e.getValue();
            if (v.isObject()) {
                flatten(file, v, out);
                continue;
            }
            String value;
            if (v.isArray()) {
                List<String> parts = new ArrayList<>();
                v.forEach(item -> parts.add(item.asText()));
                value = String.join(",", parts);
            } else if (v.isNull()) {
                continue;
            } else {
                value = v.asText();
            }
            if (out.put(e.getKey(), value) != null) {
                throw new InvalidSettingException(
                        "--config " + file + ": '" + e.getKey() + "' is set twice");
            }
        }
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
        for (String key : values.keySet()) {
            if (!known.contains(key)) {
                throw new InvalidSettingException(
                        "--config "
                                + file
                                + ": unknown key '"
                                + key
                                + "' for '"
                                + command.getCommandName()
                                + "'; keys are its flag names without --: "
                                + String.join(", ", known));
            }
        }
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        if (arg instanceof OptionSpec o && o.longestName().startsWith("--")) {
            return values.get(o.longestName().substring(2));
        }
        return null;
    }
}
