package io.blockferry.source;

import io.blockferry.changedblock.Extent;
import io.blockferry.changedblock.ExtentLog;
import io.blockferry.events.ChainBreak;
import io.blockferry.events.Event;
import io.blockferry.events.EventSink;
import io.blockferry.events.EventTypes;
import io.blockferry.fault.FaultPoints;
import io.blockferry.transport.ChunkRecord;
import io.blockferry.transport.GenerationAck;
import io.blockferry.transport.SyncMode;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens a volume's next generation in two steps: {@link #snapshot} decides full or incremental and
 * takes the snapshot (the post-snapshot hook runs right after it), then {@link #stream} lists the
 * changed blocks once and returns the lazy record stream the publisher sends. Afterwards it records
 * the outcome; the base only moves when the target acks (see {@link AckHandler}).
 *
 * <p>A volume has one generation in flight. One this process is not publishing and that never
 * reached Kafka whole was left by a process that died: it is abandoned at once. One that reached
 * Kafka whole waits for its ack, counted from when it was published, not from its snapshot.
 */
public final class GenerationPlanner {

    private static final Logger LOG = LoggerFactory.getLogger(GenerationPlanner.class);

    private final BlockSources sources;
    private final VolumeStateStore store;
    private final SourceSettings settings;
    private final SnapshotNames names;
    private final SnapshotCleaner cleaner;
    private final SnapshotBudget budget;
    private final SourceManifests manifests;
    private final DiffVerifier verifier;
    private final SyncWaiters waiters;
    private final EventSink events;
    private final ChunkStream.Reading reading;
    private final Throttle throttle;
    private final SyncProgress progress;
    private final ChainHints hints;
    private final Path spillDir;
    private final TargetChunkSums targetSums;
    private final Map<String, Object> volumeLocks = new ConcurrentHashMap<>();
    /** Volumes whose pending generation this process is creating or publishing now. */
    private final Set<String> inProgress = ConcurrentHashMap.newKeySet();

    public GenerationPlanner(BlockSources sources, VolumeStateStore store, SourceSettings settings, SourceManifests manifests,
                             DiffVerifier verifier, SyncWaiters waiters, EventSink events, ChunkStream.Reading reading,
                             Throttle throttle, SyncProgress progress, ChainHints hints, Path spillDir) {
        this(sources, store, settings, manifests, verifier, waiters, events, reading, throttle, progress, hints, spillDir,
                null);
    }

    /** @param targetSums what the target holds of each volume, for checksum resyncs (null: every resync is full) */
    public GenerationPlanner(BlockSources sources, VolumeStateStore store, SourceSettings settings, SourceManifests manifests,
                             DiffVerifier verifier, SyncWaiters waiters, EventSink events, ChunkStream.Reading reading,
                             Throttle throttle, SyncProgress progress, ChainHints hints, Path spillDir,
                             TargetChunkSums targetSums) {
        this.targetSums = targetSums;
        this.sources = sources;
        this.store = store;
        this.settings = settings;
        this.names = new SnapshotNames(settings.snapshotPrefix());
        this.cleaner = new SnapshotCleaner(sources, names);
        this.budget = new SnapshotBudget(settings.snapshotLimit(), names, cleaner);
        this.manifests = manifests;
        this.verifier = verifier;
        this.waiters = waiters;
        this.events = events;
        this.reading = reading;
        this.throttle = throttle;
        this.progress = progress;
        this.hints = hints;
        this.spillDir = spillDir;
    }

    /** Both steps at once: for callers without hooks between them (tests, tools). */
    public ChunkStream open(SyncRequest request) {
        return stream(snapshot(request));
    }

    /**
     * Decides the next generation of the request's volume and takes its snapshot. Serialised per
     * volume, so two triggers at once (timer, API, resync) cannot both pass the in-flight check.
     */
    public PlannedGeneration snapshot(SyncRequest request) {
        synchronized (volumeLocks.computeIfAbsent(request.volumeId(), id -> new Object())) {
            return snapshotLocked(request);
        }
    }

    private PlannedGeneration snapshotLocked(SyncRequest request) {
        String volumeId = request.volumeId();
        VolumeState state = store.find(volumeId).orElse(VolumeState.fresh(volumeId));
        try (SourceVolume head = sources.open(volumeId)) {
            state = settlePending(state, head);
            String imageId = head.identity();
            Optional<ChainHints.Hint> hint = hints.find(volumeId);
            ChainDecision.Plan plan = resyncPlan(volumeId, head.size(), ChainDecision.decide(state, request,
                    imageId, head.size(), head.snapshots(), hint.map(ChainHints.Hint::cause).orElse(null)));
            reportChainBreak(volumeId, plan, request, hint.orElse(null));
            budget.ensureRoom(head, volumeId, state.baseSnapshot());
            long generation = store.nextGeneration(volumeId);
            if (hint.isPresent() && (plan.mode() == SyncMode.FULL || plan.checksumResync())) {
                hints.consumedBy(volumeId, generation);
            }
            String snapshot = names.forGeneration(generation, Instant.now());
            createSnapshot(head, snapshot);
            inProgress.add(volumeId);
            try {
                store.markPending(volumeId, generation, snapshot, imageId, head.size(), request.options());
            } catch (RuntimeException e) {
                inProgress.remove(volumeId);
                cleaner.removeIfPresent(head, snapshot);
                throw e;
            }
            return new PlannedGeneration(request, generation, plan, snapshot, imageId,
                    waiters.register(volumeId, generation));
        }
    }

    /**
     * Lists the generation's changed blocks (one pass over the diff) and returns its record stream. A
     * checksum resync lists the whole volume instead, and its stream leaves out every chunk whose
     * SHA-256 equals the target's; sums that turn out unusable now make it a full resync.
     */
    public ChunkStream stream(PlannedGeneration planned) {
        String volumeId = planned.volumeId();
        ChainDecision.Plan plan = planned.plan();
        BlockReader reader = null;
        ChecksumBasis basis = null;
        try (SourceVolume head = sources.open(volumeId)) {
            if (plan.checksumResync()) {
                basis = openBasis(volumeId);
                plan = basis == null ? ChainDecision.Plan.full(plan.cause())
                        : ChainDecision.Plan.checksum(plan.cause(), basis.generation(), basis.snapshot());
            }
            reader = head.readerAt(planned.snapshot());
            long size = reader.size();
            ExtentLog changes;
            if (basis != null) {
                changes = ExtentLog.collect(List.of(new Extent(0, size, true)).iterator(), spillDir);
            } else {
                try (ChangedBlocks changed = head.changes(plan.baseSnapshot(), planned.snapshot())) {
                    changes = ExtentLog.collect(changed, spillDir);
                }
            }
            String kind = basis != null ? "checksum" : plan.mode().name().toLowerCase();
            ChunkRecord.Begin begin = new ChunkRecord.Begin(volumeId, planned.generation(), plan.mode(), plan.cause(),
                    size, basis != null ? basis.chunkSize() : settings.chunkSize(), planned.snapshot(),
                    plan.baseSnapshot(), planned.imageId(), System.currentTimeMillis(),
                    planned.request().options().keepPoints(), changes.totalBytes());
            LOG.info("Volume {} generation {}: {} sync ({}) of {} {} bytes of {} from {} to snapshot {}", volumeId,
                    planned.generation(), kind, plan.cause(), changes.totalBytes(),
                    basis != null ? "compared (only chunks that differ are sent)" : "changed", size,
                    plan.baseSnapshot() == null ? "nothing" : plan.baseSnapshot(), planned.snapshot());
            SyncProgress.Tracker tracker = progress.start(volumeId, planned.generation(), kind, changes.totalBytes());
            BlockReader snapshotReader = reader;
            // a checksum resync compared every chunk with the target's own sums: nothing is left to sample
            Runnable verify = plan.mode() == SyncMode.INCREMENTAL && basis == null
                    ? () -> verifier.verify(volumeId, manifests.chain(volumeId, planned.generation()), snapshotReader)
                    : () -> { };
            return new ChunkStream(begin, changes, reader, reading, manifests.create(volumeId, planned.generation()),
                    verify, throttle.within(planned.request().options().bandwidthLimit()), tracker, planned.ack(),
                    basis);
        } catch (RuntimeException e) {
            // the generation stays planned: the error route retries this step when the cause may pass,
            // and abandons the generation once it gives up
            progress.finish(volumeId);
            if (reader != null) {
                reader.close();
            }
            if (basis != null) {
                basis.close();
            }
            throw e;
        }
    }

    /**
     * Chain breaks after which the target's sums do not describe a copy to build on: its replica rotted
     * (the sums are of what it was), it lost the point, or its newest point is another site's.
     */
    private static final Set<String> TARGET_COPY_SUSPECT = Set.of(ChainBreak.TARGET_CORRUPT,
            ChainBreak.TARGET_MISSING_BASE, ChainBreak.SOURCE_SITE_CONFLICT);

    /**
     * A chain break becomes a checksum resync when so configured and the target has published sums of
     * this volume at its present size; otherwise it stays a full resync.
     */
    private ChainDecision.Plan resyncPlan(String volumeId, long size, ChainDecision.Plan plan) {
        // a requested full has cause "requested", not a chain break: it stays full
        if (plan.mode() != SyncMode.FULL || !ChainBreak.isChainBreak(plan.cause())
                || settings.chainBreakResync() != ResyncMode.CHECKSUM || targetSums == null) {
            return plan;
        }
        if (TARGET_COPY_SUSPECT.contains(plan.cause())) {
            LOG.info("Volume {}: the chain break ({}) is resynced in full: the target's copy cannot be compared by "
                    + "its sums", volumeId, plan.cause());
            return plan;
        }
        TargetChunkSums.Lookup found = targetSums.find(volumeId, size, reading.pool().bufferSize());
        if (!found.usable()) {
            LOG.info("Volume {}: the chain break ({}) is resynced in full, not by checksum: {}", volumeId, plan.cause(),
                    found.whyNot());
            return plan;
        }
        return ChainDecision.Plan.checksum(plan.cause(), found.generation(), found.snapshot());
    }

    /** The target's sums, put together and checked; null (a full resync) when they do not add up. */
    private ChecksumBasis openBasis(String volumeId) {
        try {
            return targetSums.open(volumeId);
        } catch (RuntimeException e) {
            LOG.warn("Volume {}: the checksum resync becomes a full one: {}", volumeId, e.getMessage());
            return null;
        }
    }

    /**
     * Called once every record the stream produced, END included, is acknowledged by Kafka: from
     * now on the generation ends only with the target's answer, even across a restart.
     */
    public GenerationReport published(ChunkStream stream) {
        stream.close();
        progress.finish(stream.volumeId());
        ChunkRecord.Begin b = stream.begin();
        try {
            if (!stream.complete()) {
                RuntimeException failure = stream.failure();
                if (failure == null) {
                    throw new SyncFailedException("the record stream of " + stream.volumeId() + " stopped early");
                }
                // a failure that may pass is not retried as a step (the stream is spent): the whole sync is
                throw SyncFailedException.isTransient(failure)
                        ? new SyncFailedException("reading " + stream.volumeId() + " failed: " + failure.getMessage(),
                                failure, true)
                        : failure;
            }
            store.markPublished(b.volumeId(), b.generation());
        } finally {
            inProgress.remove(b.volumeId());
        }
        FaultPoints.reach(FaultPoints.Step.SOURCE_AFTER_PUBLISH);
        GenerationStats s = stream.stats();
        LOG.info("Volume {} generation {} published: {} data records ({} bytes), {} zero records ({} bytes) in {} s",
                b.volumeId(), b.generation(), s.dataChunks(), s.dataBytes(), s.zeroChunks(), s.zeroBytes(),
                String.format("%.2f", s.streamSeconds()));
        return new GenerationReport(b.volumeId(), b.generation(), b.mode(), b.cause(), b.snapshot(), b.baseSnapshot(),
                b.imageSize(), s.dataChunks(), s.zeroChunks(), s.dataBytes(), s.zeroBytes(), s.startNanos(),
                stream.ack());
    }

    /**
     * A sync interrupted by a restart: its generation, if it reached Kafka whole, is awaited instead
     * of being sent again; if it was committed meanwhile, there is nothing left to do.
     *
     * @param interruptedAtMillis when the interrupted sync had started
     * @return the report to wait on, or empty when a new generation must be made
     */
    public Optional<GenerationReport> resume(String volumeId, long interruptedAtMillis) {
        VolumeState state = store.find(volumeId).orElse(null);
        if (state == null || inProgress.contains(volumeId)) {
            return Optional.empty();
        }
        if (state.hasPending() && state.pendingPublished()) {
            // registered before the state is read again, so an ack arriving in between is not missed
            CompletableFuture<GenerationAck> ack = waiters.register(volumeId, state.pendingGeneration());
            VolumeState now = store.find(volumeId).orElseThrow();
            if (now.hasPending() && now.pendingGeneration() == state.pendingGeneration()) {
                LOG.info("Volume {}: generation {} was published before the restart; waiting for the target's "
                        + "answer instead of sending it again", volumeId, state.pendingGeneration());
                return Optional.of(report(state, state.pendingGeneration(), state.pendingSnapshot(), ack));
            }
            state = now;
        }
        if (!state.hasPending() && state.hasBase() && state.baseAckedAtMillis() >= interruptedAtMillis) {
            LOG.info("Volume {}: generation {} was committed on the target since the interrupted sync started; "
                    + "that sync is done", volumeId, state.baseGeneration());
            return Optional.of(report(state, state.baseGeneration(), state.baseSnapshot(),
                    CompletableFuture.completedFuture(GenerationAck.committed(volumeId, state.baseGeneration(),
                            state.baseSnapshot(), null, 0))));
        }
        return Optional.empty();
    }

    private static GenerationReport report(VolumeState state, long generation, String snapshot,
                                           CompletableFuture<GenerationAck> ack) {
        return new GenerationReport(state.volumeId(), generation, null, "resumed", snapshot, null, 0, 0, 0, 0, 0,
                System.nanoTime(), ack);
    }

    /** Undoes a generation that will not be committed: its snapshot and manifest go, the base stays. */
    public void abandon(ChunkStream stream, String reason, String fullResyncCause) {
        stream.close();
        ChunkRecord.Begin b = stream.begin();
        abandon(b.volumeId(), b.generation(), b.snapshot(), reason, fullResyncCause);
    }

    /** Undoes a planned generation, with or without its stream. */
    public void abandon(PlannedGeneration planned, ChunkStream stream, String reason, String fullResyncCause) {
        if (stream != null) {
            abandon(stream, reason, fullResyncCause);
        } else {
            abandon(planned.volumeId(), planned.generation(), planned.snapshot(), reason, fullResyncCause);
        }
    }

    private void abandon(String volumeId, long generation, String snapshot, String reason, String fullResyncCause) {
        progress.finish(volumeId);
        cleaner.removeIfPresent(volumeId, snapshot);
        manifests.discard(volumeId, generation);
        store.dropPending(volumeId, generation, reason, fullResyncCause);
        inProgress.remove(volumeId);
        waiters.fail(volumeId, generation, new SyncFailedException(reason));
    }

    private void createSnapshot(SourceVolume head, String snapshot) {
        try {
            head.createSnapshot(snapshot);
        } catch (SnapshotLimitException e) {
            throw e.fromPlatform() ? budget.platformLimit(head, e) : e;
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
                                  : plan.checksumResync() ? "starting a checksum resync on the target's point "
                                        + plan.checksumOn() + " (snapshot " + plan.baseSnapshot() + "): the whole "
                                        + "volume is read and only the chunks whose SHA-256 differs are sent"
                                  : "starting a full resync"),
                plan.checksumResync() ? Map.of("checksumOnGeneration", plan.checksumOn()) : Map.of()));
        if (manual) {
            throw new SyncFailedException("volume " + volumeId + " needs a full resync (" + plan.cause()
                    + ") and blockferry.source.chain-break-resync is manual: request a full sync");
        }
    }

    /**
     * A volume has one generation in flight at a time. One this process is publishing blocks a new
     * one. One that never reached Kafka whole and that no one here publishes was left by a process
     * that died: nothing can complete it, so it is abandoned now. One that reached Kafka whole
     * waits for the target's answer up to the ack timeout, counted from when it was published.
     */
    private VolumeState settlePending(VolumeState state, SourceVolume head) {
        if (!state.hasPending()) {
            return state;
        }
        String volumeId = state.volumeId();
        String reason;
        if (inProgress.contains(volumeId)) {
            throw new SyncInProgressException("volume " + volumeId + " is being synced now (generation "
                    + state.pendingGeneration() + "): a new sync starts after its ack");
        } else if (!state.pendingPublished()) {
            reason = "generation " + state.pendingGeneration() + " was interrupted before it was published in full "
                    + "(the process that sent it stopped)";
        } else {
            long age = System.currentTimeMillis() - state.pendingPublishedAtMillis();
            if (age < settings.ackTimeoutMillis()) {
                throw new SyncInProgressException("volume " + volumeId + " still has generation "
                        + state.pendingGeneration() + " waiting for the target's ack (published " + age / 1000
                        + " s ago): a new sync starts after the ack, or after blockferry.source.ack-timeout-seconds");
            }
            reason = "generation " + state.pendingGeneration() + " was never acked within "
                    + settings.ackTimeoutMillis() / 1000 + " s of its publication";
        }
        LOG.warn("Volume {}: {}; removing its snapshot {} and syncing from the last acked base", volumeId, reason,
                state.pendingSnapshot());
        if (names.isOwn(state.pendingSnapshot())) {
            cleaner.removeIfPresent(head, state.pendingSnapshot());
        }
        manifests.discard(volumeId, state.pendingGeneration());
        store.dropPending(volumeId, state.pendingGeneration(), reason, null);
        waiters.fail(volumeId, state.pendingGeneration(), new SyncFailedException(reason));
        return store.find(volumeId).orElseThrow();
    }
}
