package io.streamgrad.model;

import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * What memory the loaded ND4J backend can still use for a training step: free device memory on
 * CUDA; on CPU the off-heap allowance of JavaCPP (which ND4J allocates through, {@code
 * -Dorg.bytedeco.javacpp.maxBytes}, by default the JVM's max heap) less what is in use, capped by
 * the physical memory available.
 */
public record BackendMemory(String backend, long availableBytes, String source) {

    public static BackendMemory current() {
        Object name = Nd4j.getExecutioner().getEnvironmentInformation().get("backend");
        String backend = name == null ? "CPU" : name.toString();
        if (backend.equalsIgnoreCase("CUDA")) {
            long free =
                    NativeOpsHolder.getInstance().getDeviceNativeOps().getDeviceFreeMemoryDefault();
            return new BackendMemory(backend, free, "free device memory");
        }
        long physical = Pointer.availablePhysicalBytes();
        long max = Pointer.maxBytes();
        long offHeap = max > 0 ? Math.max(0, max - Pointer.totalBytes()) : Long.MAX_VALUE;
        if (physical > 0 && physical < offHeap) {
            return new BackendMemory(backend, physical, "available physical memory");
        }
        return new BackendMemory(
                backend,
                offHeap,
                "ND4J's off-heap allowance left; it follows the JVM's max heap: raise that"
                        + " (STREAMGRAD_HEAP for ./streamgrad) or set"
                        + " -Dorg.bytedeco.javacpp.maxBytes");
    }

    String describe() {
        return "the "
                + backend
                + " backend has "
                + StepMemory.mib(availableBytes)
                + " ("
                + source
                + ")";
    }
}
