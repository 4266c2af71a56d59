package io.streamgrad.run.flags;

import io.streamgrad.config.InvalidSettingException;
import io.streamgrad.model.Activation;
import io.streamgrad.model.Loss;
import io.streamgrad.model.LrSchedule;
import io.streamgrad.model.ModelSpec;
import io.streamgrad.model.OptimizerSpec;
import io.streamgrad.model.Standardization;
import io.streamgrad.schema.Task;
import io.streamgrad.train.Batching;
import io.streamgrad.train.TrainingConfig;
import picocli.CommandLine.Option;

/** The model and training flags shared by demo and train: one path from flags to config. */
public final class ModelOptions {
    @Option(
            names = "--model",
            defaultValue = "logistic",
            description =
                    "linear | logistic | softmax | mlp:H1[,H2...] (default: ${DEFAULT-VALUE})")
    public String model;

    @Option(
            names = "--features",
            defaultValue = "20",
            description = "Input size D: features per event (default: ${DEFAULT-VALUE})")
    public int features;

    @Option(
            names = "--classes",
            defaultValue = "3",
            description = "Classes K for softmax and mlp (default: ${DEFAULT-VALUE})")
    public int classes;

    @Option(
            names = "--task",
            description =
                    "regression | binary | multiclass (default: from --model: linear is"
                            + " regression, logistic binary, softmax and mlp multiclass)")
    public String task;

    @Option(
            names = "--class-names",
            split = ",",
            description =
                    "Names of the class indices, kept in snapshots (e.g. a CSV's labels as"
                            + " 'produce csv' prints them)")
    public java.util.List<String> classNames;

    @Option(
            names = "--activation",
            defaultValue = "relu",
            description =
                    "Hidden activation of mlp: identity | relu | leaky-relu | tanh | sigmoid"
                            + " (default: ${DEFAULT-VALUE})")
    public String activation;

    @Option(
            names = "--loss",
            description =
                    "mse | huber (regression), binary-cross-entropy (binary),"
                            + " softmax-cross-entropy (multiclass) (default: the task's first)")
    public String loss;

    @Option(
            names = "--l2",
            defaultValue = "0",
            description =
                    "L2 penalty (l2/2)·ΣW² on the weights, added to the loss (default:"
                            + " ${DEFAULT-VALUE})")
    public double l2;

    @Option(
            names = "--standardize",
            defaultValue = "off",
            description =
                    "Online feature standardization, part of the model: on | off |"
                            + " frozen-after:N (statistics stop after N examples) (default:"
                            + " ${DEFAULT-VALUE})")
    public String standardize;

    @Option(
            names = "--divergence-patience",
            defaultValue = "5",
            description =
                    "Updates with a non-finite loss or gradient skipped in a row before the last"
                            + " good parameters are restored (default: ${DEFAULT-VALUE})")
    public int divergencePatience;

    @Option(
            names = "--optimizer",
            defaultValue = "adam",
            description =
                    "sgd | momentum | nesterov | adagrad | rmsprop | adam | adamw (default:"
                            + " ${DEFAULT-VALUE})")
    public String optimizer;

    @Option(
            names = "--learning-rate",
            description =
                    "Base step size (default: 0.1 sgd, 0.01 momentum/nesterov/adam/adamw,"
                            + " 0.05 adagrad, 0.001 rmsprop)")
    public Double learningRate;

    @Option(
            names = "--lr-schedule",
            defaultValue = "constant",
            description =
                    "constant | step:N:F (×F every N iterations) | exponential:G (×G each"
                            + " iteration) | inverse-time:G[:P] (lr/(1+G·i)^P) (default:"
                            + " ${DEFAULT-VALUE})")
    public String lrSchedule;

    @Option(
            names = "--warmup",
            defaultValue = "0",
            description =
                    "Linear learning-rate warm-up over the first N iterations (default:"
                            + " ${DEFAULT-VALUE})")
    public int warmup;

    @Option(names = "--momentum", description = "μ of momentum and nesterov (default: 0.9)")
    public Double momentum;

    @Option(
            names = "--weight-decay",
            description = "Decoupled weight decay λ of adamw (default: 0.01)")
    public Double weightDecay;

    @Option(
            names = "--clip-norm",
            defaultValue = "0",
            description =
                    "Rescale a gradient longer than this L2 norm to it; 0 = off (default:"
                            + " ${DEFAULT-VALUE})")
    public double clipNorm;

    @Option(
            names = "--seed",
            defaultValue = "42",
            description =
                    "Seed of initialisation, shuffling and synthetic data (default:"
                            + " ${DEFAULT-VALUE})")
    public long seed;

    @Option(
            names = "--snapshot-every",
            defaultValue = "100",
            description =
                    "Emit a model snapshot every N iterations, and at the end of bounded input"
                            + " (default: ${DEFAULT-VALUE})")
    public int snapshotEvery;

    @Option(
            names = "--drift-detector",
            description =
                    "Watch the prequential loss for drift and emit a DRIFT metric when it fires;"
                            + " repeat for several: page-hinkley[:delta=0.01,lambda=100,"
                            + "min-instances=30] | adwin[:delta=0.002,buckets=5,clock=32,"
                            + "min-window=5] (values are batch losses)")
    public java.util.List<String> driftDetectors;

    /**
     * Validates every flag and builds the config; a bad value throws {@link
     * InvalidSettingException}.
     */
    public TrainingConfig toTrainingConfig(Batching batching) {
        try {
            ModelSpec spec =
                    ModelSpec.parse(
                                    model,
                                    task == null ? null : Task.fromWireName(task),
                                    features,
                                    classes,
                                    Activation.fromWireName(activation),
                                    loss == null ? null : Loss.fromWireName(loss),
                                    l2)
                            .withStandardization(Standardization.parse(standardize))
                            .withClassNames(classNames == null ? java.util.List.of() : classNames);
            return new TrainingConfig(
                    spec,
                    optimizerSpec(),
                    batching,
                    seed,
                    snapshotEvery,
                    0.05,
                    divergencePatience,
                    driftDetectors == null ? java.util.List.of() : driftDetectors);
        } catch (InvalidSettingException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException(e.getMessage());
        }
    }

    private OptimizerSpec optimizerSpec() {
        if (!OptimizerSpec.NAMES.contains(optimizer)) {
            throw new InvalidSettingException(
                    "unknown {optimizer} '" + optimizer + "': use " + OptimizerSpec.USAGE);
        }
        OptimizerSpec probe = new OptimizerSpec(optimizer, 1);
        if (momentum != null && !probe.usesMomentum()) {
            throw new InvalidSettingException(
                    "{momentum} is for {optimizer} momentum or nesterov, not " + optimizer);
        }
        if (weightDecay != null && !probe.usesWeightDecay()) {
            throw new InvalidSettingException(
                    "{weight-decay} is decoupled decay for {optimizer} adamw; for "
                            + optimizer
                            + " use {l2}");
        }
        return new OptimizerSpec(
                optimizer,
                learningRate != null ? learningRate : OptimizerSpec.defaultLearningRate(optimizer),
                momentum != null ? momentum : OptimizerSpec.DEFAULT_MOMENTUM,
                weightDecay != null ? weightDecay : OptimizerSpec.DEFAULT_WEIGHT_DECAY,
                clipNorm,
                LrSchedule.parse(lrSchedule, warmup));
    }
}
