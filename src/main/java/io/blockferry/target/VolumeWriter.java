package io.blockferry.target;

import io.blockferry.events.Causes;
import io.blockferry.events.ChainBreak;
import io.blockferry.events.Event;
import io.blockferry.events.EventTypes;
import io.blockferry.fault.FaultPoints;
import io.blockferry.source.AckHandler;
import io.blockferry.transport.ChunkCodec;
import io.blockferry.transport.ChunkRecord;
import io.blockferry.transport.GenerationAck;
import io.blockferry.transport.SyncMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One volume's writer. It takes the volume's records in order (one thread at a time: its lock is
 * the object itself), stages each generation, and commits it at END. Idempotent and
 * at-least-once: a redelivered record is recognised by its sequence number and ignored.
 *
 * <p>The commit, and what a {@code kill -9} right after each step leaves behind:
 * <ol>
 * <li>the staged diff, manifest and (for a full) new replica are ended and fsynced, with their
 *     directory. Killed here: the staging row still names the generation at its last checkpoint;
 *     the records after it are delivered again (their offsets were not committed) and END with them;</li>
 * <li>one catalog transaction, forced to disk: the point (APPLYING), no staging row, and the
 *     replica row saying this point is being applied. Killed here or later: {@link #finish} runs
 *     at the next start and completes the steps below, each of which can be repeated;</li>
 * <li>the staged diff and manifest are renamed into {@code points/} (directory fsynced);</li>
 * <li>the replica: a full's new file is renamed over the old one; an incremental's diff is
 *     applied in place, but only if the replica holds the point's base or was being brought to
 *     this point (never over a newer replica), then fsynced;</li>
 * <li>one catalog transaction, forced to disk: the point COMMITTED, the replica row, and the ack
 *     queued. Only now may the source remove its older snapshot;</li>
 * <li>the ack is published by the {@link AckOutbox}, and retried until Kafka has it;</li>
 * <li>the chunk sums of the replica are updated and published ({@link PointSums}). Killed before:
 *     the sums still name the point before, so a checksum resync of the volume falls back to a full
 *     one until the next commit, which rebuilds them from the replica.</li>
 * </ol>
 * A Kafka offset passes a record only once what the record did is durable: at a checkpoint for
 * staged records, after step 2 for END (its commit is finished from the catalog if need be).
 */
final class VolumeWriter {

    private static final Logger LOG = LoggerFactory.getLogger(VolumeWriter.class);
    /** A point that cannot be applied now (the target cannot write its replica) holds new generations back. */
    static final String TARGET_UNAVAILABLE = Causes.TARGET_UNAVAILABLE.wire();
    /** The target could not write a generation's staged files (a full disk, an I/O error). */
    static final String TARGET_WRITE_FAILED = Causes.TARGET_WRITE_FAILED.wire();

    private final String volumeId;
    private final WriterParts parts;
    private final List<Runnable> undurable = new ArrayList<>();
    private StagedGeneration staged;
    private long bytesSinceCheckpoint;
    // read without the lock by the consumer thread, which must never wait for a volume's commit
    private volatile long checkpointedAtNanos = System.nanoTime();
    private volatile boolean waitingForCheckpoint;
    private volatile String stuck;

    VolumeWriter(String volumeId, WriterParts parts) {
        this.volumeId = volumeId;
        this.parts = parts;
    }

    /**
     * Applies one record of this volume and releases its payload.
     *
     * @param onDurable run once what the record did is durable (at once for a record that changes nothing)
     * @return the answer the record decided (at END), or null
     * @throws CorruptChunkException when a chunk fails its checks; its generation will be rejected
     */
    synchronized GenerationAck apply(ChunkRecord record, Runnable onDurable) {
        try {
            if (record instanceof ChunkRecord.Begin b) {
                return begin(b, onDurable);
            }
            if (record instanceof ChunkRecord.End e) {
                return end(e, onDurable);
            }
            chunk(record, onDurable);
            return null;
        } finally {
            record.release();
        }
    }

    private GenerationAck begin(ChunkRecord.Begin b, Runnable onDurable) {
        RecoveryPointCatalog catalog = parts.catalog();
        Optional<RecoveryPoint> latest = catalog.latest(volumeId);
        if (latest.isPresent() && b.generation() <= latest.get().generation()) {
            onDurable.run();
            Optional<RecoveryPoint> same = catalog.points(volumeId).stream()
                    .filter(p -> p.generation() == b.generation()).findFirst();
            if (same.isPresent() && same.get().snapshot().equals(b.snapshot())) {
                LOG.debug("BEGIN of {} generation {} is already committed; ignoring the redelivery", volumeId,
                        b.generation());
                return null;
            }
            if (same.isEmpty() && b.createdAtMillis() <= latest.get().sourceCreatedAtMillis()) {
                LOG.debug("BEGIN of {} generation {} is older than the target's latest point; ignoring the "
                        + "redelivery of a generation that was never committed", volumeId, b.generation());
                return null;
            }
            String reason = "generation " + b.generation() + " of " + volumeId + " (snapshot " + b.snapshot()
                    + ") is not newer than the target's generation " + latest.get().generation() + " (snapshot "
                    + latest.get().snapshot() + "): the source's numbering fell behind (its state store was rebuilt "
                    + "or lost commits); it continues above " + latest.get().generation();
            LOG.warn("Volume {}: {}", volumeId, reason);
            return queueRejection(b, GenerationAck.rejected(volumeId, b.generation(), b.snapshot(), b.mode().name(),
                    AckHandler.GENERATION_REUSED, reason, latest.get().generation()));
        }
        if (staged != null && staged.begin().generation() == b.generation()
                && staged.begin().snapshot().equals(b.snapshot())) {
            onDurable.run();
            return null;
        }
        if (staged != null) {
            LOG.warn("Volume {}: generation {} never ended and is superseded by generation {}; discarding it",
                    volumeId, staged.begin().generation(), b.generation());
            discardStaging();
        }
        // an incremental needs the replica its base left; a full builds a new one and supersedes what is stuck
        if (stuck != null && b.mode() == SyncMode.INCREMENTAL && !finishUnfinished()) {
            onDurable.run();
            return queueRejection(b, GenerationAck.rejected(volumeId, b.generation(), b.snapshot(), b.mode().name(),
                    TARGET_UNAVAILABLE, "the target cannot take generation " + b.generation() + " of " + volumeId
                            + " yet: " + stuck));
        }
        try {
            staged = StagedGeneration.create(parts.repository(), parts.replicas().of(volumeId), b);
        } catch (java.io.UncheckedIOException e) {
            onDurable.run();
            return queueRejection(b, GenerationAck.rejected(volumeId, b.generation(), b.snapshot(), b.mode().name(),
                    TARGET_WRITE_FAILED, "the target could not start generation " + b.generation() + " of " + volumeId
                            + ": " + e.getMessage()));
        }
        if (b.mode() == SyncMode.INCREMENTAL) {
            String missing = new RepositoryCheck(parts.repository(), catalog, parts.replicas())
                    .cannotBuildOn(volumeId, latest);
            if (missing == null && !b.baseSnapshot().equals(latest.map(RecoveryPoint::snapshot).orElse(null))) {
                missing = "the target's latest recovery point is " + latest.map(p -> "snapshot " + p.snapshot())
                        .orElse("none");
            }
            if (missing != null) {
                staged.fail(ChainBreak.TARGET_MISSING_BASE, "incremental generation " + b.generation() + " of "
                        + volumeId + " builds on snapshot " + b.baseSnapshot() + ", but " + missing
                        + ": a full sync is needed");
            } else if (otherSite(latest, b)) {
                // the same snapshot name on another site's data: applying it would mix two disks
                staged.fail(ChainBreak.SOURCE_SITE_CONFLICT, "incremental generation " + b.generation() + " of "
                        + volumeId + " from source site " + b.sourceSite() + " builds on snapshot " + b.baseSnapshot()
                        + ", but the target's point of that snapshot came from source site "
                        + latest.get().sourceSite() + ": a full sync is needed (two sources with one volume id? give "
                        + "them distinct backend names)");
            }
        } else if (otherSite(latest, b)) {
            parts.events().publish(Event.of(EventTypes.SOURCE_SITE_CHANGED, volumeId,
                    ChainBreak.SOURCE_SITE_CONFLICT, Event.WARN, "full generation " + b.generation() + " of " + volumeId
                            + " comes from source site " + b.sourceSite() + "; the newest point came from site "
                            + latest.get().sourceSite() + ". The volume's chain now follows " + b.sourceSite()
                            + " (a reinstalled source; or two sources with one volume id: give them distinct backend "
                            + "names)", Map.of("generation", b.generation())));
        }
        catalog.saveStaging(staged.row());
        waitFor(onDurable);
        return null;
    }

    /** The newest point and the BEGIN both name their source site, and they differ. */
    private static boolean otherSite(Optional<RecoveryPoint> latest, ChunkRecord.Begin b) {
        return latest.isPresent() && !latest.get().sourceSite().isEmpty() && !b.sourceSite().isEmpty()
                && !latest.get().sourceSite().equals(b.sourceSite());
    }

    private void chunk(ChunkRecord record, Runnable onDurable) {
        StagedGeneration current = stagingFor(record);
        if (current == null || record.seq() < current.nextSeq() || current.failed()) {
            onDurable.run();
            return;
        }
        if (record.seq() > current.nextSeq()) {
            current.fail(Causes.RECORDS_MISSING.wire(), "record " + current.nextSeq() + " of generation " + record.generation()
                    + " never arrived (the next one was " + record.seq() + ")");
            waitFor(onDurable);
            return;
        }
        String problem = verify(current, record);
        if (problem != null) {
            current.fail(CorruptChunkException.CAUSE, problem);
            waitFor(onDurable);
            throw new CorruptChunkException("volume " + volumeId + " generation " + record.generation() + ": "
                    + problem + "; the chunk is not applied and the generation will be rejected",
                    ChunkCodec.encode(record));
        }
        try {
            current.append(record);
        } catch (java.io.UncheckedIOException e) {
            // a full disk or an I/O error: the staging cannot be trusted; END is answered with a rejection
            current.fail(TARGET_WRITE_FAILED, "the target could not write generation " + record.generation()
                    + " of " + volumeId + ": " + e.getMessage());
            waitFor(onDurable);
            return;
        }
        waitFor(onDurable);
        if (record instanceof ChunkRecord.Data d) {
            bytesSinceCheckpoint += d.length();
        }
        if (bytesSinceCheckpoint >= parts.checkpointBytes()) {
            checkpoint();
        }
    }

    private GenerationAck end(ChunkRecord.End e, Runnable onDurable) {
        StagedGeneration current = stagingFor(e);
        if (current == null) {
            onDurable.run();
            return answerAgain(e);
        }
        ChunkRecord.Begin b = current.begin();
        if (!current.failed() && e.seq() != current.nextSeq()) {
            current.fail(Causes.RECORDS_MISSING.wire(), "END is record " + e.seq() + " but only " + current.nextSeq()
                    + " records arrived in order");
        }
        String mismatch = current.failed() ? null : current.mismatch(e);
        if (mismatch != null) {
            current.fail(Causes.MANIFEST_MISMATCH.wire(), mismatch);
        }
        if (current.failed()) {
            GenerationAck ack = reject(current);
            durable(onDurable);
            return ack;
        }
        current.seal();
        staged = null;
        FaultPoints.reach(FaultPoints.Step.TARGET_AFTER_STAGING);
        parts.catalog().beginCommit(b, e, current.receivedAtMillis());
        FaultPoints.reach(FaultPoints.Step.TARGET_AFTER_CATALOG_ROW);
        durable(onDurable);
        RecoveryPoint point = parts.catalog().points(volumeId).stream()
                .filter(p -> p.generation() == b.generation()).findFirst().orElseThrow();
        return finishOrHold(point);
    }

    /** END of a generation no longer staged: answer again what the catalog says of it (a redelivery). */
    private GenerationAck answerAgain(ChunkRecord.End e) {
        Optional<RecoveryPoint> point = parts.catalog().points(volumeId).stream()
                .filter(p -> p.generation() == e.generation()).findFirst();
        if (point.isEmpty()) {
            return null;
        }
        if (!point.get().committed()) {
            return finishOrHold(point.get());
        }
        GenerationAck ack = committedAck(point.get());
        parts.catalog().queueAckNow(volumeId, ack.generation(), parts.acks().toJson(ack));
        parts.acks().wake();
        return ack;
    }

    private GenerationAck finishOrHold(RecoveryPoint point) {
        try {
            GenerationAck ack = finish(point);
            stuck = null;
            return ack;
        } catch (RuntimeException | IOException ex) {
            stuck = "recovery point " + point.generation() + " could not be applied to the replica ("
                    + ex.getMessage() + ")";
            LOG.error("Volume {}: {}; it stays recorded and is tried again, other volumes go on", volumeId, stuck);
            parts.events().publish(Event.of(EventTypes.REPLICA_APPLY_FAILED, volumeId, TARGET_UNAVAILABLE,
                    Event.ERROR, "volume " + volumeId + ": " + stuck + ". Free space or fix the disk of "
                            + parts.repository().root() + "; Blockferry tries again, and no ack is sent until it "
                            + "succeeds", Map.of("generation", point.generation())));
            return null;
        }
    }

    /**
     * Completes a point recorded as APPLYING (steps 3 to 5 of the class comment). Each step can be
     * repeated, so this serves the commit itself, the next start, and retries after a failure.
     */
    GenerationAck finish(RecoveryPoint point) throws IOException {
        long generation = point.generation();
        Repository repo = parts.repository();
        repo.ensureDirectories(volumeId);
        moveIntoPlace(repo.stagingManifest(volumeId, generation), repo.pointManifest(volumeId, generation));
        moveIntoPlace(repo.stagingDiff(volumeId, generation), repo.pointDiff(volumeId, generation));
        Repository.syncDirectory(repo.pointDiff(volumeId, generation).getParent());
        FaultPoints.reach(FaultPoints.Step.TARGET_AFTER_RENAME);
        ReplicaState replica = applyToReplica(point, parts.catalog().replica(volumeId));
        FaultPoints.reach(FaultPoints.Step.TARGET_AFTER_REPLICA_APPLY);
        GenerationAck ack = committedAck(point);
        parts.catalog().finishCommit(volumeId, generation, replica, parts.acks().toJson(ack));
        FaultPoints.reach(FaultPoints.Step.TARGET_AFTER_COMMIT);
        parts.acks().wake();
        if (replica.valid() && replica.generation() == generation) {
            parts.sums().committed(volumeId, point, baseGeneration(point), parts.replicas().of(volumeId));
        }
        LOG.info("Volume {} generation {} committed: {} data records ({} bytes), {} zero records; replica {}",
                volumeId, generation, point.dataChunks(), point.dataBytes(), point.zeroChunks(),
                replica.valid() && replica.generation() == generation ? "updated" : "not updated (" + replica.detail()
                        + ")");
        parts.committed().accept(volumeId);
        if (stuck != null && replica.valid() && replica.generation() == generation) {
            // an older point that could not be applied is moot now that the replica holds a newer one
            stuck = null;
            parts.catalog().points(volumeId).stream().filter(p -> !p.committed() && p.generation() < generation)
                    .forEach(this::finishOrHold);
        }
        return ack;
    }

    /** Brings the replica to the point when that is correct, and says what it holds afterwards. */
    private ReplicaState applyToReplica(RecoveryPoint point, ReplicaState replica) throws IOException {
        long generation = point.generation();
        Repository repo = parts.repository();
        Replica target = parts.replicas().of(volumeId);
        if (SyncMode.FULL.name().equals(point.mode())) {
            if (target.hasBuild(generation)) {
                target.install(generation);
            } else if (replica.generation() != generation && replica.applying() != generation) {
                return new ReplicaState(volumeId, replica.generation(), 0, false, "the new replica of full point "
                        + generation + " was lost before it was installed");
            }
            return new ReplicaState(volumeId, generation, 0, true, null);
        }
        if (replica.generation() >= generation && replica.valid()) {
            return new ReplicaState(volumeId, replica.generation(), 0, true, null);
        }
        boolean onItsBase = replica.valid() && replica.generation() == baseGeneration(point);
        if (!onItsBase && replica.applying() != generation) {
            return new ReplicaState(volumeId, replica.generation(), 0, false, "the replica does not hold the base of "
                    + "point " + generation + (replica.valid() ? " (it holds " + replica.generation() + ")" : ""));
        }
        target.apply(generation, repo.pointDiff(volumeId, generation));
        return new ReplicaState(volumeId, generation, 0, true, null);
    }

    /** The point an incremental builds on: the one before it whose snapshot is its base, or -1. */
    private long baseGeneration(RecoveryPoint point) {
        return parts.catalog().points(volumeId).stream()
                .filter(p -> p.generation() < point.generation() && p.snapshot().equals(point.baseSnapshot()))
                .mapToLong(RecoveryPoint::generation).max().orElse(-1);
    }

    private static void moveIntoPlace(Path staged, Path point) {
        try {
            if (Files.exists(staged)) {
                Files.move(staged, point, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot move " + staged + " into place", e);
        }
    }

    private GenerationAck reject(StagedGeneration current) {
        ChunkRecord.Begin b = current.begin();
        current.discard();
        staged = null;
        LOG.error("Volume {} generation {} rejected ({}): {}. The last recovery point is unchanged.", volumeId,
                b.generation(), current.failureCause(), current.failureReason());
        GenerationAck ack = GenerationAck.rejected(volumeId, b.generation(), b.snapshot(), b.mode().name(),
                current.failureCause(), current.failureReason(),
                parts.catalog().latest(volumeId).map(RecoveryPoint::generation).orElse(0L)).toSource(b.sourceSite());
        parts.catalog().reject(volumeId, b.generation(), parts.acks().toJson(ack));
        parts.acks().wake();
        parts.events().publish(Event.of(EventTypes.RESYNC_REQUESTED, volumeId, current.failureCause(), Event.WARN,
                "generation " + b.generation() + " was rejected: " + current.failureReason(),
                Map.of("generation", b.generation())));
        return ack;
    }

    /** A rejection decided at BEGIN: no staging was made, so only the answer is queued (and a resync asked for). */
    private GenerationAck queueRejection(ChunkRecord.Begin b, GenerationAck unaddressed) {
        GenerationAck ack = unaddressed.toSource(b.sourceSite());
        parts.catalog().queueAckNow(volumeId, ack.generation(), parts.acks().toJson(ack));
        parts.acks().wake();
        parts.events().publish(Event.of(EventTypes.RESYNC_REQUESTED, volumeId, ack.cause(), Event.WARN,
                "generation " + ack.generation() + " was rejected: " + ack.reason(),
                Map.of("generation", ack.generation())));
        return ack;
    }

    private static GenerationAck committedAck(RecoveryPoint p) {
        return GenerationAck.committed(p.volumeId(), p.generation(), p.snapshot(), p.mode(), p.dataBytes())
                .toSource(p.sourceSite());
    }

    /** Tries again to finish a point that could not be applied; true when nothing is left unfinished. */
    synchronized boolean finishUnfinished() {
        if (stuck == null) {
            return true;
        }
        Optional<RecoveryPoint> applying = parts.catalog().points(volumeId).stream().filter(p -> !p.committed())
                .findFirst();
        if (applying.isEmpty()) {
            stuck = null;
            return true;
        }
        finishOrHold(applying.get());
        return stuck == null;
    }

    boolean stuck() {
        return stuck != null;
    }

    private StagedGeneration stagingFor(ChunkRecord record) {
        return staged != null && staged.begin().generation() == record.generation() ? staged : null;
    }

    private static String verify(StagedGeneration staged, ChunkRecord record) {
        ChunkRecord.Begin b = staged.begin();
        long offset;
        long length;
        if (record instanceof ChunkRecord.Data d) {
            int actual = ChunkCodec.crc32c(d.payload());
            if (actual != d.crc32c()) {
                return String.format("chunk %d at offset %d failed its CRC32C check (carried %08x, computed %08x)",
                        d.seq(), d.offset(), d.crc32c(), actual);
            }
            offset = d.offset();
            length = d.length();
        } else {
            ChunkRecord.Zero z = (ChunkRecord.Zero) record;
            offset = z.offset();
            length = z.length();
        }
        // no overflow: the codec bounds offset and length by the largest disk, and length > 0
        if (offset < 0 || length <= 0 || offset > b.imageSize() || length > b.imageSize() - offset) {
            return "chunk " + record.seq() + " covers [" + offset + ", +" + length + ") outside the image of "
                    + b.imageSize() + " bytes";
        }
        if (offset < staged.nextOffset()) {
            return "chunk " + record.seq() + " at offset " + offset + " starts before the end of the previous one ("
                    + staged.nextOffset() + "): a generation's records must come in offset order";
        }
        return null;
    }

    /** Makes everything staged durable and records how far the staging got; then its records' offsets may pass. */
    synchronized void checkpoint() {
        if (staged != null) {
            staged.force();
            parts.catalog().saveStaging(staged.row());
            parts.catalog().sync();
        }
        bytesSinceCheckpoint = 0;
        checkpointedAtNanos = System.nanoTime();
        List<Runnable> done = List.copyOf(undurable);
        undurable.clear();
        done.forEach(Runnable::run);
    }

    /**
     * Whether records wait for a checkpoint and the last one is older than {@code nanos}. Lock-free:
     * the consumer asks while this volume may be busy committing.
     */
    boolean idleSince(long nanos) {
        return waitingForCheckpoint && System.nanoTime() - checkpointedAtNanos >= nanos;
    }

    /** The records before {@code last} and {@code last} itself are durable now (a commit's catalog step). */
    private void durable(Runnable last) {
        List<Runnable> done = List.copyOf(undurable);
        undurable.clear();
        waitingForCheckpoint = false;
        done.forEach(Runnable::run);
        last.run();
    }

    /** Remembers a record whose effect becomes durable at the next checkpoint or commit. */
    private void waitFor(Runnable onDurable) {
        undurable.add(onDurable);
        waitingForCheckpoint = true;
    }

    /** Reopens a staging at its last checkpoint after a restart. */
    synchronized void resume(StagingRow row) {
        staged = StagedGeneration.resume(parts.repository(), parts.replicas().of(volumeId), row);
        LOG.info("Volume {} generation {}: resuming a staged generation at record {}", volumeId,
                row.begin().generation(), row.nextSeq());
    }

    private void discardStaging() {
        staged.discard();
        staged = null;
        parts.catalog().deleteStaging(volumeId);
    }

    /**
     * Lets the volume go to another writer of a shared repository: the staging stays as its last
     * checkpoint left it (the catalog row names it) for the next writer to resume; what was received
     * after it is received again (its offsets were not committed).
     */
    synchronized void forget() {
        if (staged != null) {
            staged.close();
            staged = null;
        }
        stuck = null;
        undurable.clear();
        waitingForCheckpoint = false;
        bytesSinceCheckpoint = 0;
    }

    /** Marks the volume as unable to finish a point (found at start). */
    synchronized void holdBack(String why) {
        stuck = why;
    }
}
