package io.blockferry.source;

import io.blockferry.changedblock.ChunkGrid;
import io.blockferry.changedblock.RbdDiffExtents;
import io.blockferry.events.ChainBreak;
import io.blockferry.events.Event;
import io.blockferry.events.EventSink;
import io.blockferry.events.EventTypes;
import io.blockferry.transport.ChunkRecord;
import io.blockferry.transport.SyncMode;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
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
    private final SnapshotBudget budget;
    private final SourceManifests manifests;
    private final DiffVerifier verifier;
    private final SyncWaiters waiters;
    private final EventSink events;
    private final Executor readers;
    private final Throttle throttle;
    private final SyncProgress progress;
    private final ChainHints hints;
    private final Map<String, Object> volumeLocks = new ConcurrentHashMap<>();

    public GenerationPlanner(CephCluster ceph, VolumeStateStore store, SourceSettings settings, SourceManifests manifests,
                             DiffVerifier verifier, SyncWaiters waiters, EventSink events, Executor readers,
                             Throttle throttle, SyncProgress progress, ChainHints hints) {
        this.ceph = ceph;
        this.store = store;
        this.settings = settings;
        this.names = new SnapshotNames(settings.snapshotPrefix());
        this.cleaner = new SnapshotCleaner(ceph, names);
        this.budget = new SnapshotBudget(settings.snapshotLimit(), names, cleaner);
        this.manifests = manifests;
        this.verifier = verifier;
        this.waiters = waiters;
        this.events = events;
        this.readers = readers;
        this.throttle = throttle;
        this.progress = progress;
        this.hints = hints;
    }

    /**
     * Opens the next generation of the request's volume. Opening is serialised per volume, so two
     * triggers at once (timer, API, resync) cannot both pass the in-flight check.
     */
    public ChunkStream open(SyncRequest request) {
        synchronized (volumeLocks.computeIfAbsent(request.volumeId(), id -> new Object())) {
            return openLocked(request);
        }
    }

    private ChunkStream openLocked(SyncRequest request) {
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
            Optional<ChainHints.Hint> hint = hints.find(volumeId);
            plan = ChainDecision.decide(state, request, imageId, head.size(), head.snapshotNames(),
                    hint.map(ChainHints.Hint::cause).orElse(null));
            reportChainBreak(volumeId, plan, request, hint.orElse(null));
            budget.ensureRoom(head, volumeId, state.baseSnapshot());
            generation = store.nextGeneration(volumeId);
            if (hint.isPresent() && plan.mode() == SyncMode.FULL) {
                hints.consumedBy(volumeId, generation);
            }
            snapshot = names.forGeneration(generation, Instant.now());
            createSnapshot(head, volumeId, snapshot);
        }
        SnapshotReader reader = new SnapshotReader(ceph, ref, snapshot);
        try {
            long size = reader.size();
            store.markPending(volumeId, generation, snapshot, imageId, size, request.options());
            waiters.register(volumeId, generation);
            ChunkRecord.Begin begin = new ChunkRecord.Begin(volumeId, generation, plan.mode(), plan.cause(), size,
                    settings.chunkSize(), snapshot, plan.baseSnapshot(), imageId, System.currentTimeMillis(),
                    request.options().keepPoints());
            LOG.info("Volume {} generation {}: {} sync ({}) of {} bytes from {} to snapshot {}", volumeId, generation,
                    plan.mode().name().toLowerCase(), plan.cause(), size,
                    plan.baseSnapshot() == null ? "nothing" : plan.baseSnapshot(), snapshot);
            String what = ref + "@" + snapshot;
            var extents = new RbdDiffExtents(reader.image(), plan.baseSnapshot(), size, what);
            SyncProgress.Tracker tracker = progress.start(volumeId, generation, plan.mode().name().toLowerCase(),
                    RbdDiffExtents.totalBytes(reader.image(), plan.baseSnapshot(), size, what));
            Runnable verify = plan.mode() == SyncMode.INCREMENTAL
                    ? () -> verifier.verify(volumeId, manifests.chain(volumeId, generation), reader)
                    : () -> { };
            return new ChunkStream(begin, new ChunkGrid(extents, settings.chunkSize()), reader, readers,
                    settings.readAhead(), manifests.create(volumeId, generation), verify,
                    throttle.within(request.options().bandwidthLimit()), tracker);
        } catch (RuntimeException e) {
            progress.finish(volumeId);
            reader.close();
            cleaner.removeIfPresent(ref, snapshot);
            store.dropPending(volumeId, e.getMessage(), null);
            throw e;
        }
    }

    /** Called once every record the stream produced has been accepted by Kafka. */
    public GenerationReport published(ChunkStream stream) {
        stream.close();
        progress.finish(stream.volumeId());
        if (!stream.complete()) {
            throw stream.failure() != null ? stream.failure()
                    : new SyncFailedException("the record stream of " + stream.volumeId() + " stopped early");
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

    /** Undoes a generation that will not be committed: its snapshot and manifest go, the base stays. */
    public void abandon(ChunkStream stream, String reason, String fullResyncCause) {
        stream.close();
        progress.finish(stream.volumeId());
        ChunkRecord.Begin b = stream.begin();
        cleaner.removeIfPresent(VolumeRef.parse(b.volumeId()), b.snapshot());
        manifests.discard(b.volumeId(), b.generation());
        store.dropPending(b.volumeId(), reason, fullResyncCause);
        waiters.fail(b.volumeId(), b.generation(), new SyncFailedException(reason));
    }

    private void createSnapshot(SourceImage head, String volumeId, String snapshot) {
        try {
            head.createSnapshot(snapshot);
        } catch (CephException e) {
            if (e.errno() == CephErrors.EDQUOT) {
                throw budget.quotaExceeded(head, volumeId);
            }
            throw e;
        }
    }

    private void reportChainBreak(String volumeId, ChainDecision.Plan plan, SyncRequest request, ChainHints.Hint hint) {
        if (!ChainBreak.isChainBreak(plan.cause())) {
            return;
        }
        boolean manual = !settings.autoResync() && !request.full();
        boolean hinted = hint != null && hint.cause().equals(plan.cause());
        events.publish(Event.of(EventTypes.CHAIN_BREAK, volumeId, plan.cause(), Event.WARN,
                "the snapshot chain of " + volumeId + " is broken (" + plan.cause()
                        + (hinted ? ", seen by the OpenStack inventory: " + hint.detail() : "") + "): "
                        + (manual ? "a full resync is needed; request one with a full sync"
                                  : "starting a full resync"), Map.of()));
        if (manual) {
            throw new SyncFailedException("volume " + volumeId + " needs a full resync (" + plan.cause()
                    + ") and blockferry.source.chain-break-resync is manual: request a full sync");
        }
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
            throw new SyncInProgressException("volume " + state.volumeId() + " still has generation "
                    + state.pendingGeneration() + " waiting for the target's ack (" + age / 1000 + " s): a new sync "
                    + "starts after the ack, or after blockferry.source.ack-timeout-seconds");
        }
        LOG.warn("Volume {}: generation {} was never acked within {} s; removing its snapshot {} and syncing from the "
                + "last acked base", state.volumeId(), state.pendingGeneration(), settings.ackTimeoutMillis() / 1000,
                state.pendingSnapshot());
        cleaner.removeIfPresent(head, state.pendingSnapshot());
        manifests.discard(state.volumeId(), state.pendingGeneration());
        store.dropPending(state.volumeId(), "generation " + state.pendingGeneration() + " was never acked", null);
        return store.find(state.volumeId()).orElseThrow();
    }
}
