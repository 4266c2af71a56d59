package io.streamgrad.run.flags;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamgrad.config.InvalidSettingException;
import io.streamgrad.train.ModelConfigs;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

class VariantOptionsTest {
    @Command(name = "backtest")
    static final class Backtest {
        @Mixin TrainJobOptions job = new TrainJobOptions();
        @Mixin VariantOptions variants = new VariantOptions();
    }

    private static List<ModelConfigs.Variant> parse(String... args) {
        Backtest b = new Backtest();
        CommandLine cli = new CommandLine(b);
        cli.parseArgs(args);
        return b.variants.toVariants(cli);
    }

    @Test
    void switchesKeepTheirValueAndAVariantSetsThemEitherWay() {
        List<ModelConfigs.Variant> v =
                parse(
                        "--bootstrap-servers",
                        "localhost:1",
                        "--features",
                        "7",
                        "--no-full-pass-loss",
                        "--optimizer",
                        "sgd",
                        "--variant",
                        "name=a",
                        "--variant",
                        "name=b,full-pass-loss=true,learning-rate=0.5",
                        "--variant",
                        "name=c,full-pass-loss=false,model=mlp:4,3");
        assertEquals(false, v.get(0).config().batching().fullPassLoss(), "--no-X stays off");
        assertEquals(7, v.get(0).config().spec().inputSize(), "the command's flags");
        assertEquals(true, v.get(1).config().batching().fullPassLoss());
        assertEquals(0.5, v.get(1).config().optimizer().learningRate());
        assertEquals("sgd", v.get(1).config().optimizer().name());
        assertEquals(false, v.get(2).config().batching().fullPassLoss());
        assertEquals("mlp:4,3", v.get(2).config().spec().shorthand());
        InvalidSettingException e =
                assertThrows(
                        InvalidSettingException.class,
                        () ->
                                parse(
                                        "--bootstrap-servers",
                                        "localhost:1",
                                        "--variant",
                                        "name=a,full-pass-loss=maybe"));
        assertTrue(e.getMessage().contains("full-pass-loss=true or full-pass-loss=false"));
    }

    @Test
    void aMistypedSettingNamesTheNearestAVariantSets() {
        InvalidSettingException e =
                assertThrows(
                        InvalidSettingException.class,
                        () ->
                                parse(
                                        "--bootstrap-servers",
                                        "localhost:1",
                                        "--variant",
                                        "name=a,lerning-rate=0.1"));
        assertTrue(
                e.getMessage()
                        .contains(
                                "variant a: unknown setting 'lerning-rate' (did you mean"
                                        + " learning-rate?); a variant sets "),
                e.getMessage());
    }

    @Test
    void eventTimeIsTheJobsNotAVariants() {
        InvalidSettingException e =
                assertThrows(
                        InvalidSettingException.class,
                        () ->
                                ModelConfigs.variants(
                                        parse(
                                                "--bootstrap-servers",
                                                "localhost:1",
                                                "--variant",
                                                "name=a",
                                                "--variant",
                                                "name=b,max-out-of-orderness=60s")));
        assertTrue(e.getMessage().contains("event time is the job's"), e.getMessage());
    }

    @Test
    void aPieceWithoutKeyContinuesTheValueBeforeIt() {
        Map<String, String> s = VariantOptions.settings("name=wide,model=mlp:64,32,batch-size=128");
        assertEquals(Map.of("name", "wide", "model", "mlp:64,32", "batch-size", "128"), s);
        assertEquals(List.of("name", "model", "batch-size"), List.copyOf(s.keySet()), "in order");
        assertThrows(InvalidSettingException.class, () -> VariantOptions.settings("adam"));
        assertThrows(InvalidSettingException.class, () -> VariantOptions.settings("name=a,=b"));
        assertThrows(InvalidSettingException.class, () -> VariantOptions.settings("name=a,name=b"));
    }
}
