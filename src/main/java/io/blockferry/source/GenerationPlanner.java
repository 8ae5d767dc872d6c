package io.blockferry.source;

import io.blockferry.changedblock.ChunkGrid;
import io.blockferry.changedblock.RbdDiffExtents;
import io.blockferry.transport.ChunkRecord;
import java.time.Instant;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens a volume's next generation: decides full or incremental, takes the snapshot, and
 * returns the lazy record stream that the volume-sync route publishes. Afterwards it records
 * the outcome; the base only moves when the target acks (see {@link AckHandler}).
 */
public final class GenerationPlanner {

    private static final Logger LOG = LoggerFactory.getLogger(GenerationPlanner.class);

    private final CephCluster ceph;
    private final VolumeStateStore store;
    private final SourceSettings settings;
    private final SnapshotNames names;
    private final SnapshotCleaner cleaner;
    private final SyncWaiters waiters;
    private final Executor readers;

    public GenerationPlanner(CephCluster ceph, VolumeStateStore store, SourceSettings settings, SyncWaiters waiters,
                             Executor readers) {
        this.ceph = ceph;
        this.store = store;
        this.settings = settings;
        this.names = new SnapshotNames(settings.snapshotPrefix());
        this.cleaner = new SnapshotCleaner(ceph, names);
        this.waiters = waiters;
        this.readers = readers;
    }

    public ChunkStream open(SyncRequest request) {
        VolumeRef ref = VolumeRef.parse(request.volumeId());
        String volumeId = request.volumeId();
        VolumeState state = store.find(volumeId).orElse(VolumeState.fresh(volumeId));
        ChainDecision.Plan plan;
        String snapshot;
        long generation;
        String imageId;
        try (SourceImage head = new SourceImage(ceph, ref)) {
            state = settlePending(state, head);
            imageId = head.id();
            plan = ChainDecision.decide(state, request, imageId, head.size(), head.snapshotNames());
            generation = store.nextGeneration(volumeId);
            snapshot = names.forGeneration(generation, Instant.now());
            head.createSnapshot(snapshot);
        }
        SnapshotReader reader = new SnapshotReader(ceph, ref, snapshot);
        try {
            long size = reader.size();
            store.markPending(volumeId, generation, snapshot, imageId, size);
            waiters.register(volumeId, generation);
            ChunkRecord.Begin begin = new ChunkRecord.Begin(volumeId, generation, plan.mode(), plan.cause(), size,
                    settings.chunkSize(), snapshot, plan.baseSnapshot(), imageId, System.currentTimeMillis());
            LOG.info("Volume {} generation {}: {} sync ({}) of {} bytes from {} to snapshot {}", volumeId, generation,
                    plan.mode().name().toLowerCase(), plan.cause(), size,
                    plan.baseSnapshot() == null ? "nothing" : plan.baseSnapshot(), snapshot);
            var extents = new RbdDiffExtents(reader.image(), plan.baseSnapshot(), size, ref + "@" + snapshot);
            return new ChunkStream(begin, new ChunkGrid(extents, settings.chunkSize()), reader, readers,
                    settings.readAhead());
        } catch (RuntimeException e) {
            reader.close();
            cleaner.removeIfPresent(ref, snapshot);
            store.dropPending(volumeId, e.getMessage(), null);
            throw e;
        }
    }

    /** Called once every record the stream produced has been accepted by Kafka. */
    public GenerationReport published(ChunkStream stream) {
        stream.close();
        if (!stream.complete()) {
            RuntimeException cause = stream.failure();
            abandon(stream, cause == null ? "the record stream stopped early" : cause.getMessage());
            throw new SyncFailedException("sync of " + stream.volumeId() + " stopped before its end: "
                    + (cause == null ? "unknown cause" : cause.getMessage()), cause);
        }
        ChunkRecord.Begin b = stream.begin();
        GenerationStats s = stream.stats();
        LOG.info("Volume {} generation {} published: {} data chunks ({} bytes), {} zero chunks ({} bytes) in {} s",
                b.volumeId(), b.generation(), s.dataChunks(), s.dataBytes(), s.zeroChunks(), s.zeroBytes(),
                String.format("%.2f", s.streamSeconds()));
        return new GenerationReport(b.volumeId(), b.generation(), b.mode(), b.cause(), b.snapshot(), b.baseSnapshot(),
                b.imageSize(), s.dataChunks(), s.zeroChunks(), s.dataBytes(), s.zeroBytes(), s.startNanos(),
                waiters.register(b.volumeId(), b.generation()));
    }

    /** Called by the source's error handling when publishing failed. {@code stream} may be null. */
    public void failed(ChunkStream stream, Exception cause) {
        if (stream == null) {
            LOG.error("Sync could not start: {}", cause.getMessage());
            return;
        }
        stream.close();
        abandon(stream, cause.getMessage());
        LOG.error("Sync of {} generation {} failed, its snapshot was removed and the base is unchanged: {}",
                stream.volumeId(), stream.begin().generation(), cause.getMessage());
    }

    private void abandon(ChunkStream stream, String reason) {
        ChunkRecord.Begin b = stream.begin();
        cleaner.removeIfPresent(VolumeRef.parse(b.volumeId()), b.snapshot());
        store.dropPending(b.volumeId(), reason, null);
        waiters.fail(b.volumeId(), b.generation(), new SyncFailedException(reason));
    }

    /**
     * A volume has one generation in flight at a time. A pending generation older than the ack
     * timeout is abandoned (the writer never acked it), and its snapshot removed.
     */
    private VolumeState settlePending(VolumeState state, SourceImage head) {
        if (!state.hasPending()) {
            return state;
        }
        long age = System.currentTimeMillis() - state.pendingSinceMillis();
        if (age < settings.ackTimeoutMillis()) {
            throw new SyncFailedException("volume " + state.volumeId() + " still has generation "
                    + state.pendingGeneration() + " waiting for the target's ack (" + age / 1000 + " s): a new sync "
                    + "starts after the ack, or after blockferry.source.ack-timeout");
        }
        LOG.warn("Volume {}: generation {} was never acked within {} s; removing its snapshot {} and syncing from the "
                + "last acked base", state.volumeId(), state.pendingGeneration(), settings.ackTimeoutMillis() / 1000,
                state.pendingSnapshot());
        cleaner.removeIfPresent(head, state.pendingSnapshot());
        store.dropPending(state.volumeId(), "generation " + state.pendingGeneration() + " was never acked", null);
        return store.find(state.volumeId()).orElseThrow();
    }
}
