package io.streamgrad.job;

import io.streamgrad.batch.TrainingExample;
import io.streamgrad.kafka.Topic;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * A {@link TrainingExample} as it crosses a network exchange (the {@code keyBy} by model key): the
 * two strings as Flink writes strings, the features as one block of little-endian float32 bytes
 * instead of a call per float, then the time, label, partition and offset. Flink's POJO serializer
 * wrote each float through its own {@code writeFloat} (and a null flag per field: 8 bytes more per
 * example; the speed is in the block copy, not the size).
 *
 * <p>Layout: model key, event id ({@link StringValue} encoding, null allowed), features count
 * (int), features (4 bytes each), event time (long, ms), label (double), partition (int), offset
 * (long). Only the stream uses it: keyed state keeps Flink's POJO serializer, so state in
 * savepoints and aligned checkpoints reads as before. In-flight records of an unaligned checkpoint
 * taken before this serializer existed would not: restore across it from a savepoint.
 *
 * <p>Holds a scratch buffer, so {@link #duplicate} returns a new instance per thread.
 */
public final class TrainingExampleSerializer extends TypeSerializer<TrainingExample> {
    private static final long serialVersionUID = 1L;

    /** The most features an event can hold: what fits in the largest record the job decodes. */
    static final int MAX_FEATURES = Topic.EVENTS.maxRecordBytes() / Float.BYTES;

    private transient byte[] scratch;
    private transient ByteBuffer view;

    @Override
    public boolean isImmutableType() {
        // The features array is mutable: copies must not share it.
        return false;
    }

    @Override
    public TypeSerializer<TrainingExample> duplicate() {
        return new TrainingExampleSerializer();
    }

    @Override
    public TrainingExample createInstance() {
        return null;
    }

    @Override
    public TrainingExample copy(TrainingExample from) {
        return new TrainingExample(
                from.modelKey(),
                from.eventId(),
                from.eventTime(),
                from.features().clone(),
                from.label(),
                from.partition(),
                from.offset());
    }

    @Override
    public TrainingExample copy(TrainingExample from, TrainingExample reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(TrainingExample e, DataOutputView out) throws IOException {
        StringValue.writeString(e.modelKey(), out);
        StringValue.writeString(e.eventId(), out);
        float[] f = e.features();
        if (f.length > MAX_FEATURES) {
            throw new IOException(
                    "an example of " + f.length + " features is over " + MAX_FEATURES);
        }
        out.writeInt(f.length);
        ByteBuffer b = buffer(f.length);
        b.asFloatBuffer().put(f);
        out.write(scratch, 0, 4 * f.length);
        out.writeLong(e.eventTime());
        out.writeDouble(e.label());
        out.writeInt(e.partition());
        out.writeLong(e.offset());
    }

    @Override
    public TrainingExample deserialize(DataInputView in) throws IOException {
        String modelKey = StringValue.readString(in);
        String eventId = StringValue.readString(in);
        int n = in.readInt();
        if (n < 0 || n > MAX_FEATURES) {
            throw new IOException("corrupt TrainingExample: " + n + " features");
        }
        ByteBuffer b = buffer(n);
        in.readFully(scratch, 0, 4 * n);
        float[] f = new float[n];
        b.asFloatBuffer().get(f);
        long eventTime = in.readLong();
        double label = in.readDouble();
        int partition = in.readInt();
        long offset = in.readLong();
        return new TrainingExample(modelKey, eventId, eventTime, f, label, partition, offset);
    }

    @Override
    public TrainingExample deserialize(TrainingExample reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        serialize(deserialize(source), target);
    }

    /** The scratch buffer as little-endian bytes, at least {@code floats} × 4 long. */
    private ByteBuffer buffer(int floats) {
        if (scratch == null || scratch.length < 4 * floats) {
            scratch = new byte[Math.max(64, 4 * floats)];
            view = ByteBuffer.wrap(scratch).order(ByteOrder.LITTLE_ENDIAN);
        }
        return view.clear();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TrainingExampleSerializer;
    }

    @Override
    public int hashCode() {
        return TrainingExampleSerializer.class.hashCode();
    }

    @Override
    public TypeSerializerSnapshot<TrainingExample> snapshotConfiguration() {
        return new Snapshot();
    }

    /** The serializer has no configuration: its snapshot only names it. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<TrainingExample> {
        public Snapshot() {
            super(TrainingExampleSerializer::new);
        }
    }
}
