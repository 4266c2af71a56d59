package io.streamgrad.model;

import java.util.Locale;

/** Activation of hidden layers. */
public enum Activation {
    RELU,
    TANH;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Activation fromWireName(String name) {
        for (Activation a : values()) {
            if (a.wireName().equals(name)) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown activation '" + name + "': use relu or tanh");
    }
}
