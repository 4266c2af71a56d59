package io.streamgrad.run;

import io.streamgrad.batch.TrainingExample;
import io.streamgrad.model.DenseNetwork;
import io.streamgrad.schema.LabeledEvent;
import io.streamgrad.train.EventValidator;
import java.util.List;

/** Loss and accuracy of a rebuilt model on events it never trained on. */
public record Holdout(Double loss, Double accuracy) {

    public static Holdout evaluate(DenseNetwork network, List<LabeledEvent> events) {
        int n = events.size();
        int d = network.spec().inputSize();
        float[] x = new float[n * d];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            TrainingExample e = EventValidator.validate(events.get(i), network.spec());
            System.arraycopy(e.features(), 0, x, i * d, d);
            y[i] = e.label();
        }
        DenseNetwork.Evaluation eval = network.evaluate(x, y, n);
        return new Holdout(eval.loss(), eval.accuracy());
    }
}
