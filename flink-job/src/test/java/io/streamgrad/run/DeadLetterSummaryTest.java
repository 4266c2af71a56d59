package io.streamgrad.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.streamgrad.schema.DeadLetter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DeadLetterSummaryTest {
    private static DeadLetter letter(
            String topic, int partition, long offset, String reason, long at) {
        return DeadLetter.newBuilder()
                .setTopic(topic)
                .setPartition(partition)
                .setOffset(offset)
                .setTimestamp(at - 5)
                .setReason(reason)
                .setDetail(reason + " at " + offset)
                .setFailedAt(at)
                .build();
    }

    @Test
    void countsEachReasonWithItsOffsetsSpanAndFirstExampleMostFrequentFirst() {
        DeadLetterSummary s = new DeadLetterSummary(d -> true, 2);
        s.add(letter("e", 0, 10, "late", 1_000));
        s.add(letter("e", 1, 7, "wrong-feature-count", 1_100));
        s.add(letter("e", 0, 3, "late", 900));
        s.add(letter("f", 0, 50, "late", 1_500));
        s.add(letter("e", 1, 9, "wrong-feature-count", 1_200));
        s.add(letter("e", 0, 12, "late", 1_300));

        assertEquals(6, s.read());
        assertEquals(6, s.total());
        List<DeadLetterSummary.Reason> r = s.reasons();
        assertEquals(
                List.of("late", "wrong-feature-count"), r.stream().map(x -> x.name()).toList());
        DeadLetterSummary.Reason late = r.get(0);
        assertEquals(4, late.count());
        assertEquals(900, late.firstFailedAt());
        assertEquals(1_500, late.lastFailedAt());
        assertEquals(Set.of("e/0", "f/0"), late.offsets().keySet());
        assertArrayEquals(new long[] {3, 12}, late.offsets().get("e/0"));
        assertArrayEquals(new long[] {50, 50}, late.offsets().get("f/0"));
        assertEquals("late at 10", late.example(), "the first read");
        assertEquals("e/0@10", late.exampleAt());
        assertEquals(Set.of("e", "f"), s.sourceTopics());
        // Written last, by failed_at (f/0@50 at 1,500 and e/0@12 at 1,300), not read last.
        assertEquals(
                List.of("e/0@12", "f/0@50"),
                s.newest().stream().map(DeadLetterSummary.Listed::coordinates).toList(),
                "the two written last, oldest first");
    }

    @Test
    void aRecordDeadLetteredAgainByALaterRunCountsOnceAsARecord() {
        DeadLetterSummary s = new DeadLetterSummary(d -> true, 0);
        // A run, then an evaluation over the same offsets, then one more record.
        for (long at : new long[] {1_000, 2_000}) {
            s.add(letter("e", 0, 10, "late", at));
            s.add(letter("e", 1, 10, "wrong-feature-count", at + 1));
        }
        s.add(letter("f", 0, 10, "late", 3_000));
        assertEquals(5, s.total());
        assertEquals(3, s.records(), "e/0@10, e/1@10 and f/0@10");
        assertEquals(true, s.recordsExact());
        // A letter the filter leaves out is no record counted.
        DeadLetterSummary lateOnly =
                new DeadLetterSummary(d -> d.getReason().toString().equals("late"), 0);
        lateOnly.add(letter("e", 1, 11, "wrong-feature-count", 1));
        lateOnly.add(letter("e", 0, 11, "late", 2));
        assertEquals(1, lateOnly.records());
    }

    @Test
    void pastTheCapDistinctRecordsAreAtLeastTheCap() {
        DeadLetterSummary s = new DeadLetterSummary(d -> true, 0);
        for (long o = 0; o <= DeadLetterSummary.RECORDS_TRACKED; o++) {
            s.add(letter("e", 0, o, "late", 1));
        }
        assertEquals(DeadLetterSummary.RECORDS_TRACKED + 1L, s.total());
        assertEquals(false, s.recordsExact());
        assertEquals(DeadLetterSummary.RECORDS_TRACKED, s.records());
    }

    @Test
    void aListedLetterKeepsItsValuesSizeNotItsValueAndShowsPrintableKeysAsText() {
        DeadLetter d = letter("e", 0, 1, "undecodable", 1);
        d.setValue(java.nio.ByteBuffer.wrap(new byte[70_000]));
        d.setKey(java.nio.ByteBuffer.wrap("model-7".getBytes(StandardCharsets.UTF_8)));
        DeadLetterSummary.Listed l = DeadLetterSummary.Listed.of(d);
        assertEquals(70_000, l.valueBytes());
        assertEquals("model-7", l.key());
        d.setKey(java.nio.ByteBuffer.wrap(new byte[] {0, 1, 2}));
        assertEquals("(3 bytes)", DeadLetterSummary.Listed.of(d).key());
        d.setKey(java.nio.ByteBuffer.wrap("k".repeat(33).getBytes(StandardCharsets.UTF_8)));
        assertEquals("(33 bytes)", DeadLetterSummary.Listed.of(d).key(), "too long to show");
        d.setKey(null);
        d.setValue(null);
        assertEquals("null", DeadLetterSummary.Listed.of(d).key());
        assertEquals(-1, DeadLetterSummary.Listed.of(d).valueBytes());
    }

    @Test
    void skipsWhatTheFilterRefusesButCountsItAsRead() {
        DeadLetterSummary s =
                new DeadLetterSummary(d -> d.getReason().toString().equals("late"), 0);
        s.add(letter("e", 0, 1, "late", 1));
        s.add(letter("e", 0, 2, "undecodable", 2));
        assertEquals(2, s.read());
        assertEquals(1, s.total());
        assertEquals(1, s.reasons().size());
        assertEquals(List.of(), s.newest(), "none kept to list");
    }

    @Test
    void tiesAreOrderedByNameAndANegativeListSizeIsRefused() {
        DeadLetterSummary s = new DeadLetterSummary(d -> true, 0);
        s.add(letter("e", 0, 1, "undecodable", 1));
        s.add(letter("e", 0, 2, "late", 2));
        assertEquals(
                List.of("late", "undecodable"), s.reasons().stream().map(x -> x.name()).toList());
        assertThrows(IllegalArgumentException.class, () -> new DeadLetterSummary(d -> true, -1));
    }
}
