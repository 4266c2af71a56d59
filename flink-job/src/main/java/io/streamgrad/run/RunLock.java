package io.streamgrad.run;

import io.streamgrad.config.InvalidSettingException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps a second {@code train} of one model from starting while the first runs on this machine: an
 * exclusive lock on {@code <state dir>/run.lock} and one on {@code ~/.streamgrad/locks/<group
 * id>.lock}, held until the run ends (the operating system lets go of them when the process dies,
 * {@code kill -9} included). Two runs of one group would train the same events twice, write each
 * iteration's metric twice, and fence each other's Kafka transactions (the transactional ids derive
 * from the group id) until one of them fails; two runs of one state directory would also restore,
 * and delete ({@code --start-over}), each other's checkpoints. Runs on other machines are not seen:
 * the README says not to share a group between them.
 *
 * <p>Each lock file says who holds it (process id, run id, start time) for the refusal's message.
 */
public final class RunLock implements AutoCloseable {
    static final String FILE = "run.lock";

    // The lock files this JVM holds, and by whom. A JVM must not open or read a file it locks: on
    // Linux, closing any channel to a file lets go of the process's lock on it.
    private static final Map<Path, String> HELD = new ConcurrentHashMap<>();

    private final List<FileChannel> channels = new ArrayList<>();
    private final List<Path> files = new ArrayList<>();

    private RunLock() {}

    /**
     * Where a group's lock lives: {@code ~/.streamgrad/locks/<group id>.lock}, or under the
     * directory the environment variable {@code STREAMGRAD_LOCKS_DIR} names (the build's tests use
     * their own, so that two builds on one machine do not refuse each other's runs).
     */
    static Path groupLock(String groupId) {
        String dir = System.getenv("STREAMGRAD_LOCKS_DIR");
        return (dir != null && !dir.isBlank()
                        ? Path.of(dir)
                        : StateDirectory.defaultRoot().resolveSibling("locks"))
                .resolve(groupId.replaceAll("[^A-Za-z0-9._-]", "_") + ".lock");
    }

    /**
     * Takes both locks, or neither.
     *
     * @param stateDir the run's state directory (made if missing)
     * @param groupId the run's consumer group
     * @param runId written into the lock files, for a refusal to name
     * @throws InvalidSettingException when another process holds either lock, naming its process id
     *     and what to do
     * @throws UncheckedIOException when a lock file cannot be made
     */
    public static RunLock acquire(Path stateDir, String groupId, String runId) {
        RunLock lock = new RunLock();
        String holder =
                "pid "
                        + ProcessHandle.current().pid()
                        + ", run "
                        + runId
                        + ", started "
                        + Instant.now().toString().replaceFirst("\\.\\d+Z$", "Z");
        try {
            lock.take(
                    stateDir.resolve(FILE),
                    holder,
                    "the state directory " + stateDir,
                    "or give this run another {state-dir} and {group-id}");
            Path group = groupLock(groupId);
            if (writable(group.getParent())) {
                lock.take(
                        group,
                        holder,
                        "group " + groupId,
                        "or give this run another {group-id} (and {state-dir})");
            }
            // Else only the state directory's lock: a home directory this user cannot write
            // must not stop a run given a --state-dir of its own.
            return lock;
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    private static boolean writable(Path dir) {
        try {
            Files.createDirectories(dir);
            return Files.isWritable(dir);
        } catch (IOException e) {
            return false;
        }
    }

    private void take(Path file, String holder, String what, String otherwise) {
        // By the real path: a symbolic link to the same directory is the same lock.
        Path key;
        try {
            Files.createDirectories(file.getParent());
            key = file.getParent().toRealPath().resolve(file.getFileName());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make the directory of " + file, e);
        }
        String inThisJvm = HELD.putIfAbsent(key, holder);
        if (inThisJvm != null) {
            throw refusal(inThisJvm, what, otherwise);
        }
        try {
            lock(file, holder, what, otherwise);
            files.add(key);
        } catch (RuntimeException e) {
            HELD.remove(key);
            throw e;
        }
    }

    private void lock(Path file, String holder, String what, String otherwise) {
        FileChannel channel;
        try {
            Files.createDirectories(file.getParent());
            channel =
                    FileChannel.open(
                            file,
                            StandardOpenOption.CREATE,
                            StandardOpenOption.READ,
                            StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make the lock file " + file, e);
        }
        FileLock got;
        try {
            got = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            got = null; // not in HELD, yet held in this JVM: by something else than a run
        } catch (IOException e) {
            close(channel);
            throw new UncheckedIOException("cannot lock " + file, e);
        }
        if (got == null) {
            String other = read(file);
            close(channel);
            throw refusal(other, what, otherwise);
        }
        channels.add(channel);
        try {
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(holder.getBytes(StandardCharsets.UTF_8)), 0);
            channel.force(false);
        } catch (IOException e) {
            // Who holds the lock is only for a message: the lock itself holds.
        }
    }

    private static InvalidSettingException refusal(String other, String what, String otherwise) {
        return InvalidSettingException.withRemedies(
                "another train ("
                        + (other.isBlank() ? "its process id unknown" : other)
                        + ") is running on "
                        + what
                        + ": two runs of one model would train the same events twice and"
                        + " fence each other's Kafka transactions until one fails. Stop it"
                        + " first (SIGTERM keeps its checkpoint; this command then resumes"
                        + " it), "
                        + otherwise);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file).strip();
        } catch (IOException e) {
            return "";
        }
    }

    private static void close(FileChannel c) {
        try {
            c.close(); // lets go of its lock too
        } catch (IOException e) {
            // Nothing to do: the process's end lets go of it anyway.
        }
    }

    @Override
    public void close() {
        channels.forEach(RunLock::close);
        channels.clear();
        files.forEach(HELD::remove);
        files.clear();
    }
}
