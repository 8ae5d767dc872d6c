package io.blockferry.source;

import io.blockferry.store.Database;
import java.util.List;
import java.util.Optional;

/**
 * Chain-break hints from outside the image: the OpenStack inventory saw a volume extended,
 * retyped or migrated, or its server moved host. The next generation of the volume is then full,
 * with the hint's cause. A hint stays until a full generation opened after it is acked, so a
 * hint noted while an older generation is in flight (whose ack would clear a plain flag) or a
 * full resync that fails is not lost.
 */
public final class ChainHints {

    public static final List<String> SCHEMA = List.of("""
            CREATE TABLE IF NOT EXISTS chain_hint (
              volume_id VARCHAR(512) PRIMARY KEY,
              cause VARCHAR(64) NOT NULL,
              detail VARCHAR(2000),
              noted_at BIGINT NOT NULL,
              consumed_generation BIGINT NOT NULL DEFAULT 0)""");

    /** A hint: the chain-break cause and what was seen, for the event. */
    public record Hint(String volumeId, String cause, String detail, long notedAtMillis, long consumedGeneration) {
    }

    private final Database db;

    public ChainHints(Database db) {
        this.db = db;
    }

    /** Notes a hint; a newer one replaces an older one and must be consumed again. */
    public void note(String volumeId, String cause, String detail) {
        db.update("MERGE INTO chain_hint (volume_id, cause, detail, noted_at, consumed_generation) KEY (volume_id) "
                + "VALUES (?, ?, ?, ?, 0)", volumeId, cause, detail, System.currentTimeMillis());
    }

    public Optional<Hint> find(String volumeId) {
        return db.queryOne("SELECT * FROM chain_hint WHERE volume_id = ?", rs -> new Hint(rs.getString("volume_id"),
                rs.getString("cause"), rs.getString("detail"), rs.getLong("noted_at"),
                rs.getLong("consumed_generation")), volumeId);
    }

    public List<Hint> all() {
        return db.query("SELECT * FROM chain_hint ORDER BY volume_id", rs -> new Hint(rs.getString("volume_id"),
                rs.getString("cause"), rs.getString("detail"), rs.getLong("noted_at"),
                rs.getLong("consumed_generation")));
    }

    /** A full generation was opened after the hint: once it is acked, the hint is done. */
    void consumedBy(String volumeId, long generation) {
        db.update("UPDATE chain_hint SET consumed_generation = ? WHERE volume_id = ?", generation, volumeId);
    }

    /** The target acked a generation: hints consumed by it (or earlier) are done. */
    void acked(String volumeId, long generation) {
        db.update("DELETE FROM chain_hint WHERE volume_id = ? AND consumed_generation > 0 AND consumed_generation <= ?",
                volumeId, generation);
    }
}
