package io.streamgrad.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamgrad.kafka.KafkaClientConfig;
import io.streamgrad.model.Activation;
import io.streamgrad.model.ModelSpec;
import io.streamgrad.model.OptimizerSpec;
import io.streamgrad.train.Batching;
import io.streamgrad.train.ModelConfigs;
import io.streamgrad.train.ShuffleMode;
import io.streamgrad.train.TrainingConfig;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobgraph.JobVertex;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Test;

/**
 * The shape of the training dataflow as Flink will run it: which operators share a task (and so a
 * thread, with no serialization between them) and which are split by a network exchange.
 */
class TrainingJobGraphTest {

    private static JobConfig config(boolean bounded, int parallelism) {
        return new JobConfig(
                KafkaClientConfig.plain("localhost:9092"),
                JobConfig.Topics.DEFAULT,
                "group",
                "run-1",
                bounded,
                true,
                parallelism,
                10_000,
                new TrainingConfig(
                        ModelSpec.parse("logistic", 4, 2, Activation.TANH),
                        new OptimizerSpec("sgd", 0.1),
                        Batching.defaults(),
                        1,
                        100,
                        0.05,
                        7));
    }

    /** A training config of {@code c}'s model with this optimizer and batching. */
    private static TrainingConfig training(JobConfig c, OptimizerSpec optimizer, Batching b) {
        return new TrainingConfig(c.training().spec(), optimizer, b, 1, 100, 0.05, 7);
    }

    /**
     * The stream graph's nodes of a backtest of two variants over offsets 0-1000 of partition 0.
     */
    private static Collection<StreamNode> backtestNodes(
            JobConfig c, int parallelism, ModelConfigs.Variant first, ModelConfigs.Variant second) {
        BacktestConfig backtest =
                new BacktestConfig(
                        c,
                        ModelConfigs.variants(List.of(first, second)),
                        Map.of(0, 0L),
                        Map.of(0, 1_000L));
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(
                        Configuration.fromMap(TrainingJob.settings(c)));
        env.setParallelism(parallelism);
        TrainingJob.build(env, backtest);
        return env.getStreamGraph().getStreamNodes();
    }

    private static List<String> vertices(JobConfig c) {
        Configuration settings = Configuration.fromMap(TrainingJob.settings(c));
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(settings);
        env.setParallelism(c.parallelism());
        TrainingJob.build(env, c);
        JobGraph graph = env.getStreamGraph().getJobGraph();
        return StreamSupport.stream(graph.getVertices().spliterator(), false)
                .map(JobVertex::getName)
                .toList();
    }

    private static String vertexWith(List<String> names, String operator) {
        return names.stream()
                .filter(n -> n.contains(operator))
                .findFirst()
                .orElseThrow(() -> new AssertionError(operator + " in none of " + names));
    }

    @Test
    void aReplayAtParallelismOneReadsDecodesAndTrainsInOneTask() {
        List<String> names = vertices(config(true, 1));
        String reader = vertexWith(names, "kafka (replay)");
        assertTrue(reader.contains("decode + validate"), reader);
        assertTrue(reader.contains("mini-batch + train"), reader);
    }

    @Test
    void aReplayOverSeveralTrainersHashesByModelKey() {
        List<String> names = vertices(config(true, 2));
        String reader = vertexWith(names, "kafka (replay)");
        assertTrue(reader.contains("decode + validate"), reader);
        assertTrue(!reader.contains("mini-batch + train"), reader);
    }

    @Test
    void aLiveStreamHashesByModelKeyWhateverTheParallelism() {
        // The live Kafka source may run with several readers: only a hash partitioning puts a
        // model key's examples on the subtask that owns its key group.
        List<String> names = vertices(config(false, 1));
        String reader = vertexWith(names, "decode + validate");
        assertTrue(!reader.contains("mini-batch + train"), reader);
        assertEquals(1, names.stream().filter(n -> n.contains("mini-batch + train")).count());
    }

