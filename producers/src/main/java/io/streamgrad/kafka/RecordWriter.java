package io.streamgrad.kafka;

import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * A byte-array producer that never loses a record silently: sends are asynchronous, so the first
 * failure is kept and thrown by the next {@link #send}, by {@link #flush} or by {@link #close}.
 *
 * <p>Lifecycle: create, {@link #send} any number of records, {@link #close} (which flushes and
 * throws if any record was not acknowledged). Not thread-safe.
 */
public final class RecordWriter implements AutoCloseable {
    private final KafkaProducer<byte[], byte[]> producer;
    private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
    private final AtomicLong acknowledged = new AtomicLong();

    public RecordWriter(Properties producerProps) {
        this.producer = new KafkaProducer<>(producerProps);
    }

    /** A writer with streamgrad's producer settings (idempotent, acks from all replicas). */
    public static RecordWriter to(KafkaClientConfig kafka, String clientId) {
        return new RecordWriter(RawClients.producerProps(kafka, clientId));
    }

    /** As {@link #to(KafkaClientConfig, String)} on a plaintext cluster. */
    public static RecordWriter to(String bootstrapServers, String clientId) {
        return to(KafkaClientConfig.plain(bootstrapServers), clientId);
    }

    public void send(ProducerRecord<byte[], byte[]> record) {
        throwIfFailed();
        producer.send(
                record,
                (meta, e) -> {
                    if (e == null) {
                        acknowledged.incrementAndGet();
                    } else {
                        failure.compareAndSet(
                                null,
                                new IllegalStateException(
                                        "writing to topic "
                                                + record.topic()
                                                + " failed: "
                                                + e.getMessage(),
                                        e));
                    }
                });
    }

    /** Waits until every record sent so far is acknowledged; throws if one was not. */
    public void flush() {
        producer.flush();
        throwIfFailed();
    }

    /** Records acknowledged by the brokers so far (complete after {@link #flush}). */
    public long acknowledged() {
        return acknowledged.get();
    }

    private void throwIfFailed() {
        RuntimeException e = failure.get();
        if (e != null) {
            throw e;
        }
    }

    @Override
    public void close() {
        try {
            flush();
        } finally {
            producer.close();
        }
    }
}
