package io.blockferry.transport;

import io.blockferry.buffer.BufferPool;
import io.blockferry.buffer.PooledBuffer;
import io.blockferry.security.RecordKeys;
import io.blockferry.target.ChunkWriter;
import io.blockferry.target.CorruptChunkException;
import io.blockferry.target.SerialLanes;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds the chunk topic to the writers. One thread polls; each record's payload is copied into a
 * buffer of the writers' pool (so the fetched data is let go at once and what the target holds is
 * bounded by the pool), and the record is handed to its volume's lane, where the volume's writer
 * applies it. Volumes are written in parallel, each in order.
 *
 * <p>When the pool or the lanes are full, the partition is paused and sought back to the record
 * that did not fit; it resumes when there is room, so nothing is buffered beyond the bounds and
 * nothing is skipped. Offsets are committed only up to the first record whose effect is not yet
 * durable ({@link PartitionOffsets}), also when partitions are revoked. A record that is not a
 * chunk record, a record that fails its authentication (unsigned once keys are configured, a
 * signature that does not match, a key this target lacks), or a chunk that fails its checks, goes
 * to the dead letters unchanged and is never applied. Signatures are checked over the fetched
 * view; an encrypted payload is decrypted straight into the pooled buffer.
 */
public final class KafkaChunkConsumer implements AutoCloseable {

    /** Where records that cannot be applied go, with their cause. */
    public interface DeadLetters {
        void send(String key, byte[] value, Exception cause);
    }

    private static final Logger LOG = LoggerFactory.getLogger(KafkaChunkConsumer.class);
    private static final long CHECKPOINT_IDLE_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long RETRY_HELD_BACK_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration POLL_PAUSED = Duration.ofMillis(2);

    private final KafkaConsumer<String, ByteBuffer> consumer;
    private final String topic;
    private final ChunkWriter writer;
    private final BufferPool pool;
    private final SerialLanes lanes;
    private final int maxQueued;
    private final DeadLetters deadLetters;
    private final long revokeWaitMillis;
    private final RecordKeys keys;
    private final Map<TopicPartition, PartitionOffsets> offsets = new ConcurrentHashMap<>();
    private final Set<TopicPartition> paused = new HashSet<>();
    private final Set<String> checkpointQueued = ConcurrentHashMap.newKeySet();
    private volatile boolean running;
    private volatile int partitionCount;
    private boolean sharing;
    private Thread thread;
    private long lastHousekeeping = System.nanoTime();
    private long lastRetry = System.nanoTime();

    /**
     * @param maxQueued  records handed to the lanes and not yet applied, beyond which partitions pause
     * @param revokeWait how long a rebalance waits for the writers to make their records durable
     *                   before it commits what is durable (never more) and lets the partitions go
     */
    public KafkaChunkConsumer(KafkaTuning tuning, String bootstrapServers, String groupId, String topic,
                              ChunkWriter writer, BufferPool pool, SerialLanes lanes, int maxQueued,
                              DeadLetters deadLetters, Duration revokeWait) {
        this(tuning, bootstrapServers, groupId, topic, writer, pool, lanes, maxQueued, deadLetters, revokeWait,
                RecordKeys.NONE);
    }

    /** @param keys what records must be signed with ({@link RecordKeys#NONE}: unsigned records are applied) */
    public KafkaChunkConsumer(KafkaTuning tuning, String bootstrapServers, String groupId, String topic,
                              ChunkWriter writer, BufferPool pool, SerialLanes lanes, int maxQueued,
                              DeadLetters deadLetters, Duration revokeWait, RecordKeys keys) {
        this.keys = keys;
        java.util.Properties properties = tuning.consumer(bootstrapServers, groupId);
        // a rebalance moves only the partitions that change hands: the others' writers go on undisturbed
        properties.put(org.apache.kafka.clients.consumer.ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
                org.apache.kafka.clients.consumer.CooperativeStickyAssignor.class.getName());
        this.consumer = new KafkaConsumer<>(properties);
        this.topic = topic;
        this.writer = writer;
        this.pool = pool;
        this.lanes = lanes;
        this.maxQueued = maxQueued;
        this.deadLetters = deadLetters;
        this.revokeWaitMillis = revokeWait.toMillis();
    }

    /**
     * Writers of one site sharing a repository: this one writes only the volumes of its partitions,
     * takes them when it is given a partition and releases them when it lets one go. Before {@link #start}.
     */
    public void shareRepository() {
        this.sharing = true;
    }

    public synchronized void start() {
        running = true;
        thread = new Thread(this::run, "chunk-consumer");
        thread.start();
    }

