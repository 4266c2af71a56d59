package io.streamgrad.cli;

import io.streamgrad.batch.Batching;
import io.streamgrad.model.Activation;
import io.streamgrad.model.ModelSpec;
import io.streamgrad.model.OptimizerSpec;
import io.streamgrad.train.TrainingConfig;
import picocli.CommandLine.Option;

/** The model and training flags shared by demo and train: one path from flags to config. */
public final class ModelOptions {
    @Option(
            names = "--model",
            defaultValue = "logistic",
            description =
                    "linear | logistic | softmax | mlp:H1[,H2...] (default: ${DEFAULT-VALUE})")
    String model;

    @Option(
            names = "--features",
            defaultValue = "20",
            description = "Input size D: features per event (default: ${DEFAULT-VALUE})")
    int features;

    @Option(
            names = "--classes",
            defaultValue = "3",
            description = "Classes K for softmax and mlp (default: ${DEFAULT-VALUE})")
    int classes;

    @Option(
            names = "--activation",
            defaultValue = "relu",
            description = "Hidden activation of mlp: relu | tanh (default: ${DEFAULT-VALUE})")
    String activation;

    @Option(
            names = "--optimizer",
            defaultValue = "adam",
            description = "sgd | adam (default: ${DEFAULT-VALUE})")
    String optimizer;

    @Option(
            names = "--learning-rate",
            description = "Step size (default: 0.1 for sgd, 0.01 for adam)")
    Double learningRate;

    @Option(
            names = "--seed",
            defaultValue = "42",
            description =
                    "Seed of initialisation, shuffling and synthetic data (default:"
                            + " ${DEFAULT-VALUE})")
    long seed;

    @Option(
            names = "--snapshot-every",
            defaultValue = "100",
            description =
                    "Emit a model snapshot every N iterations, and at the end of bounded input"
                            + " (default: ${DEFAULT-VALUE})")
    int snapshotEvery;

    /** Validates every flag and builds the config; a bad value throws {@link UsageException}. */
    public TrainingConfig toTrainingConfig(Batching batching) {
        try {
            ModelSpec spec =
                    ModelSpec.parse(model, features, classes, Activation.fromWireName(activation));
            double lr =
                    learningRate != null
                            ? learningRate
                            : OptimizerSpec.defaultLearningRate(optimizer);
            return new TrainingConfig(
                    spec, new OptimizerSpec(optimizer, lr), batching, seed, snapshotEvery, 0.05);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }
}
