package io.streamgrad.bench;

import io.streamgrad.batch.Batch;
import io.streamgrad.batch.TrainingExample;
import io.streamgrad.schema.AvroSerde;
import io.streamgrad.schema.LabeledEventDecoder;
import io.streamgrad.train.EventValidator;
import io.streamgrad.train.ModelTrainer;
import io.streamgrad.train.TrainingConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The in-memory reference as a run of {@code train} meets its model: in a fresh JVM, with no
 * warm-up. Reads the topic (decoding as the job does) into mini-batches of the workload's size, in
 * topic order, up to {@link #MAX_FEATURE_BYTES} of features; then times one pass of {@link
 * ModelTrainer#train} over them, from the first step's start to the last step's end. Its JIT
 * compiles the trainer while it trains, as the job's does, but nothing else runs beside it: the
 * difference to the end-to-end rate is what reading, decoding, windowing and the rest of the
 * pipeline cost, warm-up included on both sides. Run by {@link ThroughputBench} as a child JVM with
 * the launcher's JVM flags. Then, warm (the cold pass was its warm-up), the same batches again,
 * cycled for at least {@link ThroughputBench#IN_MEMORY_MIN_SECONDS} and one whole pass: the warm
 * in-memory reference, measured in a JVM that has run nothing but the trainer. Prints one line,
 * {@code examples seconds warm_examples warm_seconds}.
 *
 * <p>Usage: {@code ColdPass BOOTSTRAP_SERVERS TOPIC MODEL_FLAGS...}
 */
public final class ColdPass {
    static final long MAX_FEATURE_BYTES = 1L << 30;

    private ColdPass() {}

    public static void main(String[] args) {
        String servers = args[0];
        String topic = args[1];
        TrainingConfig config =
                ThroughputBench.ModelFlags.parse(Arrays.asList(args).subList(2, args.length));
        AvroSerde.trustGeneratedClasses();
        int b = config.batchSize();
        long maxExamples = MAX_FEATURE_BYTES / (4L * config.spec().inputSize());
        LabeledEventDecoder decoder = new LabeledEventDecoder();
        List<Batch> batches = new ArrayList<>();
        List<TrainingExample> rows = new ArrayList<>(b);
        ThroughputBench.read(
                servers,
                topic,
                rec -> {
                    if ((long) (batches.size() + 1) * b > maxExamples) {
                        return;
                    }
                    rows.add(EventValidator.validate(decoder.decode(rec.value()), config.spec()));
                    if (rows.size() == b) {
                        batches.add(Batch.of("bench", batches.size(), rows));
                        rows.clear();
                    }
                });
        if (batches.isEmpty()) {
            throw new IllegalStateException("fewer than one batch of events in " + topic);
        }
        ModelTrainer trainer = ModelTrainer.create("bench", config);
        long start = System.nanoTime();
        for (Batch batch : batches) {
            trainer.train(batch);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        // Warm: the cold pass was the warm-up; the same batches again, cycled for at least
        // IN_MEMORY_MIN_SECONDS and at least one whole pass.
        long warmExamples = 0;
        long warmStart = System.nanoTime();
        for (int i = 0;
                i < batches.size()
                        || (System.nanoTime() - warmStart) / 1e9
                                < ThroughputBench.IN_MEMORY_MIN_SECONDS;
                i++) {
            trainer.train(batches.get(i % batches.size()));
            warmExamples += b;
        }
        double warmSeconds = (System.nanoTime() - warmStart) / 1e9;
        System.out.println(
                (long) batches.size() * b + " " + seconds + " " + warmExamples + " " + warmSeconds);
    }
}