    private void run() {
        try {
            consumer.subscribe(List.of(topic), new Rebalance());
            while (running) {
                // while paused, look again soon: the writers free room in milliseconds, not in a poll's 200 ms
                ConsumerRecords<String, ByteBuffer> polled = consumer.poll(paused.isEmpty() ? POLL : POLL_PAUSED);
                for (TopicPartition partition : polled.partitions()) {
                    for (ConsumerRecord<String, ByteBuffer> record : polled.records(partition)) {
                        if (!handOut(partition, record)) {
                            consumer.seek(partition, record.offset());
                            consumer.pause(List.of(partition));
                            paused.add(partition);
                            break;
                        }
                    }
                }
                resumeWhenRoom();
                commitDurable();
                housekeeping();
            }
        } catch (WakeupException e) {
            // close() asked us to stop
        } catch (RuntimeException e) {
            LOG.error("The chunk consumer stopped: {}", e.toString(), e);
        } finally {
            drain(offsets.keySet(), revokeWaitMillis);
            commitDurable();
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** @return false when the record does not fit now (the partition is paused and sought back to it) */
    private boolean handOut(TopicPartition partition, ConsumerRecord<String, ByteBuffer> record) {
        PartitionOffsets partitionOffsets = offsets.get(partition);
        if (partitionOffsets == null) {
            return true;
        }
        ByteBuffer value = record.value();
        ChunkRecord decoded;
        ChunkCodec.Sealed sealed;
        try {
            ChunkCodec.Opened opened = ChunkCodec.open(value, keys);
            decoded = opened.record();
            sealed = opened.sealed();
            String refused = writer.refuses(decoded.volumeId());
            if (refused != null) {
                throw new MalformedRecordException("chunk record for " + refused + ": it is not applied",
                        io.blockferry.events.Causes.VOLUME_ID_INVALID);
            }
        } catch (MalformedRecordException e) {
            deadLetters.send(record.key(), bytes(value), e);
            partitionOffsets.settled(record.offset());
            return true;
        }
        if (lanes.queued() >= maxQueued) {
            return false;
        }
        if (decoded instanceof ChunkRecord.Data d) {
            try {
                decoded = copied(d, sealed);
            } catch (MalformedRecordException e) {
                deadLetters.send(record.key(), bytes(value), e);
                partitionOffsets.settled(record.offset());
                return true;
            }
            if (decoded == null) {
                return false;
            }
        }
        long offset = record.offset();
        partitionOffsets.handedOut(offset);
        ChunkRecord chunk = decoded;
        lanes.submit(chunk.volumeId(), () -> {
            if (offsets.get(partition) != partitionOffsets) {
                chunk.release(); // the partition moved on while the record waited: its next reader applies it
                return;
            }
            apply(chunk, record.key(), partitionOffsets, offset);
        });
        return true;
    }

    /**
     * The record with its payload in a pooled buffer, or null when none is free. An encrypted
     * payload is decrypted into that buffer instead of copied, and its CRC32C computed from the
     * plaintext (the frame does not show it).
     */
    private ChunkRecord.Data copied(ChunkRecord.Data d, ChunkCodec.Sealed sealed) {
        if (sealed != null) {
            return decrypted(d, sealed);
        }
        if (d.length() > pool.bufferSize()) {
            // larger than this target's buffers (a source with a larger record size): a heap copy, rare
            ByteBuffer heap = ByteBuffer.allocate(d.length()).put(d.payload().duplicate()).flip();
            return new ChunkRecord.Data(d.volumeId(), d.generation(), d.seq(), d.offset(), d.crc32c(),
                    heap.asReadOnlyBuffer(), null);
        }
        PooledBuffer buffer = pool.tryAcquire(d.length());
        if (buffer == null) {
            return null;
        }
        buffer.buffer().clear().put(d.payload().duplicate());
        return new ChunkRecord.Data(d.volumeId(), d.generation(), d.seq(), d.offset(), d.crc32c(),
                buffer.slice(0, d.length()), buffer);
    }

    private ChunkRecord.Data decrypted(ChunkRecord.Data d, ChunkCodec.Sealed sealed) {
        int plain = d.length() - ChunkCodec.TAG_LENGTH;
        if (plain > pool.bufferSize()) {
            ByteBuffer heap = ByteBuffer.allocate(plain);
            ChunkCodec.decryptInto(sealed, keys, heap);
            heap.flip();
            return new ChunkRecord.Data(d.volumeId(), d.generation(), d.seq(), d.offset(), ChunkCodec.crc32c(heap),
                    heap.asReadOnlyBuffer(), null);
        }
        PooledBuffer buffer = pool.tryAcquire(plain);
        if (buffer == null) {
            return null;
        }
        try {
            ChunkCodec.decryptInto(sealed, keys, buffer.buffer().clear());
        } catch (RuntimeException e) {
            buffer.release();
            throw e;
        }
        ByteBuffer payload = buffer.slice(0, plain);
        return new ChunkRecord.Data(d.volumeId(), d.generation(), d.seq(), d.offset(), ChunkCodec.crc32c(payload),
                payload, buffer);
    }

    /** On a lane: applies the record; a chunk that fails its checks goes to the dead letters. */
    private void apply(ChunkRecord record, String key, PartitionOffsets partitionOffsets, long offset) {
        try {
            writer.apply(record, () -> partitionOffsets.durable(offset));
        } catch (CorruptChunkException e) {
            deadLetters.send(key, e.frame(), e);
        } catch (MalformedRecordException e) {
            deadLetters.send(key, null, e);
        } catch (io.blockferry.target.NotHeldException e) {
            LOG.debug("{}", e.getMessage());
        } catch (RuntimeException e) {
            // the offset stays uncommitted: after a restart the record is delivered again
            LOG.error("Writing a chunk record of {} failed: {}", record.volumeId(), e.getMessage(), e);
        }
    }

    private void resumeWhenRoom() {
        if (paused.isEmpty() || !pool.hasRoomFor(pool.bufferSize()) || lanes.queued() >= maxQueued / 2) {
            return;
        }
        consumer.resume(paused);
        paused.clear();
    }

    private void commitDurable() {
        Map<TopicPartition, OffsetAndMetadata> commits = new HashMap<>();
        offsets.forEach((partition, o) -> {
            long offset = o.toCommit();
            if (offset >= 0) {
                commits.put(partition, new OffsetAndMetadata(offset));
            }
        });
        if (commits.isEmpty()) {
            return;
        }
        try {
            consumer.commitSync(commits, Duration.ofSeconds(10));
            commits.forEach((partition, o) -> {
                PartitionOffsets partitionOffsets = offsets.get(partition);
                if (partitionOffsets != null) {
                    partitionOffsets.committed(o.offset());
                }
            });
        } catch (RuntimeException e) {
            LOG.warn("Committing chunk offsets failed ({}); they are committed later", e.getMessage());
        }
    }

    /** Staged records that waited a second get a checkpoint; volumes that could not apply a point are retried. */
    private void housekeeping() {
        long now = System.nanoTime();
        if (now - lastHousekeeping < CHECKPOINT_IDLE_NANOS) {
            return;
        }
        lastHousekeeping = now;
        for (String volumeId : writer.idleVolumes(CHECKPOINT_IDLE_NANOS)) {
            checkpointSoon(volumeId);
        }
        if (now - lastRetry >= RETRY_HELD_BACK_NANOS) {
            lastRetry = now;
            for (String volumeId : writer.heldBack()) {
                lanes.submit(volumeId, () -> writer.retry(volumeId));
            }
        }
    }

    private void checkpointSoon(String volumeId) {
        if (checkpointQueued.add(volumeId)) {
            lanes.submit(volumeId, () -> {
                checkpointQueued.remove(volumeId);
                writer.checkpoint(volumeId);
            });
        }
    }

    /** Asks every volume for a checkpoint and waits (bounded) until the partitions' records are durable. */
    private void drain(Collection<TopicPartition> partitions, long waitMillis) {
        for (String volumeId : writer.idleVolumes(0)) {
            checkpointSoon(volumeId);
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
        while (System.nanoTime() < deadline && !partitions.stream().map(offsets::get)
                .allMatch(o -> o == null || o.allDurable())) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            for (String volumeId : writer.idleVolumes(0)) {
                checkpointSoon(volumeId);
            }
        }
    }

    /**
     * Whether a volume's partition is this consumer's now (writers sharing a repository write only
     * those volumes). Before the first assignment, none is.
     */
    public boolean assigned(String volumeId) {
        int count = partitionCount;
        return count > 0 && offsets.containsKey(new TopicPartition(topic, VolumePartitioner.partitionOf(volumeId,
                count)));
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            drain(partitions, revokeWaitMillis);
            commitDurable();
            letGo(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (partitionCount == 0) {
                partitionCount = consumer.partitionsFor(topic).size();
            }
            for (TopicPartition partition : partitions) {
                offsets.put(partition, new PartitionOffsets(consumer.position(partition)));
            }
            if (sharing && !partitions.isEmpty()) {
                // the volumes another writer left in these partitions are taken now, not at their next
                // record: a commit it left half done is finished and answered even if the source waits
                for (String volumeId : writer.catalogVolumes()) {
                    if (partitions.contains(partitionOf(volumeId))) {
                        lanes.submit(volumeId, () -> writer.adopt(volumeId));
                    }
                }
                LOG.info("This writer owns chunk partitions {}", offsets.keySet().stream()
                        .map(TopicPartition::partition).sorted().toList());
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            letGo(partitions);
        }

        /** Stops applying the partitions' records; a writer sharing the repository releases their volumes. */
        private void letGo(Collection<TopicPartition> partitions) {
            partitions.forEach(offsets::remove);
            paused.removeAll(partitions);
            if (sharing) {
                for (String volumeId : writer.heldVolumes()) {
                    if (partitions.contains(partitionOf(volumeId))) {
                        writer.release(volumeId);
                    }
                }
            }
        }
    }

    private TopicPartition partitionOf(String volumeId) {
        return new TopicPartition(topic, VolumePartitioner.partitionOf(volumeId, partitionCount));
    }

    private static byte[] bytes(ByteBuffer value) {
        if (value == null) {
            return null;
        }
        byte[] copy = new byte[value.remaining()];
        value.duplicate().get(copy);
        return copy;
    }

    /** Stops polling, lets the writers make what they have durable, commits, and closes. */
    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            if (!running) {
                return;
            }
            running = false;
            t = thread;
        }
        consumer.wakeup();
        try {
            t.join(60_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
