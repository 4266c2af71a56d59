package io.streamgrad.serve;

import io.streamgrad.kafka.KafkaClientConfig;
import io.streamgrad.kafka.RawClients;
import io.streamgrad.schema.AvroDecodeException;
import io.streamgrad.schema.AvroSerde;
import io.streamgrad.schema.ModelSnapshot;
import java.io.Closeable;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

/**
 * Serves predictions from the newest snapshot of one model key. {@link #follow} reads the snapshots
 * topic from its beginning on its own thread ({@code read_committed}, no consumer group) and keeps
 * reading; each snapshot of the key newer than the one served ({@link SnapshotRecency}: a higher
 * version of the same run, or any snapshot of a run that started later, such as a run started over,
 * while an older run still writing is ignored) replaces it in one atomic step, so a {@link
 * #predict} runs wholly on one version's model, and a run's versions never go back. Snapshots
 * failing their checksum are refused and counted ({@link #rejected()}).
 *
 * <p>Thread-safe: any number of threads may predict while the follower swaps models.
 */
public final class Predictor implements Closeable {
    /** What became of an offered snapshot. */
    enum Offer {
        SWAPPED,
        NOT_NEWER,
        OTHER_KEY,
        CORRUPT
    }

    private final String modelKey;
    private final String source;
    private final AtomicReference<ServingModel> current = new AtomicReference<>();
    private final SnapshotRecency recency = new SnapshotRecency();
    private final AtomicLong swaps = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong notNewer = new AtomicLong();
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    private final Object swapped = new Object();
    private volatile String lastRejection;
    private volatile Throwable failure;
    private volatile boolean closing;
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private Thread follower;

    Predictor(String modelKey, String source) {
        this.modelKey = Objects.requireNonNull(modelKey, "modelKey");
        this.source = source;
    }

    /**
     * Serves one snapshot and nothing else (no topic is followed).
     *
     * @throws CorruptSnapshotException when it fails its checksum
     */
    public static Predictor of(ModelSnapshot snapshot) {
        Predictor p = new Predictor(snapshot.getModel(), "snapshot v" + snapshot.getVersion());
        if (p.offer(snapshot) == Offer.CORRUPT) {
            throw new CorruptSnapshotException(p.lastRejection);
        }
        p.caughtUp.countDown();
        return p;
    }

    /**
     * Starts following {@code topic} for snapshots of {@code modelKey} on a daemon thread. Until
     * the first snapshot of the key arrives, {@link #predict} refuses; {@link #awaitCaughtUp} waits
     * until the topic has been read to the end offsets it had at start.
     */
    public static Predictor follow(KafkaClientConfig kafka, String topic, String modelKey) {
        Predictor p = new Predictor(modelKey, "topic " + topic);
        KafkaConsumer<byte[], byte[]> consumer =
                RawClients.consumer(kafka, "streamgrad-predict-" + modelKey);
        p.consumer = consumer;
        p.follower = new Thread(() -> p.run(kafka, topic), "streamgrad-predict-" + modelKey);
        p.follower.setDaemon(true);
        p.follower.start();
        return p;
    }

