package io.streamgrad.model;

import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The ND4J backend and the device this thread computes on, as the loaded backend itself reports
 * them ({@code OpExecutioner.getEnvironmentInformation()}, which every backend fills, and the
 * affinity manager's device of the current thread), recorded in each snapshot's lineage. Nothing
 * here assumes a CPU: a CUDA backend lists its devices with their names and memory; a backend that
 * lists none is described by its host (cores, BLAS vendor, physical memory).
 *
 * @param backend the backend's name and class, e.g. {@code CPU (CpuBackend)}
 * @param device the device's name, e.g. {@code cuda:0 NVIDIA A100} or {@code host: 8 cores,
 *     OPENBLAS}
 * @param memoryBytes the device's total memory, -1 when the backend does not say
 */
public record BackendInfo(String backend, String device, long memoryBytes) {
    private static volatile BackendInfo current;

    /** The backend of this JVM (read once: it cannot change while ND4J is loaded). */
    public static BackendInfo current() {
        BackendInfo b = current;
        if (b == null) {
            b = read();
            current = b;
        }
        return b;
    }

    private static BackendInfo read() {
        Properties env = Nd4j.getExecutioner().getEnvironmentInformation();
        Object name = env.get("backend");
        String backend =
                (name == null ? "unknown" : name.toString())
                        + " ("
                        + Nd4j.getBackend().getClass().getSimpleName()
                        + ")";
        Integer id = Nd4j.getAffinityManager().getDeviceForCurrentThread();
        int device = id == null ? 0 : id;
        Object devices = env.get("cuda.devicesInformation");
        if (devices instanceof List<?> list && device < list.size()) {
            Object info = list.get(device);
            if (info instanceof Map<?, ?> m) {
                Object deviceName = m.get("cuda.deviceName");
                return new BackendInfo(
                        backend,
                        "cuda:" + device + (deviceName == null ? "" : " " + deviceName),
                        asLong(m.get("cuda.totalMemory")));
            }
        }
        Object cores = env.get("cores");
        Object blas = env.get("blas.vendor");
        long physical = Pointer.totalPhysicalBytes();
        return new BackendInfo(
                backend,
                "host"
                        + (devicesOf() > 1 ? " device " + device : "")
                        + (cores == null ? "" : ": " + cores + " cores")
                        + (blas == null ? "" : ", " + blas),
                physical > 0 ? physical : -1);
    }

    private static int devicesOf() {
        Integer n = Nd4j.getAffinityManager().getNumberOfDevices();
        return n == null ? 1 : n;
    }

    private static long asLong(Object v) {
        if (v instanceof Number n) {
            return n.longValue();
        }
        try {
            return v == null ? -1 : Long.parseLong(v.toString());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
