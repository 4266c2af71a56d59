package io.streamgrad.job;

import io.streamgrad.batch.TrainingExample;
import io.streamgrad.evaluate.EvaluationAccumulator;
import io.streamgrad.evaluate.Scorer;
import io.streamgrad.model.Nd4jClassLoader;
import io.streamgrad.schema.AvroSerde;
import io.streamgrad.schema.ModelSnapshot;
import io.streamgrad.schema.Task;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Scores examples with the snapshot's model in batches, into this subtask's shard of the metrics.
 * Emits (examples, empty) after each batch for progress, and (0, shard bytes) at the end of input;
 * writes each example's prediction to its CSV part when asked. A Kafka partition is read by one
 * subtask in offset order, so each part holds its partitions' rows in offset order.
 */
final class ScoreOperator extends AbstractStreamOperator<Tuple2<Long, byte[]>>
        implements OneInputStreamOperator<TrainingExample, Tuple2<Long, byte[]>>, BoundedOneInput {
    private static final long serialVersionUID = 1L;
    static final byte[] TICK = new byte[0];
    static final String OTHER_MODEL = "events-other-model";
    static final String SCORED = "events-scored";

    /** Rows per call into ND4J: large enough that the per-call cost is small. */
    private static final int BATCH = 256;

    private final byte[] snapshot;
    private final String modelKey;
    private final String predictionsDir;

    private transient Scorer scorer;
    private transient EvaluationAccumulator shard;
    private transient int inputs;
    private transient float[] x;
    private transient double[] y;
    private transient int[] partitions;
    private transient long[] offsets;
    private transient String[] ids;
    private transient int n;
    private transient BufferedWriter csv;
    private transient LongCounter otherModel;
    private transient LongCounter scored;

    ScoreOperator(byte[] snapshot, String modelKey, String predictionsDir) {
        this.snapshot = snapshot;
        this.modelKey = modelKey;
        this.predictionsDir = predictionsDir;
    }

    @Override
    public void open() throws Exception {
        super.open();
        AvroSerde.trustGeneratedClasses();
        Nd4jClassLoader.useNd4jsOwn(); // before this job's first use of ND4J

        scorer = new Scorer(AvroSerde.of(ModelSnapshot.class).deserialize(snapshot));
        shard = scorer.newAccumulator();
        inputs = scorer.spec().inputSize();
        x = new float[BATCH * inputs];
        y = new double[BATCH];
        partitions = new int[BATCH];
        offsets = new long[BATCH];
        ids = new String[BATCH];
        otherModel = getRuntimeContext().getLongCounter(OTHER_MODEL);
        scored = getRuntimeContext().getLongCounter(SCORED);
        if (predictionsDir != null) {
            int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
            csv =
                    Files.newBufferedWriter(
                            Path.of(predictionsDir).resolve("part-" + subtask + ".csv"),
                            StandardCharsets.UTF_8);
        }
    }

    @Override
    public void processElement(StreamRecord<TrainingExample> record) throws Exception {
        TrainingExample e = record.getValue();
        if (!modelKey.equals(e.modelKey())) {
            otherModel.add(1);
            return;
        }
        System.arraycopy(e.features(), 0, x, n * inputs, inputs);
        y[n] = e.label();
        partitions[n] = e.partition();
        offsets[n] = e.offset();
        ids[n] = e.eventId();
        if (++n == BATCH) {
            flush();
        }
    }

    private void flush() throws IOException {
        if (n == 0) {
            return;
        }
        float[] batch = n == BATCH ? x : java.util.Arrays.copyOf(x, n * inputs);
        double[] labels = n == BATCH ? y : java.util.Arrays.copyOf(y, n);
        Scorer.Predictions p = scorer.score(batch, labels, n, shard);
        if (csv != null) {
            writeRows(p);
        }
        scored.add(n);
        output.collect(new StreamRecord<>(Tuple2.of((long) n, TICK)));
        n = 0;
    }

    private void writeRows(Scorer.Predictions p) throws IOException {
        boolean regression = scorer.spec().task() == Task.REGRESSION;
        StringBuilder row = new StringBuilder();
        for (int i = 0; i < n; i++) {
            row.setLength(0);
            row.append(partitions[i]).append(',').append(offsets[i]).append(',');
            row.append(PredictionsCsv.quote(ids[i])).append(',');
            if (regression) {
                row.append(y[i]).append(',').append(p.prediction()[i]);
            } else {
                row.append((int) y[i]).append(',').append((int) p.prediction()[i]);
                for (int c = 0; c < p.classes(); c++) {
                    row.append(',').append(p.probabilities()[i * p.classes() + c]);
                }
            }
            csv.write(row.append('\n').toString());
        }
    }

    @Override
    public void endInput() throws Exception {
        flush();
        if (csv != null) {
            csv.flush();
        }
        output.collect(new StreamRecord<>(Tuple2.of(0L, shard.toBytes())));
    }

    @Override
    public void close() throws Exception {
        if (csv != null) {
            csv.close();
        }
        super.close();
    }
}
