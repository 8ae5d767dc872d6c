package io.blockferry.transport;

import io.blockferry.config.Settings;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.ByteBufferDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * How the chunk topic's producer and consumer are set up: one place, so the data path and the
 * benchmark's Kafka-only stage use exactly the same settings.
 *
 * @param recordBytes    most payload bytes in one DATA record
 * @param batchBytes     the producer's batch size (and the consumer's fetch per partition)
 * @param lingerMs       how long the producer waits to fill a batch
 * @param producerBuffer the producer's buffer memory
 * @param fetchBytes     the most the consumer fetches at once
 * @param compression    the producer's compression codec: none, lz4, zstd, gzip or snappy
 * @param timeoutSeconds how long a send may block, and a request may take, before it fails
 * @param client         the client security settings ({@code blockferry.kafka.client.*}), applied last
 */
public record KafkaTuning(int recordBytes, int batchBytes, int lingerMs, long producerBuffer, int fetchBytes,
                          String compression, int timeoutSeconds, KafkaClientConfig client) {

    /** How long a consumer that stopped heartbeating keeps its partitions (the broker allows 6 s to 30 min). */
    public static final int SESSION_TIMEOUT_MS = 10_000;

    /** Headroom over the payload for a record's header and Kafka's batch overhead. */
    public static final int RECORD_OVERHEAD = 64 * 1024;

    /** The tuning in {@code blockferry.kafka.*}. */
    public static KafkaTuning from(Settings settings) {
        return new KafkaTuning((int) settings.bytes("blockferry.kafka.record-size"),
                (int) settings.bytes("blockferry.kafka.batch-size"), settings.integer("blockferry.kafka.linger-ms"),
                settings.bytes("blockferry.kafka.producer-buffer"), (int) settings.bytes("blockferry.kafka.fetch-size"),
                settings.text("blockferry.kafka.compression"), settings.integer("blockferry.kafka.timeout-seconds"),
                KafkaClientConfig.from(settings));
    }

    /** The largest batch the brokers must accept on the chunk topic ({@code max.message.bytes}). */
    public int maxMessageBytes() {
        return Math.max(batchBytes, recordBytes) + RECORD_OVERHEAD;
    }

    /**
     * The chunk producer: idempotent with {@code acks=all}, so a generation's records arrive once
     * each and in order, or the send fails.
     */
    public Properties producer(String bootstrapServers) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, batchBytes);
        p.put(ProducerConfig.LINGER_MS_CONFIG, lingerMs);
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, producerBuffer);
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, maxMessageBytes());
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeoutSeconds * 1000L);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutSeconds * 1000);
        // a batch not delivered by then fails its send (Kafka wants at least linger + request timeout)
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 2 * timeoutSeconds * 1000 + lingerMs);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return client.applyTo(p);
    }

    /**
     * The chunk consumer: offsets are committed by the writer, only past what is durable. Values
     * are read as views of the fetched data ({@link ByteBufferDeserializer}), not copied per record.
     */
    public Properties consumer(String bootstrapServers, String groupId) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, maxMessageBytes());
        p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, Math.max(fetchBytes, maxMessageBytes()));
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1000);
        // a writer that died hands its partitions over after this, not after Kafka's default 45 s
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, SESSION_TIMEOUT_MS);
        p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, SESSION_TIMEOUT_MS / 3);
        p.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutSeconds * 1000);
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutSeconds * 1000);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteBufferDeserializer.class.getName());
        return client.applyTo(p);
    }
}
