package io.blockferry.transport;

import io.blockferry.fault.FaultPoints;
import io.blockferry.security.RecordKeys;
import io.blockferry.source.ChunkStream;
import io.blockferry.source.SyncFailedException;
import java.nio.ByteBuffer;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a generation's records to the chunk topic, keyed by volume, in order, and returns only
 * once Kafka has acknowledged every one of them, END included. The producer is idempotent with
 * {@code acks=all}, so records arrive once each and in order; if any send fails (a broker gone
 * longer than the producer's timeouts, a full buffer) nothing more of the generation is sent, END
 * is never sent, and the failure is thrown: the writer never commits it, and the source abandons
 * and resends it. One producer serves every volume; a frame array is reused once sent.
 */
public final class KafkaChunkPublisher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaChunkPublisher.class);
    /** Records acknowledged before the mid-stream fault point is reached. */
    private static final int MID_STREAM_RECORDS = 16;

    private final KafkaProducer<String, byte[]> producer;
    private final String topic;
    private final FrameArrays frames = new FrameArrays(8, 32);
    private final RecordKeys keys;
    private final String site;
    private volatile java.util.function.Predicate<String> fenced = volumeId -> false;

    public KafkaChunkPublisher(KafkaTuning tuning, String bootstrapServers, String topic) {
        this(tuning, bootstrapServers, topic, RecordKeys.NONE);
    }

    /** @param keys signs every frame (and encrypts DATA payloads) when record keys are configured */
    public KafkaChunkPublisher(KafkaTuning tuning, String bootstrapServers, String topic, RecordKeys keys) {
        this(tuning, bootstrapServers, topic, keys, "");
    }

    /** @param site the source site every BEGIN names, so the target addresses its answers to it */
    public KafkaChunkPublisher(KafkaTuning tuning, String bootstrapServers, String topic, RecordKeys keys,
                               String site) {
        this.producer = new KafkaProducer<>(tuning.producer(bootstrapServers));
        this.topic = topic;
        this.keys = keys;
        this.site = site == null ? "" : site;
    }

    /**
     * Volumes this process must stop publishing, checked before every record: another proxy of the
     * site owns them now. A stream cut this way never reaches its END, so its generation is never
     * committed, and the new owner starts the volume's next one.
     */
    public void fence(java.util.function.Predicate<String> lost) {
        this.fenced = lost;
    }

    /** Sends every record of the stream; returns once all are acknowledged, or throws why not. */
    public void publish(ChunkStream stream) {
        String key = stream.volumeId();
        AtomicReference<Exception> failed = new AtomicReference<>();
        AtomicLong acknowledged = new AtomicLong();
        boolean midStreamReached = false;
        Future<RecordMetadata> last = null;
        try {
            while (failed.get() == null && stream.hasNext()) {
                if (fenced.test(key)) {
                    throw new io.blockferry.source.VolumeMovedException(key, "in the middle of generation "
                            + stream.begin().generation());
                }
                ChunkRecord record = stream.next();
                if (record instanceof ChunkRecord.Begin b && b.sourceSite().isEmpty() && !site.isEmpty()) {
                    record = b.fromSite(site);
                }
                if (record instanceof ChunkRecord.End) {
                    confirm(last, failed, stream);
                }
                byte[] frame;
                try {
                    frame = frames.take(ChunkCodec.frameLength(record, keys));
                    ChunkCodec.write(record, ByteBuffer.wrap(frame), keys);
                } finally {
                    record.release();
                }
                last = producer.send(new ProducerRecord<>(topic, key, frame), (metadata, e) -> {
                    if (e != null) {
                        failed.compareAndSet(null, e);
                    } else {
                        acknowledged.incrementAndGet();
                    }
                });
                frames.give(frame);
                if (!midStreamReached && acknowledged.get() >= MID_STREAM_RECORDS) {
                    midStreamReached = true;
                    FaultPoints.reach(FaultPoints.Step.SOURCE_MID_STREAM);
                }
            }
            confirm(last, failed, stream);
        } catch (KafkaException e) {
            throw failure(stream, e);
        }
    }

    /**
     * Waits until the last record sent is acknowledged (one key, one partition: the callbacks of
     * the ones before it have run by then), and throws if any failed.
     */
    private static void confirm(Future<RecordMetadata> last, AtomicReference<Exception> failed, ChunkStream stream) {
        if (last != null) {
            try {
                last.get();
            } catch (ExecutionException e) {
                failed.compareAndSet(null, e.getCause() instanceof Exception c ? c : e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failed.compareAndSet(null, e);
            }
        }
        if (failed.get() != null) {
            throw failure(stream, failed.get());
        }
    }

    private static RuntimeException failure(ChunkStream stream, Exception cause) {
        LOG.warn("Publishing {} generation {} to Kafka failed: {}", stream.volumeId(), stream.begin().generation(),
                cause.getMessage());
        // never thrown as retriable: retrying the step would send the rest of a stream whose middle is lost
        return new PublishFailedException("Kafka did not take every record of " + stream.volumeId() + " generation "
                + stream.begin().generation() + " (" + cause.getMessage() + "); the generation is abandoned",
                cause, SyncFailedException.isTransient(cause));
    }

    @Override
    public void close() {
        producer.close();
    }
}