    private void run(KafkaClientConfig kafka, String topic) {
        AvroSerde<ModelSnapshot> serde = AvroSerde.of(ModelSnapshot.class);
        try (KafkaConsumer<byte[], byte[]> c = consumer) {
            List<TopicPartition> partitions = RawClients.fromBeginning(c, kafka, topic);
            if (partitions.isEmpty()) {
                throw new IllegalStateException(
                        "snapshots topic " + topic + " does not exist (no partitions)");
            }
            Map<TopicPartition, Long> end = c.endOffsets(partitions);
            while (!closing) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    ModelSnapshot s;
                    try {
                        s = serde.deserialize(r.value());
                    } catch (AvroDecodeException e) {
                        continue; // not a snapshot: someone else's record on a shared topic
                    }
                    offer(s);
                }
                if (caughtUp.getCount() > 0 && reached(c, end)) {
                    caughtUp.countDown();
                }
            }
        } catch (WakeupException e) {
            // close() woke the poll
        } catch (RuntimeException e) {
            if (!closing) {
                failure = e;
            }
        } finally {
            caughtUp.countDown();
            synchronized (swapped) {
                swapped.notifyAll();
            }
        }
    }

    private static boolean reached(KafkaConsumer<?, ?> c, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (c.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Takes a snapshot if it is of this key, intact, and newer than the one served. Only the
     * follower thread (or the one building a fixed predictor) offers, but the swap is a
     * compare-and-set all the same, so versions cannot go back whoever offers.
     */
    Offer offer(ModelSnapshot snapshot) {
        if (!modelKey.equals(snapshot.getModel())) {
            return Offer.OTHER_KEY;
        }
        ServingModel candidate;
        try {
            candidate = ServingModel.of(snapshot);
        } catch (CorruptSnapshotException | IllegalArgumentException e) {
            rejected.incrementAndGet();
            lastRejection = e.getMessage();
            return Offer.CORRUPT;
        }
        recency.see(candidate.runId(), candidate.createdAt());
        while (true) {
            ServingModel served = current.get();
            if (!candidate.newerThan(served, recency)) {
                notNewer.incrementAndGet();
                return Offer.NOT_NEWER;
            }
            if (current.compareAndSet(served, candidate)) {
                swaps.incrementAndGet();
                synchronized (swapped) {
                    swapped.notifyAll();
                }
                return Offer.SWAPPED;
            }
        }
    }

    /**
     * Predicts one example with the newest snapshot received.
     *
     * @param features the raw features, as many as the served model's input size
     * @throws IllegalArgumentException naming the version, its input size and the count given
     * @throws IllegalStateException when no snapshot of the key has arrived yet (or following the
     *     topic failed before one did)
     */
    public Prediction predict(float[] features) {
        ServingModel model = current.get();
        if (model == null) {
            throw noModel();
        }
        return model.predict(features);
    }

    private IllegalStateException noModel() {
        Throwable f = failure;
        if (f != null) {
            return new IllegalStateException(
                    "following " + source + " failed: " + f.getMessage(), f);
        }
        return new IllegalStateException(
                "no snapshot of model key "
                        + modelKey
                        + " on "
                        + source
                        + " yet"
                        + (rejected.get() > 0
                                ? " (" + rejected.get() + " refused: " + lastRejection + ")"
                                : ""));
    }

    /** The model served now, or null before the first snapshot. */
    public ServingModel current() {
        return current.get();
    }

    /**
     * Waits until the topic has been read up to the end offsets it had when following began, so
     * that the model served is the newest there was at start.
     *
     * @return false when the time ran out first
     * @throws IllegalStateException when following failed, or the topic holds no intact snapshot of
     *     the key
     */
    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        if (!caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            return false;
        }
        if (current.get() == null || failure != null) {
            throw noModel();
        }
        return true;
    }

    /**
     * Waits until the model served has at least {@code version}.
     *
     * @return the model served then, or null when the time ran out or following stopped first
     */
    public ServingModel awaitVersion(long version, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (swapped) {
            while (true) {
                ServingModel m = current.get();
                if (m != null && m.version() >= version) {
                    return m;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || failure != null || closing) {
                    return null;
                }
                TimeUnit.NANOSECONDS.timedWait(swapped, left);
            }
        }
    }

    public String modelKey() {
        return modelKey;
    }

    /** How many times a newer snapshot replaced the served one (the first one included). */
    public long swaps() {
        return swaps.get();
    }

    /**
     * Snapshots of the key refused as corrupt: parameters failing their checksum, or not fitting
     * the architecture recorded beside them.
     */
    public long rejected() {
        return rejected.get();
    }

    /** Why the last refused snapshot was refused, or null. */
    public String lastRejection() {
        return lastRejection;
    }

    /** Intact snapshots of the key not newer than the one served when they arrived. */
    public long notNewer() {
        return notNewer.get();
    }

    /** Why following the topic stopped, or null while it runs (or for a fixed snapshot). */
    public Throwable failure() {
        return failure;
    }

    /** Stops following the topic and waits for the follower thread to end. */
    @Override
    public void close() {
        closing = true;
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        if (follower != null) {
            try {
                follower.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
