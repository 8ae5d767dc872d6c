package io.blockferry.target;

import io.blockferry.events.ChainBreak;
import io.blockferry.events.Event;
import io.blockferry.events.EventSink;
import io.blockferry.events.EventTypes;
import io.blockferry.transport.ChunkCodec;
import io.blockferry.transport.ChunkRecord;
import io.blockferry.transport.GenerationAck;
import io.blockferry.transport.SyncMode;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies chunk records to the local repository. Idempotent and at-least-once: a redelivered
 * record is recognised by its sequence number and ignored. A generation becomes a recovery point
 * only when END arrives, every record is present and verified, and the diff is durable.
 */
public final class ChunkWriter {

    private static final Logger LOG = LoggerFactory.getLogger(ChunkWriter.class);

    private final Repository repository;
    private final RecoveryPointCatalog catalog;
    private final ReplicaApplier applier = new ReplicaApplier();
    private final long checkpointBytes;
    private final Map<String, StagedGeneration> stagings = new HashMap<>();
    private final EventSink events;
    private long bytesSinceCheckpoint;

    public ChunkWriter(Repository repository, RecoveryPointCatalog catalog, long checkpointBytes, EventSink events) {
        this.repository = repository;
        this.catalog = catalog;
        this.checkpointBytes = checkpointBytes;
        this.events = events;
        recover();
    }

    /**
     * Applies one record.
     *
     * @throws MalformedRecordException when the record is not a Blockferry chunk record
     * @throws CorruptChunkException when a chunk fails its checks; its generation will be rejected
     */
    public synchronized WriteOutcome apply(byte[] frame) {
        ChunkRecord record = ChunkCodec.decode(frame);
        if (record instanceof ChunkRecord.Begin b) {
            return begin(b);
        }
        if (record instanceof ChunkRecord.End e) {
            return end(e);
        }
        return chunk(record);
    }

    private WriteOutcome begin(ChunkRecord.Begin b) {
        Optional<RecoveryPoint> latest = catalog.latest(b.volumeId());
        if (latest.isPresent() && b.generation() <= latest.get().generation()) {
            LOG.debug("BEGIN of {} generation {} is already committed; ignoring the redelivery", b.volumeId(),
                    b.generation());
            return WriteOutcome.PENDING;
        }
        StagedGeneration current = stagings.get(b.volumeId());
        if (current != null && current.begin().generation() == b.generation()) {
            return WriteOutcome.PENDING;
        }
        if (current != null) {
            LOG.warn("Volume {}: generation {} never ended and is superseded by generation {}; discarding it",
                    b.volumeId(), current.begin().generation(), b.generation());
            discard(current);
        }
        StagedGeneration staged = StagedGeneration.create(repository, b);
        if (b.mode() == SyncMode.INCREMENTAL) {
            String have = latest.map(RecoveryPoint::snapshot).orElse(null);
            if (!b.baseSnapshot().equals(have)) {
                staged.fail(ChainBreak.TARGET_MISSING_BASE, "incremental generation " + b.generation() + " of " + b.volumeId()
                        + " builds on snapshot " + b.baseSnapshot() + ", but the target's latest recovery point is "
                        + (have == null ? "none" : have) + ": a full sync is needed");
            }
        }
        stagings.put(b.volumeId(), staged);
        catalog.saveStaging(staged.row());
        return WriteOutcome.PENDING;
    }

    private WriteOutcome chunk(ChunkRecord record) {
        StagedGeneration staged = stagingFor(record);
        if (staged == null || record.seq() < staged.nextSeq() || staged.failed()) {
            return WriteOutcome.PENDING;
        }
        if (record.seq() > staged.nextSeq()) {
            staged.fail("records-missing", "record " + staged.nextSeq() + " of generation " + record.generation()
                    + " never arrived (the next one was " + record.seq() + ")");
            return WriteOutcome.PENDING;
        }
        String problem = verify(staged, record);
        if (problem != null) {
            staged.fail(CorruptChunkException.CAUSE, problem);
            throw new CorruptChunkException("volume " + record.volumeId() + " generation " + record.generation() + ": "
                    + problem + "; the chunk is not applied and the generation will be rejected");
        }
        staged.append(record);
        if (record instanceof ChunkRecord.Data d) {
            bytesSinceCheckpoint += d.length();
        }
        if (bytesSinceCheckpoint >= checkpointBytes) {
            checkpoint();
            return WriteOutcome.DURABLE;
        }
        return WriteOutcome.PENDING;
    }

