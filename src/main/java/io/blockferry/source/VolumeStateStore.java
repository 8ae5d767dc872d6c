package io.blockferry.source;

import io.blockferry.store.Database;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The source's durable per-volume state, in the source state store. */
public final class VolumeStateStore {

    public static final List<String> SCHEMA = List.of("""
            CREATE TABLE IF NOT EXISTS volume_state (
              volume_id VARCHAR(512) PRIMARY KEY,
              image_id VARCHAR(128),
              base_snapshot VARCHAR(256),
              base_generation BIGINT NOT NULL DEFAULT 0,
              base_size BIGINT NOT NULL DEFAULT 0,
              last_generation BIGINT NOT NULL DEFAULT 0,
              pending_snapshot VARCHAR(256),
              pending_generation BIGINT NOT NULL DEFAULT 0,
              pending_size BIGINT NOT NULL DEFAULT 0,
              pending_since BIGINT NOT NULL DEFAULT 0,
              full_resync_cause VARCHAR(64),
              last_error VARCHAR(4000),
              updated_at BIGINT NOT NULL DEFAULT 0)""",
            "ALTER TABLE volume_state ADD COLUMN IF NOT EXISTS base_acked_at BIGINT NOT NULL DEFAULT 0",
            "ALTER TABLE volume_state ADD COLUMN IF NOT EXISTS keep_snapshots INT NOT NULL DEFAULT 1",
            "ALTER TABLE volume_state ADD COLUMN IF NOT EXISTS policy VARCHAR(64)",
            // when every record of the pending generation, END included, was acknowledged by Kafka (0: not yet)
            "ALTER TABLE volume_state ADD COLUMN IF NOT EXISTS pending_published_at BIGINT NOT NULL DEFAULT 0");

    /** The columns of a volume's row, as {@link #row} exports them and {@link #restore} takes them back. */
    public static final List<String> COLUMNS = List.of("volume_id", "image_id", "base_snapshot", "base_generation",
            "base_size", "last_generation", "pending_snapshot", "pending_generation", "pending_size", "pending_since",
            "full_resync_cause", "last_error", "updated_at", "base_acked_at", "keep_snapshots", "policy",
            "pending_published_at");

    private final Database db;
    /** Told of each change of a volume's row. */
    public interface Changes {
        /**
         * @param begins the change reserves or records a new generation: a listener that must not let
         *               it happen throws, and the step that made it fails (its snapshot is removed)
         */
        void changed(String volumeId, boolean begins);
    }

    private volatile Changes changes = (volumeId, begins) -> { };

    public VolumeStateStore(Database db) {
        this.db = db;
    }

    /**
     * Told the volume id after every change of its row, once the change is durable here: when the
     * proxies of a site share the work, the row follows the volume to whichever proxy owns it next.
     */
    public void onChange(Changes listener) {
        this.changes = listener;
    }

    /** The volume's whole row, column by column (nulls left out), or empty when it has none. */
    public Optional<Map<String, Object>> row(String volumeId) {
        return db.queryOne("SELECT * FROM volume_state WHERE volume_id = ?", rs -> {
            Map<String, Object> row = new LinkedHashMap<>();
            for (String column : COLUMNS) {
                Object value = rs.getObject(column);
                if (value != null) {
                    row.put(column, value);
                }
            }
            return row;
        }, volumeId);
    }

    /**
     * Puts back a row {@link #row} exported (another proxy's, read from the site's state topic) in
     * place of this one's. Columns it does not name take their defaults; unknown names are refused.
     */
    public void restore(Map<String, Object> row) {
        Object volumeId = row.get("volume_id");
        if (!(volumeId instanceof String) || !COLUMNS.containsAll(row.keySet())) {
            throw new IllegalArgumentException("not a volume state row (volume_id and the columns "
                    + COLUMNS + " only): " + row.keySet());
        }
        db.inTransaction(() -> {
            db.update("DELETE FROM volume_state WHERE volume_id = ?", volumeId);
            List<String> columns = List.copyOf(row.keySet());
            db.update("INSERT INTO volume_state (" + String.join(", ", columns) + ") VALUES ("
                    + String.join(", ", java.util.Collections.nCopies(columns.size(), "?")) + ")",
                    columns.stream().map(row::get).toArray());
        });
        db.sync();
    }

    /** Forgets the volume here (another proxy owns it now); its row lives on in the site's state topic. */
    public void forget(String volumeId) {
        db.update("DELETE FROM volume_state WHERE volume_id = ?", volumeId);
    }

    /** Forgets every volume here: a proxy that shares the work learns its volumes' rows when it is given them. */
    public void forgetAll() {
        db.update("DELETE FROM volume_state");
        db.sync();
    }

    public Optional<VolumeState> find(String volumeId) {
        return db.queryOne("SELECT * FROM volume_state WHERE volume_id = ?", VolumeStateStore::map, volumeId);
    }

    public List<VolumeState> all() {
        return db.query("SELECT * FROM volume_state ORDER BY volume_id", VolumeStateStore::map);
    }

    /** Reserves the next generation number of a volume; numbers are never reused. */
    public synchronized long nextGeneration(String volumeId) {
        db.update("INSERT INTO volume_state (volume_id) SELECT ? WHERE NOT EXISTS "
                + "(SELECT 1 FROM volume_state WHERE volume_id = ?)", volumeId, volumeId);
        db.update("UPDATE volume_state SET last_generation = last_generation + 1, updated_at = ? WHERE volume_id = ?",
                now(), volumeId);
        long generation = find(volumeId).orElseThrow().lastGeneration();
        changes.changed(volumeId, true);
        return generation;
    }

