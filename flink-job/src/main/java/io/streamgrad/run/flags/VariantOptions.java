package io.streamgrad.run.flags;

import io.streamgrad.config.InvalidSettingException;
import io.streamgrad.train.ModelConfigs;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

/**
 * {@code --variant name=N,FLAG=VALUE,...}: the configurations a backtest compares. A variant is the
 * command's own model and batching flags with some of them set again ({@code
 * optimizer=adam,learning-rate=0.01}); the Kafka, topic and job flags are the job's, shared by
 * every variant. One path from flags to configuration: a variant's flags are parsed by the same
 * {@link ModelOptions} and {@link BatchingOptions} as {@code train}'s.
 */
public final class VariantOptions {
    @Option(
            names = "--variant",
            paramLabel = "name=N,FLAG=VALUE[,...]",
            description =
                    "A configuration to compare, repeatable: the command's model and batching"
                            + " flags with some set again, e.g. name=adam,optimizer=adam"
                            + " or name=wide,model=mlp:64,32,batch-size=128 (a value may hold"
                            + " commas). Each trains as model key KEY@N. Default: one variant"
                            + " named 'base' with the flags as given")
    public List<String> variants = new ArrayList<>();

    /** The flags a variant may set. */
    @Command(name = "variant")
    static final class Flags {
        @Mixin ModelOptions model = new ModelOptions();
        @Mixin BatchingOptions batching = new BatchingOptions();
    }

    /**
     * The variants, each parsed from the command's model and batching flags plus its own.
     *
     * @param command the parsed command: its model and batching flags as given are every variant's
     *     starting point ({@code --config} values through its default provider)
     * @throws InvalidSettingException naming the variant and the flag at fault
     */
    public List<ModelConfigs.Variant> toVariants(CommandLine command) {
        List<String> base = new ArrayList<>();
        CommandLine probe = new CommandLine(new Flags());
        for (OptionSpec o : command.getParseResult().matchedOptions()) {
            if (probe.getCommandSpec().findOption(o.longestName()) == null) {
                continue;
            }
            if (o.arity().max() == 0) {
                // A switch: replayed as given, --no-X included (its value is false).
                base.add(switchFlag(o, Boolean.TRUE.equals(o.getValue())));
                continue;
            }
            for (String v : o.originalStringValues()) {
                base.add(o.longestName());
                base.add(v);
            }
        }
        List<String> specs = variants.isEmpty() ? List.of("name=base") : variants;
        List<ModelConfigs.Variant> out = new ArrayList<>();
        for (String spec : specs) {
            out.add(variant(spec, base, command));
        }
        return out;
    }

    private static ModelConfigs.Variant variant(
            String spec, List<String> base, CommandLine command) {
        Map<String, String> settings = settings(spec);
        String name = settings.remove("name");
        if (name == null) {
            throw new InvalidSettingException(
                    "{variant} '" + spec + "' has no name: start it with name=N");
        }
        Flags flags = new Flags();
        CommandLine cli = new CommandLine(flags);
        cli.setOverwrittenOptionsAllowed(true);
        if (command.getDefaultValueProvider() != null) {
            cli.setDefaultValueProvider(command.getDefaultValueProvider());
        }
        List<String> args = new ArrayList<>(base);
        StringBuilder own = new StringBuilder();
        for (Map.Entry<String, String> s : settings.entrySet()) {
            String flag = "--" + s.getKey();
            OptionSpec o = cli.getCommandSpec().findOption(flag);
            if (o == null) {
                TreeSet<String> known = new TreeSet<>();
                for (OptionSpec k : cli.getCommandSpec().options()) {
                    known.add(k.longestName().substring(2));
                }
                boolean jobFlag = command.getCommandSpec().findOption(flag) != null;
                throw new InvalidSettingException(
                        "{variant} "
                                + name
                                + ": "
                                + (jobFlag
                                        ? "'"
                                                + s.getKey()
                                                + "' is the job's, shared by every"
                                                + " variant: give it once as "
                                                + flag
                                        : "unknown setting '"
                                                + s.getKey()
                                                + "'"
                                                + Nearest.didYouMean(s.getKey(), known))
                                + "; a variant sets "
                                + String.join(", ", known));
            }
            if (o.arity().max() == 0) {
                String value = s.getValue().toLowerCase(java.util.Locale.ROOT);
                if (!value.equals("true") && !value.equals("false")) {
                    throw new InvalidSettingException(
                            "{variant} "
                                    + name
                                    + ": "
                                    + s.getKey()
                                    + " is on or off: give "
                                    + s.getKey()
                                    + "=true or "
                                    + s.getKey()
                                    + "=false, got '"
                                    + s.getValue()
                                    + "'");
                }
                if (value.equals("false") && !o.negatable()) {
                    continue; // off is its default
                }
                args.add(switchFlag(o, value.equals("true")));
            } else {
                args.add(flag);
                args.add(s.getValue());
            }
            own.append(own.length() == 0 ? "" : ",")
                    .append(s.getKey())
                    .append('=')
                    .append(s.getValue());
        }
        try {
            cli.parseArgs(args.toArray(String[]::new));
            return new ModelConfigs.Variant(
                    name,
                    own.toString(),
                    // The variants' passes over the range must agree (ModelConfigs.variants).
                    flags.model.toTrainingConfig(flags.batching.toBatching()));
        } catch (CommandLine.ParameterException e) {
            throw new InvalidSettingException("{variant} " + name + ": " + e.getMessage());
        } catch (InvalidSettingException e) {
            // Keeps the {setting} tokens, so the message still spells them as the reader knows
            // them.
            throw new InvalidSettingException(
                    "{variant} " + name + ": " + e.render(n -> "{" + n + "}"));
        }
    }

    /** A switch on ({@code --X}) or off ({@code --no-X}, for a negatable one). */
    private static String switchFlag(OptionSpec o, boolean on) {
        return on ? o.longestName() : "--no-" + o.longestName().substring(2);
    }

    /**
     * {@code name=a,optimizer=adam,model=mlp:64,32} → name=a, optimizer=adam, model=mlp:64,32: a
     * piece without '=' continues the previous value (hidden layer lists hold commas).
     */
    static Map<String, String> settings(String spec) {
        Map<String, String> out = new LinkedHashMap<>();
        String last = null;
        for (String piece : spec.split(",", -1)) {
            int eq = piece.indexOf('=');
            if (eq < 0) {
                if (last == null) {
                    throw new InvalidSettingException(
                            "{variant} '" + spec + "': expected KEY=VALUE, got '" + piece + "'");
                }
                out.put(last, out.get(last) + "," + piece);
                continue;
            }
            last = piece.substring(0, eq).strip();
            if (last.isEmpty() || out.containsKey(last)) {
                throw new InvalidSettingException(
                        "{variant} '"
                                + spec
                                + "': "
                                + (last.isEmpty() ? "a setting has no key" : last + " twice"));
            }
            out.put(last, piece.substring(eq + 1).strip());
        }
        return out;
    }
}
