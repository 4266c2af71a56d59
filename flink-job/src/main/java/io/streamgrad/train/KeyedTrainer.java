package io.streamgrad.train;

import io.streamgrad.batch.TrainingExample;
import io.streamgrad.window.EventTimeAssigner;
import io.streamgrad.window.WindowSpec;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What happens to one model key's stream, free of Flink: an arriving example joins a window (or is
 * late), due windows close and train, a quiet live stream is flushed, and bounded input ends with
 * its epochs. The Flink operator calls it with keyed state and Flink's timers; offline replays call
 * it with lists and no timers ({@link OfflineReplay}), so both train identically.
 *
 * <ul>
 *   <li>Count windows close when {@code K × batchSize} new examples have arrived.
 *   <li>Event-time windows close when the watermark passes their end (an event-time timer); an
 *       event whose window has closed is late: dead-lettered or moved to the next open window.
 *   <li>Live streams: after the idle timeout without events (a processing-time timer), everything
 *       that has arrived is trained, the remainder in power-of-two pieces, and a snapshot is
 *       published.
 *   <li>Bounded input ends with the final watermark (a timer at {@link Long#MAX_VALUE}), and a
 *       final snapshot is emitted. A replayed range ({@link ReplayPlan}) arrives once per epoch and
 *       once per full-pass loss, each pass in its own stretch of event time: the first example of a
 *       pass ends the key's previous pass (its windows close; an evaluation pass reports the
 *       epoch's full-pass loss). Otherwise the first epoch ends there, and further epochs run over
 *       the pass kept in state.
 * </ul>
 *
 * Each closed window's examples, with the carried remainder, are shuffled and cut into batches by
 * {@link WindowTrainer}; the remainder (fewer than a batch) is carried to the next window.
 */
public final class KeyedTrainer implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The time of the timer that marks the end of bounded input (the final watermark). */
    public static final long END_OF_INPUT = Long.MAX_VALUE;

    private final TrainingConfig config;
    private final Batching batching;
    private final boolean bounded;
    private final ModelConfigs configs;
    private final WarmStart warmStart;
    private final ReplayPlan replay;
    // When this attempt of the job first called in (processing time, ms), once it has. Transient:
    // every attempt deserializes its own trainer, so a restored job starts them afresh.
    private transient boolean attemptStarted;
    private transient long attemptStartedMs;

    /**
     * The live trainers of recently trained keys, each with the state object it last wrote. A
     * window's close would otherwise rebuild the model from its state (new ND4J buffers, a new
     * updater) every time: several times the cost of a small model's update. A cached trainer is
     * used only while the key's state is still the very object it wrote (heap state returns what
     * was stored); a restored checkpoint, another backend's copy or an evicted entry means a
     * rebuild, which gives the same model (its state is a deep copy: parameters, optimizer state,
     * statistics, detectors).
     */
    private transient Map<String, Cached> cache;

    private record Cached(TrainerState state, ModelTrainer trainer) {}

    /**
     * Keys whose end-of-input timer this instance has registered. The timer is needed once per key
     * (it fires only with the final watermark), but registering it per event cost a timer-queue
     * lookup per event: 5 % of the task thread's time in a bounded logistic run. Not state: a
     * restored instance starts empty and registers again, which Flink treats as a no-op for a timer
     * restored from the checkpoint.
     */
    private transient Set<String> endOfInputRegistered;

    // The key registered last: consecutive examples of one key skip the set (a hash of a fresh
    // key string each time: 3.8 % of the task thread's samples in a bounded logistic run).
    private transient String lastRegistered;

    /** Floats the cached trainers may hold in all (1 GiB): parameters, optimizer state, copies. */
    static final long CACHE_FLOATS = 256L << 20;

    /**
     * @param bounded whether input ends (a replayed range): epochs and the kept pass apply
     */
    public KeyedTrainer(TrainingConfig config, boolean bounded) {
        this(config, bounded, ModelConfigs.of(config), null, null);
    }

    /**
     * @param configs all configurations of the job: the keys of a backtest variant (this one's
     *     configuration) shuffle as the model keys whose events they train on ({@link
     *     ModelConfigs#sourceKey})
     * @param warmStart the snapshot its model key starts from instead of a fresh model, null for
     *     none
     * @param replay the passes of a range read again from Kafka for every epoch and full-pass loss,
     *     null when the input arrives once
     */
    public KeyedTrainer(
            TrainingConfig config,
            boolean bounded,
            ModelConfigs configs,
            WarmStart warmStart,
            ReplayPlan replay) {
        if (replay != null && !bounded) {
            throw new IllegalArgumentException("only bounded input is replayed");
        }
        this.config = config;
        this.batching = config.batching();
        this.bounded = bounded;
        this.configs = configs;
        this.warmStart = warmStart;
        this.replay = replay;
    }

    /** Flink's timer service as the trainer needs it. */
    public interface Timers {
        long currentWatermark();

        long currentProcessingTime();

        void registerEventTimeTimer(long time);

        void registerProcessingTimeTimer(long time);
    }

    /** What the trainer reports besides steps, epoch ends and snapshots. */
    public interface Listener extends TrainingListener {
        /** An example was accepted into training. */
        void onAccepted(TrainingExample e);

        /**
         * An example arrived after its event-time window had closed.
         *
         * @param time its event time (ms)
         * @param ownWindow the window it belongs to
         * @param watermark the watermark when it arrived
         * @param deadLettered whether it goes to the dead letters (else to the next open window)
         */
        void onLate(
                TrainingExample e, long time, long ownWindow, long watermark, boolean deadLettered);

        /** The idle timeout trained what had arrived. */
        void onIdleFlush();

        /**
         * The model's accounting after a window closed, an idle flush or the end of input.
         *
         * @param iteration the model's update count then
         */
        void onCounts(String modelKey, long iteration, ModelCounts counts);
    }

    /** One call's view of a key: its state, Flink's timers and where results go. */
    public record Scope(String modelKey, TrainerStore store, Timers timers, Listener listener) {}

    /**
     * An example arrives.
     *
     * @param timestamp its stream timestamp (the Kafka record's, which producers set to the event
     *     time): what the watermarks track, so windows are assigned by it too
     */
    public void onExample(Scope s, TrainingExample e, long timestamp) throws Exception {
        int pass = 0;
        if (replay != null) {
            pass = replay.passOf(timestamp);
            int current = s.store().bookkeeping().pass();
            if (pass < current) {
                throw new IllegalStateException(
                        "an example of pass " + pass + " arrived in pass " + current);
            }
            advance(s, pass);
            if (replay.evaluates(pass)) {
                if (!lateDeadLetter(s, timestamp)) {
                    evaluate(s, e);
                }
                return;
            }
        }
        // Later passes of a replay read the same events again: they are counted, dead-lettered and
        // traced to their offsets once, in the first.
        boolean firstPass = pass == 0;
        if (warmStart != null
                && s.store().counts().consumed() == 0
                && warmStart.modelKey().equals(s.modelKey())
                && s.store().trainerState() == null) {
            // Into keyed state with the key's first event, so every checkpoint that holds any of
            // its events holds the warm-started model too.
            s.store().setTrainerState(warmStart.state(config, bounded ? 1 : 0));
        }
        WindowBookkeeping b = s.store().bookkeeping();
        long window = 0;
        if (batching.window() instanceof WindowSpec.EventTime spec && !batching.fullBatch()) {
            long watermark = s.timers().currentWatermark();
            EventTimeAssigner.Assignment a =
                    EventTimeAssigner.assign(
                            spec, timestamp, watermark, b.closedThrough(), batching.latePolicy());
            if (a.late() && firstPass) {
                s.listener()
                        .onLate(e, timestamp, spec.windowOf(timestamp), watermark, a.deadLetter());
            }
            if (a.deadLetter()) {
                if (firstPass) {
                    s.store().setCounts(s.store().counts().arrivedAndDeadLettered());
                }
                return;
            }
            window = a.window();
            s.timers().registerEventTimeTimer(spec.lastMillisOf(window));
        }
        if (firstPass) {
            s.listener().onAccepted(e);
            s.store().setCounts(s.store().counts().arrived());
        }
        // Fires only with the final watermark, i.e. at the end of bounded input.
        if (endOfInputRegistered == null) {
            endOfInputRegistered = new HashSet<>();
        }
        if (!s.modelKey().equals(lastRegistered)) {
            if (endOfInputRegistered.add(s.modelKey())) {
                s.timers().registerEventTimeTimer(END_OF_INPUT);
            }
            lastRegistered = s.modelKey();
        }
        if (keepsPass()) {
            long kept = b.passCount() + 1;
            if (batching.fullBatch() && kept > batching.fullBatchLimit()) {
                throw new IllegalStateException(
                        "--batch-size full accepts at most "
                                + batching.fullBatchLimit()
                                + " events (--full-batch-limit) and the topic has more: use a"
                                + " power-of-two batch size");
            }
            s.store().addToPass(e);
            b = b.withPassCount(kept);
        }
        if (batching.fullBatch()) {
            s.store().setBookkeeping(b);
            return;
        }
        s.store().addToOpenWindows(new WindowedExample(window, e));
        b = b.withOpenCount(b.openCount() + 1);
        s.store().setBookkeeping(b);
        if (batching.window() instanceof WindowSpec.Count
                && b.openCount() >= batching.countWindowSize()) {
            closeWindowsThrough(s, Long.MAX_VALUE);
        }
        if (!bounded && batching.idleTimeoutMs() > 0) {
            long now = s.timers().currentProcessingTime();
            attemptStartedMs(s);
            b = s.store().bookkeeping().withLastArrival(now);
            if (b.idleTimerAtMs() == WindowBookkeeping.NO_TIMER) {
                long at = now + batching.idleTimeoutMs();
                s.timers().registerProcessingTimeTimer(at);
                b = b.withIdleTimer(at);
            }
            s.store().setBookkeeping(b);
        }
    }

    /** When this attempt first called in with an event or a timer (processing time, ms). */
    private long attemptStartedMs(Scope s) {
        if (!attemptStarted) {
            attemptStarted = true;
            attemptStartedMs = s.timers().currentProcessingTime();
        }
        return attemptStartedMs;
    }

    /** An event-time timer fired: a window's end, or the end of bounded input. */
    public void onEventTimeTimer(Scope s, long timestamp) throws Exception {
        if (replay != null && timestamp == END_OF_INPUT) {
            endOfReplay(s);
            return;
        }
        if (replay != null && replay.evaluates(s.store().bookkeeping().pass())) {
            // A window timer of the training pass before: its windows closed when this pass began.
            return;
        }
        if (batching.window() instanceof WindowSpec.EventTime spec && !batching.fullBatch()) {
            // At the end of input every window closes, in window order. In Flink their own timers
            // have already fired by then (timers fire in time order); an offline replay, which has
            // no watermark, closes them here.
            closeWindowsThrough(
                    s, timestamp == END_OF_INPUT ? Long.MAX_VALUE : spec.windowOf(timestamp));
        }
        if (timestamp == END_OF_INPUT) {
            endOfInput(s);
        }
    }

    /**
     * A processing-time timer fired: the idle timeout, unless events arrived since it was set, or
     * this attempt of the job has run for less than the timeout. A timer restored from a checkpoint
     * fires at once when the job was stopped longer than the timeout, while the backlog of the stop
     * is still on its way: the stop is not the stream's quiet, so the timeout counts from the
     * attempt's start (without this, a restart flushed the restored windows as batches of 16, 4, 2,
     * 1 ahead of thousands of waiting events).
     */
    public void onProcessingTimeTimer(Scope s, long timestamp) throws Exception {
        WindowBookkeeping b = s.store().bookkeeping();
        if (bounded || batching.idleTimeoutMs() <= 0) {
            // A timer restored from a run with an idle timeout, resumed with none (0 = off).
            s.store().setBookkeeping(b.withIdleTimer(WindowBookkeeping.NO_TIMER));
            return;
        }
        long quietSince = Math.max(b.lastArrivalMs(), attemptStartedMs(s));
        if (timestamp - quietSince < batching.idleTimeoutMs()) {
            long at = quietSince + batching.idleTimeoutMs();
            s.timers().registerProcessingTimeTimer(at);
            s.store().setBookkeeping(b.withIdleTimer(at));
            return;
        }
        b = b.withIdleTimer(WindowBookkeeping.NO_TIMER);
        List<TrainingExample> arrived = s.store().carried();
        for (WindowedExample w : s.store().openWindows()) {
            arrived.add(w.example());
        }
        if (arrived.isEmpty()) {
            s.store().setBookkeeping(b);
            return;
        }
        s.listener().onIdleFlush();
        ModelTrainer trainer = trainer(s);
        WindowTrainer.flush(trainer, arrived, s.listener());
        // Event-time windows are not marked closed: events of the same window arriving after the
        // pause are on time (the watermark has not passed) and train in the next flush or close.
        s.store().setOpenWindows(List.of());
        s.store().setCarried(List.of());
        s.store().setBookkeeping(b.withOpenCount(0));
        store(s, trainer);
        settle(s, trainer, 0);
    }

    /** Trains the open windows up to {@code lastWindow}, in window order. */
    private void closeWindowsThrough(Scope s, long lastWindow) throws Exception {
        TreeMap<Long, List<TrainingExample>> due = new TreeMap<>();
        List<WindowedExample> later = new ArrayList<>();
        for (WindowedExample w : s.store().openWindows()) {
            if (w.window() <= lastWindow) {
                due.computeIfAbsent(w.window(), k -> new ArrayList<>()).add(w.example());
            } else {
                later.add(w);
            }
        }
        if (due.isEmpty()) {
            return;
        }
        ModelTrainer trainer = trainer(s);
        List<TrainingExample> carry = s.store().carried();
        for (List<TrainingExample> window : due.values()) {
            carry.addAll(window);
            carry = WindowTrainer.close(trainer, carry, s.listener());
        }
        WindowBookkeeping b = s.store().bookkeeping();
        if (batching.window() instanceof WindowSpec.EventTime) {
            b = b.withClosedThrough(Math.max(b.closedThrough(), due.lastKey()));
        }
        s.store().setOpenWindows(later);
        s.store().setCarried(carry);
        s.store().setBookkeeping(b.withOpenCount(later.size()));
        store(s, trainer);
        settle(s, trainer, later.size() + carry.size());
    }

    private void endOfInput(Scope s) throws Exception {
        ModelTrainer trainer = trainer(s);
        List<TrainingExample> remainder = s.store().carried();
        for (WindowedExample w : s.store().openWindows()) {
            remainder.add(w.example());
        }
        List<TrainingExample> kept = keepsPass() ? s.store().pass() : null;
        WindowTrainer.finish(trainer, remainder, kept, s.listener());
        s.store().setOpenWindows(List.of());
        s.store().setCarried(List.of());
        s.store().clearPass();
        s.store().setBookkeeping(s.store().bookkeeping().withOpenCount(0).withPassCount(0));
        store(s, trainer);
        settle(s, trainer, 0);
    }

    /**
     * Training took buffered events: whatever is no longer buffered was trained. Reported so the
     * metrics topic carries the accounting.
     *
     * @param buffered the events still in open windows and the carried remainder
     */
    private static void settle(Scope s, ModelTrainer trainer, long buffered) throws Exception {
        ModelCounts c = s.store().counts();
        if (s.store().bookkeeping().pass() == 0) {
            // Later passes of a replay train events counted in the first.
            c = c.settled(buffered);
            s.store().setCounts(c);
        }
        s.listener().onCounts(s.modelKey(), trainer.iteration(), c);
    }

    /** Whether this key keeps its pass in state for later epochs and the full-pass loss. */
    private boolean keepsPass() {
        return bounded && replay == null && batching.keepsPass();
    }

    /**
     * Ends the key's passes before {@code pass}: training passes close their windows (the last
     * epoch's also trains its remainder), evaluation passes report their epoch's full-pass loss;
     * the model enters the epoch of each training pass it starts.
     */
    private void advance(Scope s, int pass) throws Exception {
        for (int p = s.store().bookkeeping().pass(); p < pass; p++) {
            finishPass(s, p);
            int next = p + 1;
            s.store().setBookkeeping(s.store().bookkeeping().withPass(next));
            if (next < replay.passes() && !replay.evaluates(next)) {
                ModelTrainer trainer = trainer(s);
                trainer.startEpoch(replay.epochOf(next));
                store(s, trainer);
            }
        }
    }

    private void finishPass(Scope s, int pass) throws Exception {
        ModelTrainer trainer = trainer(s);
        if (replay.evaluates(pass)) {
            evaluateBuffered(s, trainer);
            WindowBookkeeping b = s.store().bookkeeping();
            long n = b.evaluated();
            s.listener()
                    .onEpochEnd(
                            new EpochEnd(
                                    trainer.modelKey(),
                                    trainer.epoch(),
                                    trainer.iteration(),
                                    trainer.epochIteration(),
                                    n == 0 ? Double.NaN : b.evaluatedLoss() / n,
                                    Double.isNaN(b.evaluatedCorrect()) || n == 0
                                            ? null
                                            : b.evaluatedCorrect() / n,
                                    (int) n,
                                    trainer.smoothedLoss(),
                                    trainer.examplesSeen()));
            s.store().setBookkeeping(b.withEvaluated(0, 0, 0));
            return;
        }
        // Every window of the pass closes, in window order; what does not fill a batch is carried
        // into the next epoch, or, after the last, trained in decreasing power-of-two pieces.
        closeWindowsThrough(s, Long.MAX_VALUE);
        trainer = trainer(s);
        if (replay.epochOf(pass) == replay.epochs()) {
            List<TrainingExample> carry = s.store().carried();
            WindowTrainer.trainRemainder(trainer, carry, s.listener());
            s.store().setCarried(List.of());
            store(s, trainer);
        }
        if (pass == 0) {
            // The remainder carried into epoch 2 is trained there: counted as trained now.
            settle(s, trainer, 0);
        }
    }

    /**
     * Whether training would have dead-lettered an event that arrives now as late: the full-pass
     * loss covers what training accepts, as the kept pass of {@link ShuffleMode#PASS} does.
     */
    private boolean lateDeadLetter(Scope s, long timestamp) {
        return batching.window() instanceof WindowSpec.EventTime spec
                && batching.latePolicy() == io.streamgrad.window.LatePolicy.DEADLETTER
                && spec.lastMillisOf(spec.windowOf(timestamp)) <= s.timers().currentWatermark();
    }

    /** An example of an evaluation pass: scored with the model as its epoch left it. */
    private void evaluate(Scope s, TrainingExample e) throws Exception {
        s.store().addToOpenWindows(new WindowedExample(Long.MIN_VALUE, e));
        WindowBookkeeping b = s.store().bookkeeping();
        b = b.withOpenCount(b.openCount() + 1);
        s.store().setBookkeeping(b);
        if (b.openCount() >= config.batchSize()) {
            evaluateBuffered(s, trainer(s));
        }
    }

    /** Scores the buffered examples of an evaluation pass and adds them to its sums. */
    private void evaluateBuffered(Scope s, ModelTrainer trainer) throws Exception {
        List<TrainingExample> examples = new ArrayList<>();
        for (WindowedExample w : s.store().openWindows()) {
            examples.add(w.example());
        }
        WindowBookkeeping b = s.store().bookkeeping();
        if (!examples.isEmpty()) {
            var ev = trainer.fullPass(examples);
            double correct =
                    ev.accuracy() == null
                            ? Double.NaN
                            : b.evaluatedCorrect() + ev.accuracy() * ev.examples();
            b =
                    b.withEvaluated(
                            b.evaluatedLoss() + ev.loss() * ev.examples(),
                            correct,
                            b.evaluated() + ev.examples());
        }
        s.store().setOpenWindows(List.of());
        s.store().setBookkeeping(b.withOpenCount(0));
    }

    /** The end of a replayed range: every pass ends, and the final model is published. */
    private void endOfReplay(Scope s) throws Exception {
        advance(s, replay.passes());
        ModelTrainer trainer = trainer(s);
        if (trainer.hasUnsnapshottedUpdates()) {
            s.listener().onSnapshot(trainer);
            trainer.markSnapshot();
        }
        store(s, trainer);
        settle(s, trainer, 0);
    }

    /** Writes the key's trainer to its state, and keeps it live for the key's next window. */
    private void store(Scope s, ModelTrainer trainer) throws Exception {
        TrainerState state = trainer.state();
        s.store().setTrainerState(state);
        cache().put(s.modelKey(), new Cached(state, trainer));
    }

    private Map<String, Cached> cache() {
        if (cache == null) {
            // Four copies of the parameters (live, state, last good, optimizer state, roughly);
            // the budget is shared by the variants' trainers of this operator.
            long perModel = Math.max(1, 4 * config.spec().parameterCount());
            long budget = CACHE_FLOATS / configs.byName().size();
            int entries = (int) Math.max(1, Math.min(100_000, budget / perModel));
            cache =
                    new LinkedHashMap<>(16, 0.75f, true) {
                        @Override
                        protected boolean removeEldestEntry(Map.Entry<String, Cached> eldest) {
                            return size() > entries;
                        }
                    };
        }
        return cache;
    }

    /** The key's trainer: live from the cache, restored from its state, or a fresh one. */
    public ModelTrainer trainer(Scope s) throws Exception {
        TrainerState state = s.store().trainerState();
        if (state != null) {
            Cached c = cache().get(s.modelKey());
            if (c != null && c.state() == state) {
                return c.trainer();
            }
            return ModelTrainer.restore(s.modelKey(), config, state)
                    .shuffleAs(configs.sourceKey(s.modelKey()));
        }
        ModelTrainer t =
                ModelTrainer.create(s.modelKey(), config)
                        .shuffleAs(configs.sourceKey(s.modelKey()));
        if (bounded) {
            t.startEpoch(1);
        }
        return t;
    }
}
