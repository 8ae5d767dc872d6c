package io.blockferry.target;

import io.blockferry.events.Event;
import io.blockferry.events.EventSink;
import io.blockferry.events.EventTypes;
import io.blockferry.transport.ChunkCodec;
import io.blockferry.transport.ChunkRecord;
import io.blockferry.transport.GenerationAck;
import io.blockferry.transport.MalformedRecordException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies chunk records to the local repository: one {@link VolumeWriter} per volume, each taking
 * its own volume's records in order, so volumes are written concurrently by whoever calls (the
 * chunk consumer's writer threads) and one slow or failing volume never holds another back. A
 * generation becomes a recovery point only when END arrives, every record is present and
 * verified, and the point is durable; see {@link VolumeWriter} for the commit's steps.
 */
public final class ChunkWriter {

    private static final Logger LOG = LoggerFactory.getLogger(ChunkWriter.class);

    private final WriterParts parts;
    private final Map<String, VolumeWriter> volumes = new ConcurrentHashMap<>();
    /** With a shared repository: the volumes this writer holds now, changed under their writer's lock. */
    private final java.util.Set<String> held = ConcurrentHashMap.newKeySet();
    private volatile VolumeClaims claims = VolumeClaims.WHOLE_REPOSITORY;
    private final LongAdder records = new LongAdder();

    /**
     * @param acks      publishes the answers commits queue
     * @param committed told of each volume that committed a point (retention)
     */
    public ChunkWriter(Repository repository, RecoveryPointCatalog catalog, Replicas replicas, long checkpointBytes,
                       EventSink events, AckOutbox acks, Consumer<String> committed) {
        this(repository, catalog, replicas, checkpointBytes, events, acks, committed, PointSums.NONE);
    }

    /** @param sums keeps and publishes the chunk sums of each volume's newest point (checksum resyncs) */
    public ChunkWriter(Repository repository, RecoveryPointCatalog catalog, Replicas replicas, long checkpointBytes,
                       EventSink events, AckOutbox acks, Consumer<String> committed, PointSums sums) {
        this.parts = new WriterParts(repository, catalog, replicas, events, acks, committed, checkpointBytes, sums);
    }

    /**
     * A writer with file replicas whose answers are queued in the catalog but not published (tests of
     * the writer alone).
     */
    public ChunkWriter(Repository repository, RecoveryPointCatalog catalog, long checkpointBytes, EventSink events) {
        this(repository, catalog, volumeId -> new io.blockferry.target.file.FileReplica(repository, volumeId),
                checkpointBytes, events, new AckOutbox(catalog, ack -> { }), volumeId -> { });
    }

    /**
     * Applies one encoded record on the calling thread (tests and tools; the consumer calls
     * {@link #apply(ChunkRecord, Runnable)}).
     *
     * @throws MalformedRecordException when the record is not a Blockferry chunk record
     * @throws CorruptChunkException when a chunk fails its checks; its generation will be rejected
     */
    public WriteOutcome apply(byte[] frame) {
        AtomicBoolean durable = new AtomicBoolean();
        GenerationAck ack = apply(ChunkCodec.decode(frame), () -> durable.set(true));
        return new WriteOutcome(ack, durable.get());
    }

    /**
     * Applies one record of its volume. Calls for one volume must come in the order of its records
     * (the consumer runs each volume on one lane); calls for different volumes may run at once.
     *
     * @param onDurable run once what the record did is durable, so its offset may be committed
     * @return the answer the record decided (at END), or null
     */
    public GenerationAck apply(ChunkRecord record, Runnable onDurable) {
        try {
            parts.repository().volumeDir(record.volumeId());
        } catch (IllegalArgumentException e) {
            record.release();
            throw new MalformedRecordException("chunk record for " + e.getMessage() + ": it is not applied",
                        io.blockferry.events.Causes.VOLUME_ID_INVALID);
        }
        records.increment();
        VolumeWriter w = writer(record.volumeId());
        synchronized (w) {
            if (!claimed(w, record.volumeId())) {
                record.release();
                throw new NotHeldException(record.volumeId());
            }
            return w.apply(record, onDurable);
        }
    }

    /** Writers sharing the repository: this one writes only the volumes {@code claims} gives it. */
    public void shareWith(VolumeClaims claims) {
        this.claims = claims;
    }

    /**
     * Takes the volume for this writer (waiting for a writer that had it to let go) and continues
     * from the catalog: a commit the other left half done is finished, its staging reopened at its
     * last checkpoint. Called holding the volume's writer. False when the volume moved on meanwhile.
     */
    private boolean claimed(VolumeWriter w, String volumeId) {
        if (!claims.shared() || held.contains(volumeId)) {
            return true;
        }
        if (!claims.claim(volumeId)) {
            return false;
        }
        held.add(volumeId);
        RecoveryPointCatalog catalog = parts.catalog();
        finishApplying(catalog.points(volumeId).stream().filter(p -> !p.committed()).toList());
        new RepositoryCheck(parts.repository(), catalog, parts.replicas()).verify(volumeId, parts.events());
        reopen(catalog.stagings().stream().filter(r -> r.begin().volumeId().equals(volumeId)).toList());
        parts.acks().wake();
        return true;
    }

    /**
     * Takes a volume before its next record comes (its partition was given to this writer), so a
     * commit another writer left half done is finished and its answer sent even if the source waits
     * for it. Runs on the volume's lane.
     */
    public void adopt(String volumeId) {
        VolumeWriter w = writer(volumeId);
        synchronized (w) {
            claimed(w, volumeId);
        }
    }

