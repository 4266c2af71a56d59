package io.streamgrad.bench;

/**
 * The raw consumer reference as a run meets Kafka: a fresh JVM (started by {@link ThroughputBench}
 * with the launcher's JVM flags, as {@code train} is) reads a topic from its beginning to its end
 * offsets with a plain byte-array {@code KafkaConsumer} and prints {@code RECORDS SECONDS} (first
 * record → last record received). A consumer in a JVM that has read before is warmer than the
 * {@code train} JVM it is compared with: in one benchmark JVM three reads of the same topic ran at
 * 417 k, 514 k and 714 k records/s.
 *
 * <p>Arguments: {@code SERVERS TOPIC}.
 */
public final class ColdRead {
    private ColdRead() {}

    public static void main(String[] args) {
        ThroughputBench.Read r = ThroughputBench.read(args[0], args[1], rec -> {});
        System.out.println(r.records() + " " + r.seconds());
    }
}
