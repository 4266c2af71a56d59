package io.streamgrad.model;

import io.streamgrad.config.InvalidSettingException;
import java.util.List;
import org.nd4j.linalg.learning.config.AdaGrad;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.RmsProp;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * How a gradient becomes an update: the optimizer, its learning rate and schedule, and the gradient
 * clipping applied before it.
 *
 * <ul>
 *   <li>{@code sgd}, {@code nesterov} (look-ahead momentum), {@code adagrad}, {@code rmsprop}
 *       (decay 0.95), {@code adam} (β 0.9, 0.999): ND4J's own updaters
 *   <li>{@code momentum}: classical heavy-ball momentum ({@link HeavyBallMomentum})
 *   <li>{@code adamw}: Adam plus decoupled weight decay on the weights, lr_i·λ·W subtracted after
 *       the Adam update (ND4J's {@code WeightDecay}, as DL4J applies it)
 * </ul>
 *
 * @param momentum μ of momentum and nesterov
 * @param weightDecay λ of adamw
 * @param clipNorm rescale the gradient to this L2 norm when it is longer; 0 = off
 */
public record OptimizerSpec(
        String name,
        double learningRate,
        double momentum,
        double weightDecay,
        double clipNorm,
        LrSchedule schedule)
        implements java.io.Serializable {
    public static final List<String> NAMES =
            List.of("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw");
    public static final String USAGE = String.join(", ", NAMES);
    public static final double DEFAULT_MOMENTUM = 0.9;
    public static final double DEFAULT_WEIGHT_DECAY = 0.01;

    public OptimizerSpec {
        if (!NAMES.contains(name)) {
            throw new InvalidSettingException("unknown {optimizer} '" + name + "': use " + USAGE);
        }
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new InvalidSettingException(
                    "{learning-rate} must be a positive number, got " + learningRate);
        }
        if (!(momentum >= 0 && momentum < 1)) {
            throw new InvalidSettingException("{momentum} must be in [0, 1), got " + momentum);
        }
        if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
            throw new InvalidSettingException(
                    "{weight-decay} must be zero or positive, got " + weightDecay);
        }
        if (!(clipNorm >= 0) || Double.isInfinite(clipNorm)) {
            throw new InvalidSettingException(
                    "{clip-norm} must be zero (off) or positive, got " + clipNorm);
        }
    }

    /** Default momentum and decay, no clipping, a constant rate. */
    public OptimizerSpec(String name, double learningRate) {
        this(name, learningRate, DEFAULT_MOMENTUM, DEFAULT_WEIGHT_DECAY, 0, LrSchedule.CONSTANT);
    }

    /** The learning rate used when none is given. */
    public static double defaultLearningRate(String name) {
        return switch (name) {
            case "sgd" -> 0.1;
            case "adagrad" -> 0.05;
            case "rmsprop" -> 0.001;
            case "momentum", "nesterov" -> 0.01;
            default -> 0.01;
        };
    }

    /** Whether the optimizer reads {@link #momentum} or {@link #weightDecay}. */
    public boolean usesMomentum() {
        return name.equals("momentum") || name.equals("nesterov");
    }

    public boolean usesWeightDecay() {
        return name.equals("adamw");
    }

    public IUpdater toUpdater() {
        ISchedule lr = schedule.toNd4j(learningRate);
        return switch (name) {
            case "sgd" -> new Sgd(lr);
            case "momentum" -> new HeavyBallMomentum(lr, momentum);
            case "nesterov" -> new Nesterovs(lr, momentum);
            case "adagrad" -> new AdaGrad(lr, AdaGrad.DEFAULT_ADAGRAD_EPSILON);
            case "rmsprop" -> new RmsProp(lr);
            default -> new Adam(lr);
        };
    }

    /** The settings a snapshot records so the optimizer can be rebuilt as it was. */
    public java.util.Map<String, String> settings() {
        return java.util.Map.of(
                "momentum", Double.toString(momentum),
                "weight_decay", Double.toString(weightDecay),
                "clip_norm", Double.toString(clipNorm),
                "lr_schedule", schedule.kind(),
                "lr_factor", Double.toString(schedule.factor()),
                "lr_every", Long.toString(schedule.every()),
                "lr_power", Double.toString(schedule.power()),
                "warmup", Integer.toString(schedule.warmup()));
    }

    /** Rebuilds a spec from a snapshot's name, rate and settings (missing ones: defaults). */
    public static OptimizerSpec fromSettings(
            String name, double learningRate, java.util.Map<String, String> s) {
        return new OptimizerSpec(
                name,
                learningRate,
                Double.parseDouble(s.getOrDefault("momentum", "" + DEFAULT_MOMENTUM)),
                Double.parseDouble(s.getOrDefault("weight_decay", "" + DEFAULT_WEIGHT_DECAY)),
                Double.parseDouble(s.getOrDefault("clip_norm", "0")),
                new LrSchedule(
                        s.getOrDefault("lr_schedule", "constant"),
                        Double.parseDouble(s.getOrDefault("lr_factor", "1")),
                        Long.parseLong(s.getOrDefault("lr_every", "1")),
                        Double.parseDouble(s.getOrDefault("lr_power", "1")),
                        Integer.parseInt(s.getOrDefault("warmup", "0"))));
    }
}
