package io.streamgrad.model;

import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Sgd;

/** Which ND4J updater applies the gradient, and its learning rate. */
public record OptimizerSpec(String name, double learningRate) implements java.io.Serializable {
    public static final String USAGE = "sgd or adam";

    public OptimizerSpec {
        if (!name.equals("sgd") && !name.equals("adam")) {
            throw new IllegalArgumentException("unknown --optimizer '" + name + "': use " + USAGE);
        }
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException(
                    "--learning-rate must be a positive number, got " + learningRate);
        }
    }

    /** The learning rate used when none is given: 0.1 for SGD, 0.01 for Adam. */
    public static double defaultLearningRate(String name) {
        return name.equals("sgd") ? 0.1 : 0.01;
    }

    public IUpdater toUpdater() {
        return name.equals("sgd") ? new Sgd(learningRate) : new Adam(learningRate);
    }
}
