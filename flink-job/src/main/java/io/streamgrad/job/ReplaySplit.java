package io.streamgrad.job;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * The whole replay of a bounded run's range as one split, with how far it has got: what a
 * checkpoint of the {@link ReplaySource} holds (a few longs per partition, whatever the range).
 *
 * @param range per partition, the first offset and the offset after the last (fixed at the first
 *     start, so every pass reads the same records)
 * @param pass the pass being read (0-based, see {@code train.ReplayPlan})
 * @param group in a pass read as blocks, the group of blocks being read
 * @param emitted in a pass read as blocks, records of the group already emitted
 * @param next in a pass read in merge order, per partition the next offset to read
 */
public record ReplaySplit(
        Map<Integer, long[]> range, int pass, int group, long emitted, Map<Integer, Long> next)
        implements SourceSplit {

    static final String ID = "replay";

    @Override
    public String splitId() {
        return ID;
    }

    /** The start of pass {@code p}. */
    ReplaySplit atPass(int p) {
        return new ReplaySplit(range, p, 0, 0, starts(range));
    }

    /** Per partition of {@code range}, its first offset: where every pass starts. */
    static Map<Integer, Long> starts(Map<Integer, long[]> range) {
        Map<Integer, Long> starts = new TreeMap<>();
        range.forEach((partition, r) -> starts.put(partition, r[0]));
        return starts;
    }

    /** {@link #next}, with every partition of the range in it (its start when not read yet). */
    Map<Integer, Long> nextOffsets() {
        Map<Integer, Long> offsets = starts(range);
        offsets.putAll(next);
        return offsets;
    }

    /** Reads and writes splits (and the enumerator's pending one) as plain data. */
    static final class Serializer implements SimpleVersionedSerializer<ReplaySplit> {
        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(ReplaySplit s) throws IOException {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                out.writeInt(s.range().size());
                for (var r : s.range().entrySet()) {
                    out.writeInt(r.getKey());
                    out.writeLong(r.getValue()[0]);
                    out.writeLong(r.getValue()[1]);
                    out.writeLong(s.next().getOrDefault(r.getKey(), r.getValue()[0]));
                }
                out.writeInt(s.pass());
                out.writeInt(s.group());
                out.writeLong(s.emitted());
            }
            return bytes.toByteArray();
        }

        @Override
        public ReplaySplit deserialize(int version, byte[] serialized) throws IOException {
            if (version != 1) {
                throw new IOException("unknown replay split version " + version);
            }
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized))) {
                int n = in.readInt();
                Map<Integer, long[]> range = new TreeMap<>();
                Map<Integer, Long> next = new TreeMap<>();
                for (int i = 0; i < n; i++) {
                    int partition = in.readInt();
                    range.put(partition, new long[] {in.readLong(), in.readLong()});
                    next.put(partition, in.readLong());
                }
                return new ReplaySplit(range, in.readInt(), in.readInt(), in.readLong(), next);
            }
        }
    }
}
