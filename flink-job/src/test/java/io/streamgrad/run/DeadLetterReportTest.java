package io.streamgrad.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamgrad.schema.DeadLetter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeadLetterReportTest {
    private static DeadLetter letter(String reason, String detail) {
        return DeadLetter.newBuilder()
                .setTopic("streamgrad-events")
                .setPartition(0)
                .setOffset(0)
                .setTimestamp(0)
                .setReason(reason)
                .setDetail(detail)
                .setFailedAt(0)
                .build();
    }

    /** Issue 13: --task binary on labels −1/+1 sent as they are: every event dead-lettered. */
    @Test
    void everyEventDeadLetteredNamesTheTopReasonsCountsAndTheFix() {
        List<DeadLetter> letters = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            letters.add(
                    letter(
                            "bad-label",
                            "event train-"
                                    + i
                                    + ": binary needs an int class index in [0, 2), got Integer"
                                    + " -1"));
        }
        letters.add(letter("undecodable", "not Avro"));
        letters.add(letter("undecodable", "not Avro"));
        letters.add(letter("late", "late"));
        letters.add(letter("wrong-feature-count", "x"));
        String m = DeadLetterReport.explain(letters);
        assertEquals(
                "the job trained nothing: 54 events dead-lettered (bad-label ×50, undecodable ×2,"
                        + " late ×1, …), e.g. event train-0: binary needs an int class index in"
                        + " [0, 2), got Integer -1; fix: the labels do not fit the model's task:"
                        + " classification takes int class indices 0..K-1 ({classes} K),"
                        + " regression doubles; set {task} and {model} to match the data",
                m);
        assertTrue(m.length() < 400, m);
        assertTrue(
                new io.streamgrad.config.InvalidSettingException(m)
                        .render(n -> "--" + n)
                        .contains("({classes} K)".replace("{classes}", "--classes")),
                "settings render as flags");
    }

    @Test
    void noDeadLettersMeansNoEvents() {
        assertTrue(DeadLetterReport.explain(List.of()).contains("received no events"));
    }
}
