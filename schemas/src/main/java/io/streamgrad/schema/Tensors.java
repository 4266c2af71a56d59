package io.streamgrad.schema;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

/** Converts between {@link Tensor} records and float arrays (float32, little-endian). */
public final class Tensors {
    private Tensors() {}

    public static Tensor of(String name, int[] shape, float[] values) {
        long size = 1;
        List<Integer> dims = new ArrayList<>(shape.length);
        for (int d : shape) {
            size *= d;
            dims.add(d);
        }
        if (size != values.length) {
            throw new IllegalArgumentException(
                    "tensor " + name + ": shape holds " + size + " values, got " + values.length);
        }
        ByteBuffer buf = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(values);
        return Tensor.newBuilder().setName(name).setShape(dims).setValues(buf).build();
    }

    public static float[] values(Tensor tensor) {
        ByteBuffer buf = tensor.getValues().duplicate().order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[buf.remaining() / 4];
        buf.asFloatBuffer().get(out);
        long expected = 1;
        for (int d : tensor.getShape()) {
            expected *= d;
        }
        if (expected != out.length) {
            throw new IllegalArgumentException(
                    "tensor "
                            + tensor.getName()
                            + " is corrupt: shape "
                            + tensor.getShape()
                            + " but "
                            + out.length
                            + " values");
        }
        return out;
    }

    public static int[] shape(Tensor tensor) {
        return tensor.getShape().stream().mapToInt(Integer::intValue).toArray();
    }

    /** CRC32 of the float32 little-endian bytes, as 8 hex digits: a fingerprint of parameters. */
    public static String checksum(float[] values) {
        ByteBuffer buf = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(values);
        CRC32 crc = new CRC32();
        crc.update(buf);
        return String.format("%08x", crc.getValue());
    }
}
