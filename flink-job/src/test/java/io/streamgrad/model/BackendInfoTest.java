package io.streamgrad.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * {@link BackendInfo} on what each ND4J backend reports. The CUDA case uses the keys and value
 * types that {@code CudaExecutioner.getEnvironmentInformation()} of nd4j-cuda-11.6 1.0.0-M2.1 fills
 * (read from its bytecode: {@code backend=CUDA}, {@code cuda.devicesInformation} a list of maps
 * with {@code cuda.deviceName}, {@code cuda.totalMemory} (long), ...), since this machine has no
 * GPU.
 */
class BackendInfoTest {

    static Properties cuda() {
        Properties p = new Properties();
        p.put("backend", "CUDA");
        p.put("cuda.availableDevices", 2);
        p.put("blas.vendor", "CUBLAS");
        p.put(
                "cuda.devicesInformation",
                List.of(
                        Map.of(
                                "cuda.deviceName", "NVIDIA A100-SXM4-40GB",
                                "cuda.totalMemory", 42_505_273_344L,
                                "cuda.freeMemory", 41_000_000_000L),
                        Map.of(
                                "cuda.deviceName", "NVIDIA T4",
                                "cuda.totalMemory", 15_843_721_216L,
                                "cuda.freeMemory", 15_000_000_000L)));
        return p;
    }

    @Test
    void aCudaBackendNamesTheThreadsDeviceAndItsMemory() {
        BackendInfo first = BackendInfo.of(cuda(), "JCublasBackend", 0, 2, 64L << 30);
        assertEquals("CUDA (JCublasBackend)", first.backend());
        assertEquals("cuda:0 NVIDIA A100-SXM4-40GB", first.device());
        assertEquals(42_505_273_344L, first.memoryBytes()); // the device's, not the host's
        BackendInfo second = BackendInfo.of(cuda(), "JCublasBackend", 1, 2, 64L << 30);
        assertEquals("cuda:1 NVIDIA T4", second.device());
        assertEquals(15_843_721_216L, second.memoryBytes());
        assertEquals(
                "ND4J backend CUDA (JCublasBackend), device cuda:1 NVIDIA T4, 15,109 MiB",
                second.describe());
    }

    @Test
    void aBackendWithoutADeviceListIsDescribedByItsHost() {
        Properties cpu = new Properties();
        cpu.put("backend", "CPU");
        cpu.put("cores", 8);
        cpu.put("blas.vendor", "OPENBLAS");
        BackendInfo b = BackendInfo.of(cpu, "CpuBackend", 0, 1, 16L << 30);
        assertEquals("CPU (CpuBackend)", b.backend());
        assertEquals("host: 8 cores, OPENBLAS", b.device());
        assertEquals(16L << 30, b.memoryBytes());

        BackendInfo unknown = BackendInfo.of(new Properties(), "OtherBackend", 0, 1, 0);
        assertEquals("unknown (OtherBackend)", unknown.backend());
        assertEquals("host", unknown.device());
        assertEquals(-1, unknown.memoryBytes());
        assertTrue(unknown.describe().endsWith("(memory unknown)"), unknown.describe());
    }

    @Test
    void aDeviceListShorterThanTheDeviceFallsBackToTheHost() {
        BackendInfo b = BackendInfo.of(cuda(), "JCublasBackend", 5, 6, 8L << 30);
        assertEquals("host device 5: CUBLAS", b.device());
        assertEquals(8L << 30, b.memoryBytes());
    }

    @Test
    void theLoadedBackendHereIsTheCpuOneAndSaysSo() {
        BackendInfo here = BackendInfo.current();
        assertTrue(here.backend().startsWith("CPU ("), here.backend());
        assertTrue(here.device().startsWith("host"), here.device());
        assertTrue(here.memoryBytes() > 0, "physical memory: " + here.memoryBytes());
        assertTrue(ComputePath.cpuBackend());
        assertFalse(here.describe().isBlank());
    }
}
