package io.blockferry.ops;

import io.blockferry.store.Database;
import java.util.List;
import java.util.Optional;

/**
 * The RPO check's memory, in the source state store: since when each volume with an objective is
 * watched (its age while it has no point yet), and since when it is in breach. Kept across
 * restarts, so a breach is announced once, not again at every start.
 */
public final class RpoStore {

    public static final List<String> SCHEMA = List.of("""
            CREATE TABLE IF NOT EXISTS rpo_watch (
              volume_id VARCHAR(512) PRIMARY KEY,
              watched_since BIGINT NOT NULL,
              breached_since BIGINT NOT NULL DEFAULT 0)""");

    /** A watched volume: {@code breachedSinceMillis} is 0 while it is within its objective. */
    record Row(String volumeId, long watchedSinceMillis, long breachedSinceMillis) {
        boolean breached() {
            return breachedSinceMillis > 0;
        }
    }

    private final Database db;

    public RpoStore(Database db) {
        this.db = db;
    }

    /** The volume's row, made now (watched from {@code nowMillis}) if it had none. */
    Row watch(String volumeId, long nowMillis) {
        db.update("INSERT INTO rpo_watch (volume_id, watched_since) SELECT ?, ? WHERE NOT EXISTS "
                + "(SELECT 1 FROM rpo_watch WHERE volume_id = ?)", volumeId, nowMillis, volumeId);
        return find(volumeId).orElseThrow();
    }

    Optional<Row> find(String volumeId) {
        return db.queryOne("SELECT * FROM rpo_watch WHERE volume_id = ?",
                rs -> new Row(rs.getString("volume_id"), rs.getLong("watched_since"), rs.getLong("breached_since")),
                volumeId);
    }

    List<String> volumes() {
        return db.query("SELECT volume_id FROM rpo_watch ORDER BY volume_id", rs -> rs.getString(1));
    }

    void breached(String volumeId, long sinceMillis) {
        db.update("UPDATE rpo_watch SET breached_since = ? WHERE volume_id = ?", sinceMillis, volumeId);
    }

    void restored(String volumeId) {
        db.update("UPDATE rpo_watch SET breached_since = 0 WHERE volume_id = ?", volumeId);
    }

    void forget(String volumeId) {
        db.update("DELETE FROM rpo_watch WHERE volume_id = ?", volumeId);
    }
}
