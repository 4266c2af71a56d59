package io.streamgrad.bench;

import io.streamgrad.batch.TrainingExample;
import io.streamgrad.job.TrainingExampleSerializer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * What an example costs to cross a network exchange (the {@code keyBy} of a live run, or of a
 * replay at {@code --parallelism} above 1): serialize then deserialize, with the stream's own
 * {@link TrainingExampleSerializer} (features copied as one block) against Flink's POJO serializer
 * of the same record, measured in the same run. Rounds alternate between the two; the result is the
 * ratio of their median rates.
 *
 * <p>Run: {@code ./mvnw -q -Pbench -pl flink-job -am -DskipTests verify
 * -Dbench.main=io.streamgrad.bench.ExampleSerdeBench}.
 */
public final class ExampleSerdeBench {
    private static final int EXAMPLES = 20_000;
    private static final int WARMUP_ROUNDS = 5;
    private static final int ROUNDS = 9;

    private ExampleSerdeBench() {}

    public static void main(String[] args) throws IOException {
        for (int features : new int[] {100, 784}) {
            run(features);
        }
    }

    private static void run(int features) throws IOException {
        Random r = new Random(features);
        List<TrainingExample> examples = new ArrayList<>(EXAMPLES);
        for (int i = 0; i < EXAMPLES; i++) {
            float[] f = new float[features];
            for (int j = 0; j < features; j++) {
                f[j] = (float) r.nextGaussian();
            }
            examples.add(
                    new TrainingExample(
                            "default",
                            "synthetic-" + i,
                            1_700_000_000_000L + i,
                            f,
                            i % 2,
                            i % 4,
                            i));
        }
        TypeSerializer<TrainingExample> pojo =
                TypeInformation.of(TrainingExample.class)
                        .createSerializer(new SerializerConfigImpl());
        TypeSerializer<TrainingExample> compact = new TrainingExampleSerializer();
        List<Double> pojoRate = new ArrayList<>();
        List<Double> compactRate = new ArrayList<>();
        long pojoBytes = 0;
        long compactBytes = 0;
        for (int round = -WARMUP_ROUNDS; round < ROUNDS; round++) {
            // Each goes first every other round: the other's garbage falls on both alike.
            long[] p;
            long[] c;
            if ((round & 1) == 0) {
                p = roundTrip(pojo, examples);
                c = roundTrip(compact, examples);
            } else {
                c = roundTrip(compact, examples);
                p = roundTrip(pojo, examples);
            }
            if (round >= 0) {
                pojoRate.add(EXAMPLES / (p[0] / 1e9));
                compactRate.add(EXAMPLES / (c[0] / 1e9));
                pojoBytes = p[1];
                compactBytes = c[1];
            }
        }
        double a = ThroughputBench.median(compactRate);
        double b = ThroughputBench.median(pojoRate);
        System.out.printf(
                "%d features: TrainingExampleSerializer %,.0f examples/s (%.0f bytes each), Flink"
                        + " POJO %,.0f examples/s (%.0f bytes each), ratio %.2f (serialize +"
                        + " deserialize, median of %d rounds of %,d examples)%n",
                features,
                a,
                (double) compactBytes / EXAMPLES,
                b,
                (double) pojoBytes / EXAMPLES,
                a / b,
                ROUNDS,
                EXAMPLES);
    }

    /** Nanoseconds to serialize then deserialize every example, and the bytes written. */
    private static long[] roundTrip(TypeSerializer<TrainingExample> s, List<TrainingExample> in)
            throws IOException {
        // Sized up front, so no buffer grows inside the timed region.
        DataOutputSerializer out =
                new DataOutputSerializer(in.size() * (4 * in.get(0).features().length + 64));
        long start = System.nanoTime();
        for (TrainingExample e : in) {
            s.serialize(e, out);
        }
        DataInputDeserializer read =
                new DataInputDeserializer(out.getSharedBuffer(), 0, out.length());
        long check = 0;
        for (int i = 0; i < in.size(); i++) {
            check += s.deserialize(read).offset();
        }
        long nanos = System.nanoTime() - start;
        if (check != (long) in.size() * (in.size() - 1) / 2) {
            throw new IllegalStateException("round trip lost examples");
        }
        return new long[] {nanos, out.length()};
    }
}