    @Test
    void examplesCrossTheExchangeWithTheirOwnSerializer() {
        // A live stream hashes by model key at any parallelism, a replay above parallelism 1.
        for (JobConfig c : List.of(config(false, 1), config(false, 2), config(true, 2))) {
            StreamExecutionEnvironment env =
                    StreamExecutionEnvironment.getExecutionEnvironment(
                            Configuration.fromMap(TrainingJob.settings(c)));
            env.setParallelism(c.parallelism());
            TrainingJob.build(env, c);
            var train =
                    env.getStreamGraph().getStreamNodes().stream()
                            .filter(n -> n.getOperatorName().contains("mini-batch + train"))
                            .findFirst()
                            .orElseThrow();
            assertTrue(
                    train.getTypeSerializersIn()[0] instanceof TrainingExampleSerializer,
                    c.bounded() + "/" + c.parallelism() + ": " + train.getTypeSerializersIn()[0]);
        }
    }

    @Test
    void aBacktestsVariantsCrossTheExchangeWithTheExamplesSerializer() {
        // A backtest fans each example out once per variant, then hashes by KEY@VARIANT: at any
        // parallelism, the fan-out's output crosses the exchange.
        for (int parallelism : new int[] {1, 2}) {
            JobConfig c = config(true, parallelism);
            TrainingConfig slower =
                    training(c, new OptimizerSpec("sgd", 0.01), Batching.defaults());
            var nodes =
                    backtestNodes(
                            c,
                            parallelism,
                            new ModelConfigs.Variant("fast", "--learning-rate 0.1", c.training()),
                            new ModelConfigs.Variant("slow", "--learning-rate 0.01", slower));
            var fanOut =
                    nodes.stream()
                            .filter(n -> n.getOperatorName().contains("one example per variant"))
                            .findFirst()
                            .orElseThrow(() -> new AssertionError("no fan-out in " + nodes));
            var train =
                    nodes.stream()
                            .filter(n -> n.getOperatorName().contains("mini-batch + train"))
                            .findFirst()
                            .orElseThrow();
            assertTrue(
                    fanOut.getTypeSerializerOut() instanceof TrainingExampleSerializer,
                    parallelism + ": " + fanOut.getTypeSerializerOut());
            // The default batching reads the range from Kafka again per pass: one reader, and the
            // fan-out on its thread, so that a key's passes reach its trainer in order.
            assertTrue(
                    nodes.stream().anyMatch(n -> n.getOperatorName().contains("kafka (replay)")),
                    parallelism + ": " + nodes);
            assertEquals(1, fanOut.getParallelism(), parallelism + ": fan-out");
            assertTrue(
                    train.getTypeSerializersIn()[0] instanceof TrainingExampleSerializer,
                    parallelism + ": " + train.getTypeSerializersIn()[0]);
        }
    }

    @Test
    void aBacktestWhoseVariantsKeepTheRangeReadsItOnceWithKafkasOwnSource() {
        JobConfig c = config(true, 2);
        TrainingConfig kept =
                training(
                        c,
                        new OptimizerSpec("sgd", 0.1),
                        Batching.defaults().withShuffle(ShuffleMode.PASS));
        TrainingConfig threeEpochs = training(c, kept.optimizer(), kept.batching().withEpochs(3));
        var nodes =
                backtestNodes(
                        c,
                        2,
                        new ModelConfigs.Variant("one", "", kept),
                        new ModelConfigs.Variant("three", "epochs=3", threeEpochs));
        assertTrue(
                nodes.stream().noneMatch(n -> n.getOperatorName().contains("(replay)")),
                nodes.toString());
        assertTrue(
                nodes.stream()
                        .anyMatch(
                                n ->
                                        n.getOperatorName().contains("one example per variant")
                                                && n.getParallelism() == 2),
                nodes.toString());
    }
}
