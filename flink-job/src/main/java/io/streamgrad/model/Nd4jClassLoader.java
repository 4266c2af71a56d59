package io.streamgrad.model;

import org.nd4j.common.config.ND4JClassLoading;

/**
 * Points ND4J's class loading at the class loader that loaded ND4J itself.
 *
 * <p>Why: ND4J loads its services (backends, compressors, …) through a class loader it keeps in a
 * static field ({@link ND4JClassLoading}), taken from the thread that first touched it. On a Flink
 * session cluster whose TaskManagers load ND4J parent-first (deploy/: once per TaskManager, not per
 * job), that thread is the first job's task thread and its loader the first job's user-code class
 * loader. Flink closes that loader when the job ends, and every later job that initializes an ND4J
 * class the first did not (Adam's updater after an SGD job: {@code Nd4j.getCompressor}) failed with
 * "Trying to access closed classloader". ND4J's own loader lives as long as ND4J does: the
 * TaskManager's when it is on its class path, the job's when ND4J comes in the job jar.
 */
public final class Nd4jClassLoader {
    private Nd4jClassLoader() {}

    /**
     * Makes ND4J load through its own class loader; call before a job's first use of ND4J (an
     * operator's {@code open}). Idempotent and cheap.
     */
    public static void useNd4jsOwn() {
        ClassLoader own = ND4JClassLoading.class.getClassLoader();
        if (ND4JClassLoading.getNd4jClassloader() != own) {
            ND4JClassLoading.setNd4jClassloader(own);
        }
    }
}
