package io.streamgrad.model;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.schedule.FixedSchedule;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * Classical (heavy-ball) momentum, which ND4J does not offer (its Nesterovs is the look-ahead
 * variant): v ← μ·v + g, update = lr_i·v. Written as an ND4J updater so it shares the flat state
 * and snapshot path of the others. State: v, one value per parameter.
 */
final class HeavyBallMomentum implements IUpdater {
    private static final long serialVersionUID = 1L;

    private ISchedule learningRate;
    private final double momentum;

    HeavyBallMomentum(ISchedule learningRate, double momentum) {
        this.learningRate = learningRate;
        this.momentum = momentum;
    }

    /** μ. */
    double momentum() {
        return momentum;
    }

    @Override
    public long stateSize(long numParams) {
        return numParams;
    }

    @Override
    public GradientUpdater<HeavyBallMomentum> instantiate(INDArray view, boolean initialize) {
        if (initialize) {
            view.assign(0);
        }
        return new Updater(view);
    }

    @Override
    public GradientUpdater<HeavyBallMomentum> instantiate(
            Map<String, INDArray> state, boolean initialize) {
        return instantiate(state.get("V"), initialize);
    }

    @Override
    public HeavyBallMomentum clone() {
        return new HeavyBallMomentum(learningRate, momentum);
    }

    @Override
    public double getLearningRate(int iteration, int epoch) {
        return learningRate.valueAt(iteration, epoch);
    }

    @Override
    public boolean hasLearningRate() {
        return true;
    }

    @Override
    public void setLrAndSchedule(double lr, ISchedule schedule) {
        this.learningRate = schedule != null ? schedule : new FixedSchedule(lr);
    }

    private final class Updater implements GradientUpdater<HeavyBallMomentum> {
        private INDArray velocity;

        Updater(INDArray velocity) {
            this.velocity = velocity;
        }

        @Override
        public HeavyBallMomentum getConfig() {
            return HeavyBallMomentum.this;
        }

        @Override
        public void setState(Map<String, INDArray> state, boolean initialize) {
            velocity = state.get("V");
            if (initialize) {
                velocity.assign(0);
            }
        }

        @Override
        public Map<String, INDArray> getState() {
            return Map.of("V", velocity);
        }

        @Override
        public void setStateViewArray(INDArray view, long[] shape, char order, boolean initialize) {
            velocity = view;
            if (initialize) {
                velocity.assign(0);
            }
        }

        /** Replaces the gradient with the update to subtract. */
        @Override
        public void applyUpdater(INDArray gradient, int iteration, int epoch) {
            velocity.muli(momentum).addi(gradient);
            gradient.assign(velocity).muli(learningRate.valueAt(iteration, epoch));
        }
    }
}
