package io.blockferry.source;

import io.blockferry.store.Database;
import io.blockferry.transport.ChunkSumsRecord;
import io.blockferry.transport.Sha256;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the target holds of each volume of this site, as chunk sums (the target publishes them after
 * each commit on the chunk-sums topic): kept in the source state store, so a chain break can be
 * resynced by checksum without asking the target anything. Before a resync uses them, the segments
 * are put together and their digest checked against the head's: sums that do not add up to one
 * point (a segment lost, another point's head) are never used, and the resync is a full one.
 */
public final class TargetChunkSums {

    public static final List<String> SCHEMA = List.of("""
            CREATE TABLE IF NOT EXISTS target_sums_head (
              volume_id VARCHAR(512) PRIMARY KEY,
              generation BIGINT NOT NULL,
              snapshot VARCHAR(256) NOT NULL,
              chunk_size INT NOT NULL,
              image_size BIGINT NOT NULL,
              segments INT NOT NULL,
              digest VARCHAR(64) NOT NULL,
              updated_at BIGINT NOT NULL)""", """
            CREATE TABLE IF NOT EXISTS target_sums_segment (
              volume_id VARCHAR(512) NOT NULL,
              segment INT NOT NULL,
              generation BIGINT NOT NULL,
              sums VARBINARY(262144) NOT NULL,
              PRIMARY KEY (volume_id, segment))""");

    private static final Logger LOG = LoggerFactory.getLogger(TargetChunkSums.class);
    private static final String SPILL_PREFIX = "target-sums-";

    /** A target point the volume can be resynced on, or why not. */
    public record Lookup(long generation, String snapshot, int chunkSize, String whyNot) {
        public boolean usable() {
            return whyNot == null;
        }
    }

    private final Database db;
    private final SourceSite site;
    private final Path spillDir;

    public TargetChunkSums(Database db, SourceSite site, Path spillDir) {
        this.db = db;
        this.site = site;
        this.spillDir = spillDir;
        removeLeftovers();
    }

    /** Stores one record of the chunk-sums topic; one of another site, unusable or older than what is held is left. */
    public void receive(ChunkSumsRecord record) {
        String problem = record.problem();
        if (problem != null) {
            LOG.warn("Ignoring a chunk-sums record: {}", problem);
            return;
        }
        String from = record.sourceSite() == null ? "" : record.sourceSite();
        if (!from.isEmpty() && !from.equals(site.name())) {
            return;
        }
        long now = System.currentTimeMillis();
        if (record.kind() == ChunkSumsRecord.Kind.HEAD) {
            db.inTransaction(() -> {
                db.update("DELETE FROM target_sums_head WHERE volume_id = ? AND generation <= ?", record.volumeId(),
                        record.generation());
                db.update("INSERT INTO target_sums_head (volume_id, generation, snapshot, chunk_size, image_size, "
                        + "segments, digest, updated_at) SELECT ?, ?, ?, ?, ?, ?, ?, ? WHERE NOT EXISTS "
                        + "(SELECT 1 FROM target_sums_head WHERE volume_id = ?)", record.volumeId(), record.generation(),
                        record.snapshot(), record.chunkSize(), record.imageSize(), record.segments(), record.digest(),
                        now, record.volumeId());
            });
        } else {
            db.inTransaction(() -> {
                db.update("DELETE FROM target_sums_segment WHERE volume_id = ? AND segment = ? AND generation <= ?",
                        record.volumeId(), record.segment(), record.generation());
                db.update("INSERT INTO target_sums_segment (volume_id, segment, generation, sums) SELECT ?, ?, ?, ? "
                        + "WHERE NOT EXISTS (SELECT 1 FROM target_sums_segment WHERE volume_id = ? AND segment = ?)",
                        record.volumeId(), record.segment(), record.generation(), record.sumBytes(), record.volumeId(),
                        record.segment());
            });
        }
    }

    /**
     * Whether the volume, now {@code imageSize} bytes, can be resynced by checksum on the target's
     * newest point, with chunks of at most {@code maxChunkSize} (the read buffers).
     */
    public Lookup find(String volumeId, long imageSize, int maxChunkSize) {
        Optional<Lookup> head = db.queryOne("SELECT generation, snapshot, chunk_size, image_size FROM target_sums_head "
                        + "WHERE volume_id = ?", rs -> {
                    String why = null;
                    if (rs.getLong("image_size") != imageSize) {
                        why = "the target's newest point is " + rs.getLong("image_size") + " bytes, the volume "
                                + imageSize;
                    } else if (rs.getInt("chunk_size") > maxChunkSize) {
                        why = "the target's chunk sums are of " + rs.getInt("chunk_size")
                                + "-byte chunks, larger than the read buffers (blockferry.source.chunk-size)";
                    }
                    return new Lookup(rs.getLong("generation"), rs.getString("snapshot"), rs.getInt("chunk_size"), why);
                }, volumeId);
        return head.orElse(new Lookup(0, null, 0, "the target has published no chunk sums of this volume (it keeps "
                + "no replica of it, or is older than checksum resyncs)"));
    }

    /**
     * Puts the sums of the target's newest point together in a file and checks their digest.
     *
     * @throws IllegalStateException when they do not add up to the head's point (say why)
     */
    public ChecksumBasis open(String volumeId) {
        record Head(long generation, String snapshot, int chunkSize, long imageSize, int segments, String digest) {
        }
        Head head = db.queryOne("SELECT * FROM target_sums_head WHERE volume_id = ?", rs -> new Head(
                rs.getLong("generation"), rs.getString("snapshot"), rs.getInt("chunk_size"), rs.getLong("image_size"),
                rs.getInt("segments"), rs.getString("digest")), volumeId)
                .orElseThrow(() -> new IllegalStateException("no chunk sums of " + volumeId));
        Path file;
        try {
            Files.createDirectories(spillDir);
            file = Files.createTempFile(spillDir, SPILL_PREFIX, ".sums");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make a file for the chunk sums in " + spillDir, e);
        }
        MessageDigest all = Sha256.create();
        try (OutputStream out = Files.newOutputStream(file)) {
            long expectedChunks = ChunkSumsRecord.chunks(head.imageSize(), head.chunkSize());
            long chunks = 0;
            for (int s = 0; s < head.segments(); s++) {
                int segment = s;
                byte[] sums = db.queryOne("SELECT sums FROM target_sums_segment WHERE volume_id = ? AND segment = ? "
                        + "AND generation <= ?", rs -> rs.getBytes("sums"), volumeId, segment, head.generation())
                        .orElseThrow(() -> new IllegalStateException("segment " + segment + " of the target's chunk "
                                + "sums of " + volumeId + " never arrived"));
                all.update(sums);
                out.write(sums);
                chunks += sums.length / ChunkSumsRecord.SUM_BYTES;
            }
            String digest = HexFormat.of().formatHex(all.digest());
            if (chunks != expectedChunks || !digest.equals(head.digest())) {
                throw new IllegalStateException("the target's chunk sums of " + volumeId + " do not add up to its "
                        + "point " + head.generation() + " (a segment is missing or of another point)");
            }
        } catch (IOException e) {
            delete(file);
            throw new UncheckedIOException("writing the chunk sums of " + volumeId + " to " + file + " failed", e);
        } catch (RuntimeException e) {
            delete(file);
            throw e;
        }
        return new ChecksumBasis(head.generation(), head.snapshot(), head.chunkSize(), file);
    }

    private void removeLeftovers() {
        if (!Files.isDirectory(spillDir)) {
            return;
        }
        try (Stream<Path> files = Files.list(spillDir)) {
            files.filter(f -> f.getFileName().toString().startsWith(SPILL_PREFIX)).forEach(TargetChunkSums::delete);
        } catch (IOException e) {
            LOG.debug("Cannot list {}: {}", spillDir, e.getMessage());
        }
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.debug("Cannot remove {}: {}", file, e.getMessage());
        }
    }
}