    private WriteOutcome end(ChunkRecord.End e) {
        StagedGeneration staged = stagingFor(e);
        if (staged == null) {
            return catalog.latest(e.volumeId())
                    .filter(p -> p.generation() == e.generation() && p.committed())
                    .map(p -> WriteOutcome.answered(GenerationAck.committed(p.volumeId(), p.generation(), p.snapshot(),
                            p.mode(), p.dataBytes())))
                    .orElse(WriteOutcome.PENDING);
        }
        ChunkRecord.Begin b = staged.begin();
        if (!staged.failed() && e.seq() != staged.nextSeq()) {
            staged.fail("records-missing", "END is record " + e.seq() + " but only " + staged.nextSeq()
                    + " records arrived in order");
        }
        String mismatch = staged.failed() ? null : staged.mismatch(e);
        if (mismatch != null) {
            staged.fail("manifest-mismatch", mismatch);
        }
        if (staged.failed()) {
            discard(staged);
            LOG.error("Volume {} generation {} rejected ({}): {}. The last recovery point is unchanged.",
                    b.volumeId(), b.generation(), staged.failureCause(), staged.failureReason());
            events.publish(Event.of(EventTypes.RESYNC_REQUESTED, b.volumeId(), staged.failureCause(), Event.WARN,
                    "generation " + b.generation() + " was rejected: " + staged.failureReason(),
                    Map.of("generation", b.generation())));
            return WriteOutcome.answered(GenerationAck.rejected(b.volumeId(), b.generation(), b.snapshot(),
                    b.mode().name(), staged.failureCause(), staged.failureReason()));
        }
        staged.seal(repository.pointDiff(b.volumeId(), b.generation()),
                repository.pointManifest(b.volumeId(), b.generation()));
        catalog.insertApplying(b, e);
        stagings.remove(b.volumeId());
        catalog.deleteStaging(b.volumeId());
        applyPoint(b.volumeId(), b.generation(), b.mode() == SyncMode.FULL);
        checkpoint();
        LOG.info("Volume {} generation {} committed: {} data chunks ({} bytes), {} zero chunks; replica {}",
                b.volumeId(), b.generation(), e.dataChunks(), e.dataBytes(), e.zeroChunks(),
                repository.replica(b.volumeId()));
        return WriteOutcome.answered(GenerationAck.committed(b.volumeId(), b.generation(), b.snapshot(),
                b.mode().name(), e.dataBytes()));
    }

    private StagedGeneration stagingFor(ChunkRecord record) {
        StagedGeneration staged = stagings.get(record.volumeId());
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
        if (offset < 0 || length <= 0 || offset + length > b.imageSize()) {
            return "chunk " + record.seq() + " covers [" + offset + ", " + (offset + length)
                    + ") outside the image of " + b.imageSize() + " bytes";
        }
        if (offset < staged.nextOffset()) {
            return "chunk " + record.seq() + " at offset " + offset + " starts before the end of the previous one ("
                    + staged.nextOffset() + "): a generation's records must come in offset order";
        }
        return null;
    }

    private void applyPoint(String volumeId, long generation, boolean full) {
        applier.apply(repository.pointDiff(volumeId, generation), repository.replica(volumeId), full);
        catalog.markCommitted(volumeId, generation);
    }

    /** Makes every staged record durable and records how far each staging got. */
    private void checkpoint() {
        for (StagedGeneration staged : stagings.values()) {
            staged.force();
            catalog.saveStaging(staged.row());
        }
        bytesSinceCheckpoint = 0;
    }

    private void discard(StagedGeneration staged) {
        staged.discard();
        stagings.remove(staged.begin().volumeId());
        catalog.deleteStaging(staged.begin().volumeId());
    }

    /** Finishes interrupted replica updates and reopens stagings at their last checkpoint. */
    private void recover() {
        for (RecoveryPoint point : catalog.applying()) {
            LOG.warn("Volume {} generation {}: finishing an interrupted update of the replica", point.volumeId(),
                    point.generation());
            applyPoint(point.volumeId(), point.generation(), "FULL".equals(point.mode()));
        }
        for (StagingRow row : catalog.stagings()) {
            ChunkRecord.Begin b = row.begin();
            if (!Files.exists(repository.stagingDiff(b.volumeId(), b.generation()))) {
                catalog.deleteStaging(b.volumeId());
                continue;
            }
            stagings.put(b.volumeId(), StagedGeneration.resume(repository, row));
            LOG.info("Volume {} generation {}: resuming a staged generation at record {}", b.volumeId(),
                    b.generation(), row.nextSeq());
        }
    }

    public Repository repository() {
        return repository;
    }

    public RecoveryPointCatalog catalog() {
        return catalog;
    }
}
