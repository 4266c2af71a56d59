package io.streamgrad.cli;

import io.streamgrad.config.InvalidSettingException;
import io.streamgrad.kafka.Topic;
import io.streamgrad.kafka.TopicAdmin;
import io.streamgrad.run.DeadLetterSummary;
import io.streamgrad.run.TopicReader;
import io.streamgrad.run.flags.Flags;
import io.streamgrad.run.flags.KafkaOptions;
import io.streamgrad.schema.DeadLetter;
import io.streamgrad.schema.DeadLetterReason;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "dead-letters",
        mixinStandardHelpOptions = true,
        description = {
            "What the dead-letter topic holds (read_committed, from its beginning): per reason the"
                    + " count, when they were written, the source partitions and offsets, one"
                    + " example and the fix; --list adds the newest dead letters one per line."
                    + " Records dead-lettered again by later runs over the same offsets (a warm"
                    + " start, an evaluation) are counted once as records. Reads the topic once,"
                    + " keeping counters and up to 1,000,000 records' coordinates.",
            "Exit code: 0 when the topic holds dead letters that match, 3 when it holds none (1"
                    + " when the command failed, e.g. Kafka is unreachable; 2 for a wrong flag or a"
                    + " topic that holds no DeadLetters at all)."
        })
public final class DeadLettersCommand implements Callable<Integer> {
    /**
     * The exit code when no dead letter matches: apart from 1 (the command failed) and 2 (wrong
     * usage), so that a script tells a clean topic from an unreachable cluster.
     */
    static final int NONE_MATCH = 3;

    @Mixin KafkaOptions kafka = new KafkaOptions();

    @Option(
            names = "--dead-letter-topic",
            defaultValue = Topic.Names.DEAD_LETTER,
            description = "Topic of DeadLetters (default: ${DEFAULT-VALUE})")
    String topic;

    @Option(
            names = "--source-topic",
            paramLabel = "TOPIC",
            description =
                    "Only dead letters of records read from this topic (default: all; train,"
                            + " evaluate and join may share one dead-letter topic)")
    String sourceTopic;

    @Option(
            names = "--reason",
            paramLabel = "REASON",
            split = ",",
            description =
                    "Only these reasons (repeatable or comma-separated): "
                            + "undecodable, unknown-schema, record-too-large, wrong-feature-count,"
                            + " bad-label, non-finite-label, class-out-of-range,"
                            + " non-finite-feature, late, late-label, unknown-event,"
                            + " wrong-label-type, duplicate-event")
    List<String> reasons;

    @Option(
            names = "--list",
            arity = "0..1",
            fallbackValue = "20",
            paramLabel = "N",
            description =
                    "Also print the N dead letters written last (N when given without one:"
                            + " ${FALLBACK-VALUE}): when written, reason, source"
                            + " topic/partition@offset, record timestamp, key (as text when"
                            + " printable, up to 32 characters), size of the value the dead letter"
                            + " keeps, detail")
    Integer list;

    @Override
    public Integer call() {
        Set<String> wanted = wantedReasons();
        if (list != null && list < 1) {
            throw new InvalidSettingException(
                    "{list} " + list + " is not a count of dead letters: give 1 or more");
        }
        try (TopicAdmin admin = kafka.admin()) {
            admin.requireReachable();
            if (!admin.topicExists(topic)) {
                throw new InvalidSettingException(
                        "{dead-letter-topic} "
                                + topic
                                + " does not exist on "
                                + kafka.client().bootstrapServers()
                                + ": give the topic the run wrote its dead letters to (default "
                                + Topic.Names.DEAD_LETTER
                                + "); a run creates it when it starts");
            }
        }
        TopicReader.sayIfHeldBack(kafka.client(), topic);
        Predicate<DeadLetter> keep =
                d ->
                        (sourceTopic == null || sourceTopic.equals(d.getTopic().toString()))
                                && (wanted == null || wanted.contains(d.getReason().toString()));
        DeadLetterSummary summary = new DeadLetterSummary(keep, list == null ? 0 : list);
        long others =
                TopicReader.forEach(
                        kafka.client(), topic, Map.of(), DeadLetter.class, summary::add);
        if (summary.read() == 0 && others > 0) {
            throw new InvalidSettingException(
                    String.format(
                            "{dead-letter-topic} %s holds %,d records and none is a DeadLetter:"
                                    + " it is a topic of another kind (events, metrics or"
                                    + " snapshots?); give the topic the run wrote its dead letters"
                                    + " to (default %s)",
                            topic, others, Topic.Names.DEAD_LETTER));
        }
        if (summary.total() == 0) {
            System.err.printf(
                    "streamgrad dead-letters: %s holds no dead letters%s (%,d read)%n",
                    topic, filters(wanted), summary.read());
            return NONE_MATCH;
        }
        print(summary, wanted);
        return 0;
    }

