package io.streamgrad.config;

import java.security.SecureRandom;
import java.util.OptionalLong;
import java.util.UUID;

/**
 * Run ids that say when their run started: version 7 UUIDs (RFC 9562, §5.7: the first 48 bits are
 * the Unix time in ms, then the version, 74 random bits and the variant). A snapshot carries its
 * run's id, so anything reading snapshots can order runs by their start without another field, even
 * on a compacted topic that kept one snapshot of a run. Ids made before (random, version 4 UUIDs)
 * tell no time.
 */
public final class RunIds {
    private static final SecureRandom RANDOM = new SecureRandom();

    private RunIds() {}

    /** A new run id for a run starting now. */
    public static String next() {
        return at(System.currentTimeMillis(), RANDOM).toString();
    }

    /** A version 7 UUID for {@code millis} (ms since the epoch, below 2^48) and random bits. */
    public static UUID at(long millis, java.util.Random random) {
        long randA = random.nextInt(1 << 12);
        long randB = random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL;
        long msb = (millis << 16) | (0x7L << 12) | randA;
        long lsb = 0x8000_0000_0000_0000L | randB;
        return new UUID(msb, lsb);
    }

    /**
     * When the run with this id started (ms since the epoch), for a version 7 id; empty for any
     * other id (a random UUID of an older run, or not a UUID).
     */
    public static OptionalLong startedAt(String runId) {
        if (runId == null) {
            return OptionalLong.empty();
        }
        try {
            UUID u = UUID.fromString(runId);
            return u.version() == 7 && u.variant() == 2
                    ? OptionalLong.of(u.getMostSignificantBits() >>> 16)
                    : OptionalLong.empty();
        } catch (IllegalArgumentException e) {
            return OptionalLong.empty();
        }
    }
}
