package io.streamgrad.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.LoggerFactory;

/**
 * The ND4J backend and the device this thread computes on, as the loaded backend itself reports
 * them ({@code OpExecutioner.getEnvironmentInformation()}, which every backend fills, and the
 * affinity manager's device of the current thread), recorded in each snapshot's lineage. Nothing
 * here assumes a CPU: a CUDA backend lists its devices with their names and memory; a backend that
 * lists none is described by its host (cores, BLAS vendor, physical memory). The first read in a
 * JVM (per device) logs it (INFO), so a job's TaskManager log says where it trains.
 *
 * @param backend the backend's name and class, e.g. {@code CPU (CpuBackend)}
 * @param device the device's name, e.g. {@code cuda:0 NVIDIA A100} or {@code host: 8 cores,
 *     OPENBLAS}
 * @param memoryBytes the device's total memory, -1 when the backend does not say
 */
public record BackendInfo(String backend, String device, long memoryBytes) {
    /** By device: ND4J binds each thread to one device, round robin on a multi-GPU host. */
    private static final Map<Integer, BackendInfo> BY_DEVICE = new ConcurrentHashMap<>();

    /**
     * The backend of this JVM and the device of the calling thread (read once per device: neither
     * changes while ND4J is loaded).
     */
    public static BackendInfo current() {
        Integer id = Nd4j.getAffinityManager().getDeviceForCurrentThread();
        return BY_DEVICE.computeIfAbsent(id == null ? 0 : id, BackendInfo::read);
    }

    private static BackendInfo read(int device) {
        Integer devices = Nd4j.getAffinityManager().getNumberOfDevices();
        BackendInfo info =
                of(
                        Nd4j.getExecutioner().getEnvironmentInformation(),
                        Nd4j.getBackend().getClass().getSimpleName(),
                        device,
                        devices == null ? 1 : devices,
                        Pointer.totalPhysicalBytes());
        // Once per device and JVM, so a TaskManager's log says what it trains on.
        LoggerFactory.getLogger(BackendInfo.class)
                .info("streamgrad computes on {}", info.describe());
        return info;
    }

    /**
     * Reads a backend's own description, without loading one: a CUDA backend's {@code
     * cuda.devicesInformation} names the thread's device and its total memory; a backend without
     * that list is described by its host.
     *
     * @param env {@code OpExecutioner.getEnvironmentInformation()}
     * @param backendClass the simple name of the {@code Nd4jBackend} class, e.g. {@code
     *     JCublasBackend}
     * @param device the device of the current thread (0 on a single-device backend)
     * @param devices how many devices the backend sees
     * @param physicalBytes the host's physical memory, 0 or less when unknown
     */
    static BackendInfo of(
            Properties env, String backendClass, int device, int devices, long physicalBytes) {
        Object name = env.get("backend");
        String backend = (name == null ? "unknown" : name.toString()) + " (" + backendClass + ")";
        if (env.get("cuda.devicesInformation") instanceof List<?> list && device < list.size()) {
            if (list.get(device) instanceof Map<?, ?> m) {
                Object deviceName = m.get("cuda.deviceName");
                return new BackendInfo(
                        backend,
                        "cuda:" + device + (deviceName == null ? "" : " " + deviceName),
                        asLong(m.get("cuda.totalMemory")));
            }
        }
        List<String> about = new ArrayList<>();
        if (env.get("cores") != null) {
            about.add(env.get("cores") + " cores");
        }
        if (env.get("blas.vendor") != null) {
            about.add(env.get("blas.vendor").toString());
        }
        return new BackendInfo(
                backend,
                "host"
                        + (devices > 1 ? " device " + device : "")
                        + (about.isEmpty() ? "" : ": " + String.join(", ", about)),
                physicalBytes > 0 ? physicalBytes : -1);
    }

    /**
     * One line for people, e.g. {@code ND4J backend CUDA (JCublasBackend), device cuda:0 NVIDIA
     * A100, 40,960 MiB}.
     */
    public String describe() {
        return "ND4J backend "
                + backend
                + ", device "
                + device
                + (memoryBytes < 0
                        ? " (memory unknown)"
                        : String.format(", %,d MiB", memoryBytes >> 20));
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
