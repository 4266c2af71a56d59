package io.streamgrad.model;

import io.streamgrad.config.InvalidSettingException;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationLReLU;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationTanH;

/** Activation of hidden layers, computed by ND4J's own activation functions. */
public enum Activation {
    IDENTITY("identity"),
    RELU("relu"),
    /** max(z, 0.01·z). */
    LEAKY_RELU("leaky-relu"),
    TANH("tanh"),
    SIGMOID("sigmoid");

    /** Slope of leaky-relu for negative inputs (ND4J's default). */
    public static final double LEAKY_SLOPE = 0.01;

    private final String wireName;

    Activation(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** ND4J's implementation: forward from the pre-activation, backward to its gradient. */
    public IActivation nd4j() {
        return switch (this) {
            case IDENTITY -> new ActivationIdentity();
            case RELU -> new ActivationReLU();
            case LEAKY_RELU -> new ActivationLReLU(LEAKY_SLOPE);
            case TANH -> new ActivationTanH();
            case SIGMOID -> new ActivationSigmoid();
        };
    }

    public static String usage() {
        return Arrays.stream(values()).map(Activation::wireName).collect(Collectors.joining(" | "));
    }

    public static Activation fromWireName(String name) {
        for (Activation a : values()) {
            if (a.wireName.equals(name)) {
                return a;
            }
        }
        throw new InvalidSettingException(
                "unknown activation '" + name + "': use " + usage().replace(" | ", ", "));
    }
}
