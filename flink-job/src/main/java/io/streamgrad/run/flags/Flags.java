package io.streamgrad.run.flags;

import io.streamgrad.config.InvalidSettingException;

/**
 * The one place where settings named by the domain become flag names: an {@link
 * InvalidSettingException} names settings as they are written in a job file ({@code batch-size});
 * on a command line they are flags ({@code --batch-size}).
 */
public final class Flags {
    private Flags() {}

    /** The message with every setting spelled as its flag. */
    public static String message(InvalidSettingException e) {
        return e.render(name -> "--" + name);
    }
}