    /** The reasons asked for, checked against the wire names; null for all. */
    private Set<String> wantedReasons() {
        if (reasons == null) {
            return null;
        }
        Set<String> known =
                Arrays.stream(DeadLetterReason.values())
                        .map(DeadLetterReason::wireName)
                        .collect(Collectors.toCollection(java.util.LinkedHashSet::new));
        Set<String> wanted = new TreeSet<>();
        for (String r : reasons) {
            String name = r.trim();
            if (!known.contains(name)) {
                throw new InvalidSettingException(
                        "{reason} '"
                                + r
                                + "' is not a dead-letter reason: one of "
                                + String.join(", ", known));
            }
            wanted.add(name);
        }
        return wanted;
    }

    private String filters(Set<String> wanted) {
        StringBuilder sb = new StringBuilder();
        if (sourceTopic != null) {
            sb.append(" from ").append(sourceTopic);
        }
        if (wanted != null) {
            sb.append(" with reason ").append(String.join(" or ", wanted));
        }
        return sb.toString();
    }

    private void print(DeadLetterSummary s, Set<String> wanted) {
        System.out.printf(
                "%s: %,d dead letter%s%s (%,d read)%s%n",
                topic,
                s.total(),
                s.total() == 1 ? "" : "s",
                filters(wanted),
                s.read(),
                // --source-topic already said where from
                sourceTopic != null ? "" : ", from " + String.join(", ", s.sourceTopics()));
        if (!s.recordsExact()) {
            System.out.printf(
                    "  (distinct source records not counted past %,d)%n",
                    DeadLetterSummary.RECORDS_TRACKED);
        } else if (s.records() < s.total()) {
            // A record replayed by a later run over the same offsets is dead-lettered again.
            System.out.printf(
                    "  for %,d distinct records: %,d written again by later runs over the same"
                            + " offsets (a warm start, an evaluation, a backtest)%n",
                    s.records(), s.total() - s.records());
        }
        for (DeadLetterSummary.Reason r : s.reasons()) {
            System.out.printf(
                    "%n  %-20s %,10d   written %s … %s%n",
                    r.name(),
                    r.count(),
                    Instant.ofEpochMilli(r.firstFailedAt()),
                    Instant.ofEpochMilli(r.lastFailedAt()));
            System.out.printf(
                    "    offsets  %s%n",
                    r.offsets().entrySet().stream()
                            .map(
                                    e ->
                                            e.getValue()[0] == e.getValue()[1]
                                                    ? e.getKey() + " " + e.getValue()[0]
                                                    : e.getKey()
                                                            + " "
                                                            + e.getValue()[0]
                                                            + " to "
                                                            + e.getValue()[1])
                            .collect(Collectors.joining(", ")));
            System.out.printf("    e.g.     %s: %s%n", r.exampleAt(), oneLine(r.example()));
            System.out.printf("    fix      %s%n", asFlags(r.fix()));
        }
        if (!s.newest().isEmpty()) {
            System.out.printf(
                    "%nthe newest %,d:%n%-24s  %-20s  %-30s  %-24s  %-12s  %8s  %s%n",
                    s.newest().size(),
                    "written",
                    "reason",
                    "source",
                    "record timestamp",
                    "key",
                    "bytes",
                    "detail");
            for (DeadLetterSummary.Listed d : s.newest()) {
                System.out.printf(
                        "%-24s  %-20s  %-30s  %-24s  %-12s  %8s  %s%n",
                        Instant.ofEpochMilli(d.failedAt()),
                        d.reason(),
                        d.coordinates(),
                        Instant.ofEpochMilli(d.timestamp()),
                        d.key(),
                        d.valueBytes() < 0 ? "null" : String.format("%,d", d.valueBytes()),
                        oneLine(d.detail()));
            }
        }
    }

    /** A fix names settings as {@code {name}} tokens; here they are spelled as flags. */
    private static String asFlags(String fix) {
        return Flags.message(InvalidSettingException.withRemedies(fix));
    }

    /** The detail whole (it ends with what would have kept the record), on one line. */
    private static String oneLine(String s) {
        return s.replace('\n', ' ').replace('\r', ' ');
    }
}
