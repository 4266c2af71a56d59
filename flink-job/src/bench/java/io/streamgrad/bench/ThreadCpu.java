package io.streamgrad.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a train run's CPU goes: the CPU time of the train JVM's threads, grouped by {@link Role},
 * and of the broker process, sampled from /proc while the run goes on and afterwards cut to the
 * span its rate is measured over ({@code first_record_at_ms} … {@code last_update_at_ms} of its
 * summary). On 2 cores this says whether a pipeline thread is the limit or the cores are simply
 * full (and with what).
 *
 * <p>Accuracy: cumulative times are sampled every poll of {@link TrainChild} (250 ms) and
 * interpolated linearly at the span's ends, so each figure is within about two polls' worth of that
 * role's CPU; a thread that ended between two samples counts with its last sampled time. Linux
 * reports the times in clock ticks of {@value #TICKS_PER_SECOND} per second (USER_HZ, which the
 * kernel's ABI fixes at 100 on the architectures this runs on).
 */
final class ThreadCpu {
    static final double TICKS_PER_SECOND = 100;

    /** What a thread does, told by its name (as /proc shows it: the first 15 characters). */
    enum Role {
        /** The chained task: emits the records, decodes, windows, trains, sends the metrics. */
        TASK("task"),
        /** The replay's fetcher thread: the Kafka consumer and the group's order. */
        FETCHER("fetcher"),
        /** The C1 and C2 compiler threads, and the code cache's sweeper. */
        JIT("jit"),
        /** The garbage collector's threads and the VM thread (safepoints). */
        GC("gc"),
        /** Everything else in the train JVM: start-up, Kafka producers, Flink's services. */
        OTHER("other"),
        /** The broker process. */
        BROKER("broker");

        final String key;

        Role(String key) {
            this.key = key;
        }

        static Role of(String threadName) {
            if (threadName.startsWith("Source Data Fet")) {
                return FETCHER;
            }
            if (threadName.startsWith("Source: ")) {
                return TASK;
            }
            if (threadName.startsWith("C1 Compiler")
                    || threadName.startsWith("C2 Compiler")
                    || threadName.equals("Sweeper thread")) {
                return JIT;
            }
            if (threadName.startsWith("GC Thread")
                    || threadName.startsWith("G1 ")
                    || threadName.equals("VM Thread")) {
                return GC;
            }
            return OTHER;
        }
    }

    /** Cumulative CPU seconds by role (indexed by ordinal) at a wall-clock instant (ms). */
    record Sample(long atMillis, double[] seconds) {}

    private final long pid;
    private final Path brokerPidFile;
    // Per thread id: its role and its last sampled ticks, so that ended threads still count.
    private final Map<String, Role> roles = new HashMap<>();
    private final Map<String, Long> ticks = new HashMap<>();
    private long brokerStart = -1;
    private double brokerSeconds;
    private final List<Sample> samples = new ArrayList<>();

    /**
     * @param pid the train JVM
     * @param brokerPidFile the broker's pid file, or null: no broker figure
     */
    ThreadCpu(long pid, Path brokerPidFile) {
        this.pid = pid;
        this.brokerPidFile = brokerPidFile;
    }

    /** Reads every thread's CPU time now; a process or thread gone meanwhile is skipped. */
    void sample() {
        Path tasks = Path.of("/proc/" + pid + "/task");
        try (DirectoryStream<Path> threads = Files.newDirectoryStream(tasks)) {
            for (Path t : threads) {
                String tid = t.getFileName().toString();
                long n = ticks(t.resolve("stat"));
                if (n < 0) {
                    continue;
                }
                // Read every time: a new thread carries its creator's name until it names
                // itself, and a sample may fall in between.
                roles.put(tid, Role.of(name(t)));
                ticks.put(tid, n);
            }
        } catch (IOException | RuntimeException e) {
            return; // the process has exited
        }
        double[] seconds = new double[Role.values().length];
        ticks.forEach((tid, n) -> seconds[roles.get(tid).ordinal()] += n / TICKS_PER_SECOND);
        long broker = brokerTicks();
        if (broker >= 0) {
            if (brokerStart < 0) {
                brokerStart = broker;
            }
            brokerSeconds = (broker - brokerStart) / TICKS_PER_SECOND;
        }
        // A failed read keeps the last value rather than dropping to 0 for one sample.
        seconds[Role.BROKER.ordinal()] = brokerSeconds;
        samples.add(new Sample(System.currentTimeMillis(), seconds));
    }

    /**
     * CPU seconds by role between two wall-clock instants (ms), interpolated between the samples
     * around each; null without two samples.
     */
    double[] within(long fromMillis, long toMillis) {
        return within(samples, fromMillis, toMillis);
    }

    static double[] within(List<Sample> samples, long fromMillis, long toMillis) {
        if (samples.size() < 2 || toMillis <= fromMillis) {
            return null;
        }
        double[] a = at(samples, fromMillis);
        double[] b = at(samples, toMillis);
        double[] d = new double[a.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = Math.max(0, b[i] - a[i]);
        }
        return d;
    }

    /** The cumulative times at an instant, linear between samples, clamped to the first/last. */
    static double[] at(List<Sample> samples, long millis) {
        Sample prev = samples.get(0);
        if (millis <= prev.atMillis()) {
            return prev.seconds();
        }
        for (Sample next : samples) {
            if (next.atMillis() >= millis) {
                double f =
                        next.atMillis() == prev.atMillis()
                                ? 1
                                : (millis - prev.atMillis())
                                        / (double) (next.atMillis() - prev.atMillis());
                double[] v = new double[next.seconds().length];
                for (int i = 0; i < v.length; i++) {
                    v[i] = prev.seconds()[i] + f * (next.seconds()[i] - prev.seconds()[i]);
                }
                return v;
            }
            prev = next;
        }
        return prev.seconds();
    }

    private long brokerTicks() {
        if (brokerPidFile == null) {
            return -1;
        }
        try {
            String brokerPid = Files.readString(brokerPidFile).trim();
            return ticks(Path.of("/proc/" + brokerPid + "/stat"));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** utime + stime in ticks from a /proc stat file ({@link #parseTicks}); -1 when it is gone. */
    static long ticks(Path file) {
        try {
            return parseTicks(Files.readString(file));
        } catch (IOException e) {
            return -1;
        }
    }

    /**
     * utime + stime in ticks from a /proc stat line. The name in parentheses may hold spaces and
     * parentheses, so the fields are counted from the last ')': state is the first after it, utime
     * the 12th and stime the 13th (proc(5)).
     */
    static long parseTicks(String statLine) {
        String[] f = statLine.substring(statLine.lastIndexOf(')') + 2).trim().split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    private static String name(Path thread) {
        try {
            return Files.readString(thread.resolve("comm")).trim();
        } catch (IOException e) {
            return "";
        }
    }
}