    /**
     * Records the generation in flight, durably before it returns: a process killed while publishing
     * it leaves a pending generation the next start abandons (removing its snapshot), never a
     * snapshot nobody remembers, nor a generation number used twice.
     *
     * @param keepSnapshots how many own snapshots to keep once this generation is acked
     */
    public void markPending(String volumeId, long generation, String snapshot, String imageId, long size,
                            SyncOptions options) {
        db.update("UPDATE volume_state SET pending_generation = ?, pending_snapshot = ?, pending_size = ?, "
                + "pending_since = ?, pending_published_at = 0, image_id = ?, keep_snapshots = ?, "
                + "policy = COALESCE(?, policy), updated_at = ? WHERE volume_id = ?", generation, snapshot, size, now(),
                imageId, options.keepSnapshots(), options.policy(), now(), volumeId);
        db.sync();
        changes.changed(volumeId, true);
    }

    /** The policy of the volume's last policy-driven sync, or null: resyncs keep its options after a restart. */
    public String policyOf(String volumeId) {
        return db.query("SELECT policy FROM volume_state WHERE volume_id = ? AND policy IS NOT NULL",
                rs -> rs.getString(1), volumeId).stream().findFirst().orElse(null);
    }

    /** How many own snapshots the volume's last sync asked to keep. */
    public int keepSnapshots(String volumeId) {
        return db.queryOne("SELECT keep_snapshots FROM volume_state WHERE volume_id = ?", rs -> rs.getInt(1), volumeId)
                .orElse(1);
    }

    /**
     * Every record of the pending generation is in Kafka: from now on it can only end with the
     * target's answer. Durable before it returns, so a restart waits for that answer instead of
     * sending the generation again.
     */
    public void markPublished(String volumeId, long generation) {
        db.update("UPDATE volume_state SET pending_published_at = ?, updated_at = ? WHERE volume_id = ? "
                + "AND pending_generation = ?", now(), now(), volumeId, generation);
        db.sync();
        changes.changed(volumeId, false);
    }

    /**
     * The target committed the pending generation {@code generation} at {@code snapshot}: it becomes
     * the base of the next incremental. Durable before it returns (the caller then removes older
     * snapshots). Does nothing, and answers false, unless that is exactly the pending generation.
     */
    public boolean promotePending(String volumeId, long generation, String snapshot) {
        int changed = db.update("UPDATE volume_state SET base_snapshot = pending_snapshot, "
                + "base_generation = pending_generation, base_size = pending_size, pending_snapshot = NULL, "
                + "pending_generation = 0, pending_size = 0, pending_since = 0, pending_published_at = 0, "
                + "full_resync_cause = NULL, last_error = NULL, base_acked_at = ?, updated_at = ? "
                + "WHERE volume_id = ? AND pending_generation = ? AND pending_snapshot = ?", now(), now(), volumeId,
                generation, snapshot);
        db.sync();
        changes.changed(volumeId, false);
        return changed == 1;
    }

    /**
     * The pending generation {@code generation} will never be acked; remember why, and whether the
     * next sync must be full. Does nothing when another generation is pending.
     */
    public void dropPending(String volumeId, long generation, String error, String fullResyncCause) {
        db.update("UPDATE volume_state SET pending_snapshot = NULL, pending_generation = 0, pending_size = 0, "
                + "pending_since = 0, pending_published_at = 0, last_error = ?, "
                + "full_resync_cause = COALESCE(?, full_resync_cause), updated_at = ? WHERE volume_id = ? "
                + "AND pending_generation = ?", error, fullResyncCause, now(), volumeId, generation);
        db.sync();
        changes.changed(volumeId, false);
    }

    /**
     * The target has already used generation numbers up to {@code used} for this volume (this
     * source's store was rebuilt or lost commits): later generations are numbered above them.
     */
    public void raiseGeneration(String volumeId, long used) {
        db.update("UPDATE volume_state SET last_generation = GREATEST(last_generation, ?), updated_at = ? "
                + "WHERE volume_id = ?", used, now(), volumeId);
        db.sync();
        changes.changed(volumeId, false);
    }

    /** The next sync of the volume must be full, for the named cause. */
    public void requireFull(String volumeId, String cause) {
        db.update("UPDATE volume_state SET full_resync_cause = ?, updated_at = ? WHERE volume_id = ?", cause, now(),
                volumeId);
        changes.changed(volumeId, false);
    }

    private static VolumeState map(ResultSet rs) throws SQLException {
        return new VolumeState(rs.getString("volume_id"), rs.getString("image_id"), rs.getString("base_snapshot"),
                rs.getLong("base_generation"), rs.getLong("base_size"), rs.getLong("last_generation"),
                rs.getString("pending_snapshot"), rs.getLong("pending_generation"), rs.getLong("pending_size"),
                rs.getLong("pending_since"), rs.getString("full_resync_cause"), rs.getString("last_error"),
                rs.getLong("base_acked_at"), rs.getLong("pending_published_at"));
    }

    private static long now() {
        return System.currentTimeMillis();
    }
}
