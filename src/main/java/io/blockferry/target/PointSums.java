package io.blockferry.target;

import io.blockferry.source.BlockReader;
import io.blockferry.transport.ChunkSumsRecord;
import io.blockferry.transport.SyncMode;
import java.util.HexFormat;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the chunk sums of each volume's newest point ({@link ChunkSums}) and publishes what changed
 * of them on the chunk-sums topic, for the source's checksum resync. The sums are a cache of the
 * replica, not part of a point: a failure here is logged and costs only that a chain break of the
 * volume resyncs in full; the commit and its ack stand.
 */
public final class PointSums {

    /** Keeps no sums (writers without a Kafka, in tests of the writer alone). */
    public static final PointSums NONE = new PointSums(null, null);

    private static final Logger LOG = LoggerFactory.getLogger(PointSums.class);

    private final Repository repository;
    private final Consumer<ChunkSumsRecord> sender;

    /** @param sender publishes one record and returns once Kafka has it, or throws */
    public PointSums(Repository repository, Consumer<ChunkSumsRecord> sender) {
        this.repository = repository;
        this.sender = sender;
    }

    /** The replica holds {@code point} now: updates its sums and publishes the segments that changed, then the head. */
    void committed(String volumeId, RecoveryPoint point, long baseGeneration, Replica replica) {
        if (sender == null) {
            return;
        }
        try {
            ChunkSums.Update update;
            try (BlockReader reader = replica.reader()) {
                update = ChunkSums.update(repository.chunkSums(volumeId), point.generation(), point.imageSize(),
                        SyncMode.FULL.name().equals(point.mode()), baseGeneration,
                        repository.pointManifest(volumeId, point.generation()), reader);
            }
            publish(volumeId, point, update);
        } catch (RuntimeException e) {
            LOG.warn("Volume {} generation {}: the chunk sums could not be updated or published ({}); a chain break "
                    + "of this volume resyncs in full until the next commit", volumeId, point.generation(),
                    e.getMessage());
        }
    }

    private void publish(String volumeId, RecoveryPoint point, ChunkSums.Update update) {
        ChunkSums.Header h = update.header();
        int segments = ChunkSumsRecord.segments(h.chunks());
        java.nio.file.Path file = repository.chunkSums(volumeId);
        for (int s = update.changedSegments().nextSetBit(0); s >= 0 && s < segments;
             s = update.changedSegments().nextSetBit(s + 1)) {
            sender.accept(ChunkSumsRecord.segment(volumeId, point.sourceSite(), point.generation(), point.snapshot(),
                    h.chunkSize(), h.imageSize(), s, ChunkSums.segment(file, h, s)));
        }
        sender.accept(ChunkSumsRecord.head(volumeId, point.sourceSite(), point.generation(), point.snapshot(),
                h.chunkSize(), h.imageSize(), segments, HexFormat.of().formatHex(update.digest())));
    }
}
