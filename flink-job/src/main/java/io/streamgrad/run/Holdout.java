package io.streamgrad.run;

import io.streamgrad.batch.TrainingExample;
import io.streamgrad.model.DenseNetwork;
import io.streamgrad.schema.LabeledEvent;
import io.streamgrad.train.EventValidator;
import io.streamgrad.train.InvalidEventException;
import java.util.Arrays;
import java.util.List;

/**
 * Loss and accuracy of a rebuilt model on events it never trained on. An event the model cannot
 * score (a bad value, a class it does not have) is counted in {@code unscored}, with the first
 * reason, rather than losing the trained model to an exception.
 *
 * @param loss mean loss over the scored events (null when none was)
 * @param accuracy accuracy over the scored events (null for regression or when none was scored)
 * @param scored events evaluated
 * @param unscored events left out because the model cannot score them
 * @param firstUnscored why the first of those was left out (null when none was)
 */
public record Holdout(
        Double loss, Double accuracy, int scored, int unscored, String firstUnscored) {

    public static Holdout evaluate(DenseNetwork network, List<LabeledEvent> events) {
        int n = events.size();
        int d = network.spec().inputSize();
        float[] x = new float[n * d];
        double[] y = new double[n];
        int scored = 0;
        String first = null;
        for (LabeledEvent event : events) {
            TrainingExample e;
            try {
                e = EventValidator.validate(event, network.spec());
            } catch (InvalidEventException bad) {
                if (first == null) {
                    first = bad.getMessage();
                }
                continue;
            }
            System.arraycopy(e.features(), 0, x, scored * d, d);
            y[scored++] = e.label();
        }
        if (scored == 0) {
            return new Holdout(null, null, 0, n, first);
        }
        DenseNetwork.Evaluation eval =
                network.evaluate(Arrays.copyOf(x, scored * d), Arrays.copyOf(y, scored), scored);
        return new Holdout(eval.loss(), eval.accuracy(), scored, n - scored, first);
    }
}
