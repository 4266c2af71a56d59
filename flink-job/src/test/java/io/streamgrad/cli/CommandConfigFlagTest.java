package io.streamgrad.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamgrad.run.ClusterJob;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Every command that talks to a Kafka cluster takes its client settings the same way. */
class CommandConfigFlagTest {
    private static void walk(CommandLine c, List<CommandLine> out) {
        out.add(c);
        c.getSubcommands().values().forEach(s -> walk(s, out));
    }

    @Test
    void everyCommandWithBootstrapServersTakesACommandConfig() {
        List<CommandLine> all = new ArrayList<>();
        walk(new CommandLine(new Streamgrad()), all);
        all.add(new CommandLine(new ClusterJob()));
        List<String> withKafka = new ArrayList<>();
        for (CommandLine c : all) {
            var spec = c.getCommandSpec();
            if (spec.findOption("--bootstrap-servers") != null) {
                withKafka.add(spec.qualifiedName());
                assertTrue(
                        spec.findOption("--command-config") != null,
                        spec.qualifiedName() + " has --bootstrap-servers but no --command-config");
            }
        }
        // produce (each source), produce delayed, join, plot, advise, train and the job jar.
        assertTrue(withKafka.size() >= 8, withKafka.toString());
        for (String name : List.of("streamgrad train", "streamgrad join", "streamgrad plot")) {
            assertEquals(true, withKafka.contains(name), name + " in " + withKafka);
        }
    }
}
