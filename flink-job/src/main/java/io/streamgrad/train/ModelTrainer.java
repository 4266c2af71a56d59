package io.streamgrad.train;

import io.streamgrad.batch.Batch;
import io.streamgrad.batch.TrainingExample;
import io.streamgrad.drift.DriftMonitor;
import io.streamgrad.model.DenseNetwork;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Trains one model batch by batch, test-then-train: each batch's loss and accuracy are measured
 * with the parameters before its update, so the loss curve is an honest online estimate.
 *
 * <p>Lifecycle: {@link #create} or {@link #restore} from a {@link TrainerState}, {@link #train} any
 * number of batches, {@link #state} to checkpoint. Free of Flink.
 */
public final class ModelTrainer {
    /** Rows evaluated at once by {@link #fullPass}. */
    static final int FULL_PASS_CHUNK = 4_096;

    private final String modelKey;
    private String shuffleKey;
    private final TrainingConfig config;
    private final DenseNetwork network;
    private long iteration;
    private long examplesSeen;
    private long shuffleIndex;
    private double lastLoss;
    private double smoothedLoss;
    private long lastSnapshotVersion;
    private int epoch;
    private long epochIteration;
    private int skippedInARow;
    private float[] lastGoodParameters;
    private float[] lastGoodOptimizerState;
    private ModelLineage lineage;

    /** The drift detectors watching this model's prequential loss; null for none. */
    private final DriftMonitor drift;

    private ModelTrainer(
            String modelKey, TrainingConfig config, DenseNetwork network, TrainerState s) {
        this.modelKey = modelKey;
        this.shuffleKey = modelKey;
        this.config = config;
        this.network = network;
        this.iteration = s.iteration();
        this.examplesSeen = s.examplesSeen();
        this.shuffleIndex = s.shuffleIndex();
        this.lastLoss = s.lastLoss();
        this.smoothedLoss = s.smoothedLoss();
        this.lastSnapshotVersion = s.lastSnapshotVersion();
        this.epoch = s.epoch();
        this.epochIteration = s.epochIteration();
        this.skippedInARow = s.skippedInARow();
        this.lastGoodParameters =
                s.lastGoodParameters() != null ? s.lastGoodParameters() : network.parameters();
        this.lastGoodOptimizerState =
                s.lastGoodOptimizerState() != null
                        ? s.lastGoodOptimizerState()
                        : network.optimizerState();
        this.lineage = s.lineage() != null ? s.lineage() : ModelLineage.ADOPTED;
        this.drift = config.newDriftMonitor();
        if (drift != null && s.driftState() != null) {
            drift.restore(s.driftState());
        }
    }

    /** Iterations between copies of the last good parameters kept for the divergence guard. */
    static final int GOOD_COPY_EVERY = 10;

    /** A fresh model, initialised from the job seed (the same for every model key). */
    public static ModelTrainer create(String modelKey, TrainingConfig config) {
        DenseNetwork net =
                DenseNetwork.create(
                        config.spec(), config.optimizer(), config.seed(), DataType.FLOAT);
        return new ModelTrainer(
                modelKey,
                config,
                net,
                new TrainerState(
                        null,
                        null,
                        0,
                        0,
                        0,
                        Double.NaN,
                        Double.NaN,
                        -1,
                        0,
                        0,
                        null,
                        0,
                        null,
                        null,
                        null,
                        ModelLineage.FRESH));
    }

    public static ModelTrainer restore(String modelKey, TrainingConfig config, TrainerState state) {
        DenseNetwork net =
                DenseNetwork.restore(
                        config.spec(),
                        config.optimizer(),
                        state.parameters(),
                        state.optimizerState(),
                        state.scaler(),
                        DataType.FLOAT);
        return new ModelTrainer(modelKey, config, net, state);
    }

    /**
     * One update; returns what was measured before it. The divergence guard: a batch whose loss or
     * gradient is not finite is not applied (the step says so); after {@link
     * TrainingConfig#divergencePatience} such batches in a row, or at once when an update leaves a
     * parameter non-finite, the parameters and optimizer state go back to the last good copy (kept
     * every {@value #GOOD_COPY_EVERY} iterations). An applied update's loss then goes to the drift
     * detectors, if any; their alarms are in the step.
     */
    public Step train(Batch batch) {
        long start = System.nanoTime();
        DenseNetwork.Evaluation before =
                network.step(batch.x(), batch.labels(), batch.size(), iteration);
        long stepNanos = System.nanoTime() - start;
        lineage = lineage.trainedAlso(batch.partitions(), batch.offsets());
        iteration++;
        epochIteration++;
        String alert = null;
        boolean applied = before.applied();
        boolean restored = false;
        if (!applied) {
            skippedInARow++;
            alert =
                    "non-finite "
                            + (Double.isFinite(before.loss()) ? "gradient" : "loss")
                            + ": update skipped ("
                            + skippedInARow
                            + " in a row)";
            if (skippedInARow >= config.divergencePatience()) {
                alert += "; " + restoreLastGood();
                restored = true;
            }
        } else if (!network.parametersFinite()) {
            applied = false;
            alert = "the update left parameters non-finite; " + restoreLastGood();
            restored = true;
        } else {
            skippedInARow = 0;
            examplesSeen += batch.size();
            lastLoss = before.loss();
            smoothedLoss =
                    Double.isNaN(smoothedLoss)
                            ? before.loss()
                            : config.smoothing() * before.loss()
                                    + (1 - config.smoothing()) * smoothedLoss;
            if (iteration % GOOD_COPY_EVERY == 0) {
                lastGoodParameters = network.parameters();
                lastGoodOptimizerState = network.optimizerState();
            }
        }
        List<String> driftAlarms = List.of();
        if (applied && drift != null) {
            driftAlarms =
                    drift.observe(iteration, before.loss()).stream()
                            .map(DriftMonitor.Alarm::detail)
                            .toList();
        }
        return new Step(
                modelKey,
                iteration,
                epoch,
                epochIteration,
                batch.shuffleIndex(),
                batch.size(),
                before.loss(),
                smoothedLoss,
                before.accuracy(),
                examplesSeen,
                batch.minEventTime(),
                batch.maxEventTime(),
                applied,
                restored,
                alert,
                stepNanos,
                driftAlarms);
    }

    private String restoreLastGood() {
        network.load(lastGoodParameters, lastGoodOptimizerState);
        skippedInARow = 0;
        return "restored the last good parameters";
    }

    /** Starts pass {@code e} over bounded input (1-based): counts updates within it afresh. */
    public void startEpoch(int e) {
        epoch = e;
        epochIteration = 0;
    }

    /**
     * Loss and accuracy over a whole pass with the current parameters, evaluated in chunks so that
     * memory stays that of a large batch; parameters untouched.
     */
    public DenseNetwork.Evaluation fullPass(List<TrainingExample> examples) {
        double lossSum = 0;
        double correct = 0;
        boolean classifier = false;
        for (int start = 0; start < examples.size(); start += FULL_PASS_CHUNK) {
            List<TrainingExample> chunk =
                    examples.subList(start, Math.min(examples.size(), start + FULL_PASS_CHUNK));
            Batch b = Batch.of(modelKey, -1, chunk);
            DenseNetwork.Evaluation e = network.evaluate(b.x(), b.labels(), b.size());
            lossSum += e.loss() * b.size();
            if (e.accuracy() != null) {
                classifier = true;
                correct += e.accuracy() * b.size();
            }
        }
        int n = examples.size();
        return new DenseNetwork.Evaluation(
                n == 0 ? Double.NaN : lossSum / n, classifier ? correct / n : null, n);
    }

    /**
     * The index of the next shuffle (one per closed window, idle flush or final cut; it seeds the
     * shuffle, and is not an event-time window number), then counts it as used.
     */
    public long nextShuffleIndex() {
        return shuffleIndex++;
    }

    /** Whether a snapshot is due after the last update. */
    public boolean snapshotDue() {
        return iteration > 0
                && iteration % config.snapshotEvery() == 0
                && lastSnapshotVersion != iteration;
    }

    public boolean hasUnsnapshottedUpdates() {
        return iteration > 0 && lastSnapshotVersion != iteration;
    }

    /** The iteration of the last snapshot emitted (or warm-started from), -1 if none. */
    public long lastSnapshotVersion() {
        return lastSnapshotVersion;
    }

    /** The offsets this model trained and its warm-start parent. */
    public ModelLineage lineage() {
        return lineage;
    }

    public void markSnapshot() {
        lastSnapshotVersion = iteration;
    }

    public TrainerState state() {
        return new TrainerState(
                network.parameters(),
                network.optimizerState(),
                iteration,
                examplesSeen,
                shuffleIndex,
                lastLoss,
                smoothedLoss,
                lastSnapshotVersion,
                epoch,
                epochIteration,
                network.scaler().enabled() ? network.scaler().state() : null,
                skippedInARow,
                lastGoodParameters,
                lastGoodOptimizerState,
                drift == null ? null : drift.state(),
                lineage);
    }

    public int epoch() {
        return epoch;
    }

    public long epochIteration() {
        return epochIteration;
    }

    public DenseNetwork network() {
        return network;
    }

    public String modelKey() {
        return modelKey;
    }

    /**
     * The key that seeds this model's shuffles (see {@link io.streamgrad.batch.MiniBatcher}): its
     * own, or for a backtest variant {@code K@V} the key K whose events it trains on, so that the
     * variant batches exactly as a run training K would.
     */
    public String shuffleKey() {
        return shuffleKey;
    }

    /** Shuffles as model key {@code key} would; see {@link #shuffleKey}. */
    public ModelTrainer shuffleAs(String key) {
        this.shuffleKey = key;
        return this;
    }

    public TrainingConfig config() {
        return config;
    }

    public long iteration() {
        return iteration;
    }

    public long examplesSeen() {
        return examplesSeen;
    }

    public double lastLoss() {
        return lastLoss;
    }

    public double smoothedLoss() {
        return smoothedLoss;
    }

    /**
     * What one update measured: the content of a TrainingMetric.
     *
     * @param applied false when the divergence guard skipped or undid the update
     * @param restored whether the guard went back to the last good parameters
     * @param alert what the guard did, null when nothing happened
     * @param driftAlarms what each drift detector that fired on this step's loss said; empty when
     *     none fired (or the update was not applied)
     */
    public record Step(
            String modelKey,
            long iteration,
            int epoch,
            long epochIteration,
            long shuffleIndex,
            int batchSize,
            double loss,
            double smoothedLoss,
            Double accuracy,
            long examplesSeen,
            long minEventTime,
            long maxEventTime,
            boolean applied,
            boolean restored,
            String alert,
            long stepNanos,
            List<String> driftAlarms) {}
}
