package io.streamgrad.config;

import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A setting (a model, batching, topic or run option) whose value cannot work, found before anything
 * starts. The message names settings as {@code {name}} tokens, where {@code name} is the setting's
 * name in a job file (the flag without its dashes); {@link #render} spells them the way the reader
 * of the message knows them: the CLI as flags ({@code --batch-size}), a job file as keys.
 *
 * <p>{@link #getMessage} spells them as plain names ({@code batch-size}).
 */
public class InvalidSettingException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private static final Pattern TOKEN = Pattern.compile("\\{([a-z][a-z0-9-]*)\\}");

    private final String template;
    private final boolean aboutAValue;

    /**
     * @param template the message, naming settings as {@code {name}} tokens; the first is the one
     *     whose value is at fault
     */
    public InvalidSettingException(String template) {
        this(template, true);
    }

    private InvalidSettingException(String template, boolean aboutAValue) {
        super(render(template, UnaryOperator.identity()));
        this.template = template;
        this.aboutAValue = aboutAValue;
    }

    /**
     * A refusal caused by something other than a setting's value (a state directory, a consumer
     * group's offsets), whose message names settings only as remedies ({@code {start-over} trains
     * afresh}): no setting is {@linkplain #atFault() at fault}.
     *
     * @param template the message, naming settings as {@code {name}} tokens
     */
    public static InvalidSettingException withRemedies(String template) {
        return new InvalidSettingException(template, false);
    }

    /**
     * The setting whose value is at fault, for messages that say where that value was written (a
     * job file's line): the first the message names; empty for {@link #withRemedies}.
     */
    public java.util.Optional<String> atFault() {
        java.util.List<String> named = settings();
        return aboutAValue && !named.isEmpty()
                ? java.util.Optional.of(named.get(0))
                : java.util.Optional.empty();
    }

    /** The message with each setting spelled by {@code spell} (e.g. {@code n -> "--" + n}). */
    public String render(UnaryOperator<String> spell) {
        return render(template, spell);
    }

    /** The settings the message names, in order of appearance. */
    public java.util.List<String> settings() {
        java.util.List<String> names = new java.util.ArrayList<>();
        Matcher m = TOKEN.matcher(template);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    private static String render(String template, UnaryOperator<String> spell) {
        Matcher m = TOKEN.matcher(template);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(sb, Matcher.quoteReplacement(spell.apply(m.group(1))));
        }
        m.appendTail(sb);
        return sb.toString();
    }
}