    /**
     * Lets a volume go to another writer of the shared repository: waits for the record being
     * written, forgets what is in memory and releases the volume's lock.
     */
    public void release(String volumeId) {
        VolumeWriter w = volumes.get(volumeId);
        if (w == null) {
            return;
        }
        synchronized (w) {
            if (held.remove(volumeId)) {
                w.forget();
                claims.release(volumeId);
            }
        }
    }

    /** Every volume the catalog knows: with committed points, a commit being applied, or a staging. */
    public java.util.Set<String> catalogVolumes() {
        RecoveryPointCatalog catalog = parts.catalog();
        java.util.Set<String> all = new java.util.TreeSet<>(catalog.volumes());
        catalog.applying().forEach(p -> all.add(p.volumeId()));
        catalog.stagings().forEach(r -> all.add(r.begin().volumeId()));
        return all;
    }

    /** The volumes this writer holds of a shared repository (every one it wrote, with one of its own). */
    public List<String> heldVolumes() {
        return claims.shared() ? List.copyOf(held) : List.copyOf(volumes.keySet());
    }

    /**
     * Whether this writer may touch the volume's files now. Scrub and retention ask holding
     * {@link #lockOf}, under which the answer cannot change.
     */
    public boolean holds(String volumeId) {
        return !claims.shared() || held.contains(volumeId);
    }

    /** Why records of this volume id can never be applied (it cannot name a directory of the repository), or null. */
    public String refuses(String volumeId) {
        try {
            parts.repository().volumeDir(volumeId);
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    private VolumeWriter writer(String volumeId) {
        return volumes.computeIfAbsent(volumeId, id -> new VolumeWriter(id, parts));
    }

    /** Held while a volume's replica or points are read or changed outside the writer (scrub, retention). */
    public Object lockOf(String volumeId) {
        return writer(volumeId);
    }

    /** Records applied since start (what tests wait on). */
    public long recordsApplied() {
        return records.sum();
    }

    /** Volumes whose staged records have waited longer than {@code nanos} for a checkpoint. */
    public List<String> idleVolumes(long nanos) {
        return volumes.entrySet().stream().filter(e -> e.getValue().idleSince(nanos)).map(Map.Entry::getKey).toList();
    }

    /** Makes a volume's staged records durable now (their offsets may then be committed). */
    public void checkpoint(String volumeId) {
        VolumeWriter w = writer(volumeId);
        synchronized (w) {
            if (holds(volumeId)) {
                w.checkpoint();
            }
        }
    }

    /** Volumes with a committed point the replica could not take yet. */
    public List<String> heldBack() {
        return volumes.entrySet().stream().filter(e -> e.getValue().stuck()).map(Map.Entry::getKey).toList();
    }

    /** Tries again to finish what a volume could not apply. */
    public void retry(String volumeId) {
        VolumeWriter w = writer(volumeId);
        synchronized (w) {
            if (holds(volumeId)) {
                w.finishUnfinished();
            }
        }
    }

    /**
     * Runs at start, before any record: finishes commits a stop interrupted (each volume on its own:
     * one that cannot be finished is held back with an event, the others go on), checks that the
     * files the catalog lists are there, and reopens stagings at their last checkpoint. Answers
     * decided before the stop and not yet published are in the outbox, which sends them.
     */
    public void recover() {
        if (claims.shared()) {
            // writers sharing the repository recover each volume when they take it (claimed)
            parts.acks().wake();
            return;
        }
        RecoveryPointCatalog catalog = parts.catalog();
        finishApplying(catalog.applying());
        new RepositoryCheck(parts.repository(), catalog, parts.replicas()).verifyAll(parts.events());
        reopen(catalog.stagings());
        // answers committed before the stop but not yet published are still queued: the outbox sends them
        parts.acks().wake();
    }

    /** Finishes commits a stop interrupted, each volume on its own: one that cannot is held back with an event. */
    private void finishApplying(List<RecoveryPoint> applying) {
        for (RecoveryPoint point : applying) {
            LOG.warn("Volume {} generation {}: finishing an interrupted commit", point.volumeId(), point.generation());
            try {
                writer(point.volumeId()).finish(point);
            } catch (Exception e) {
                String why = "recovery point " + point.generation() + " could not be finished at start ("
                        + e.getMessage() + ")";
                writer(point.volumeId()).holdBack(why);
                parts.events().publish(Event.of(EventTypes.REPLICA_APPLY_FAILED, point.volumeId(),
                        VolumeWriter.TARGET_UNAVAILABLE, Event.ERROR, "volume " + point.volumeId() + ": " + why
                                + "; its other points and every other volume are served, and it is tried again",
                        Map.of("generation", point.generation())));
            }
        }
    }

    /** Reopens stagings at their last checkpoint; one whose files cannot continue is dropped (its generation is sent again). */
    private void reopen(List<StagingRow> stagings) {
        for (StagingRow row : stagings) {
            if (StagedGeneration.resumable(parts.repository(), parts.replicas().of(row.begin().volumeId()), row)) {
                writer(row.begin().volumeId()).resume(row);
            } else {
                parts.catalog().deleteStaging(row.begin().volumeId());
            }
        }
    }

    public Repository repository() {
        return parts.repository();
    }

    public RecoveryPointCatalog catalog() {
        return parts.catalog();
    }

    /** A volume's replica. */
    public Replica replica(String volumeId) {
        return parts.replicas().of(volumeId);
    }
}
