package io.blockferry.target;

import io.blockferry.store.Database;
import io.blockferry.transport.ChunkRecord;
import io.blockferry.transport.SyncMode;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/** The target's durable catalog: recovery points per volume, and generations being staged. */
public final class RecoveryPointCatalog {

    public static final List<String> SCHEMA = List.of("""
            CREATE TABLE IF NOT EXISTS recovery_point (
              volume_id VARCHAR(512) NOT NULL,
              generation BIGINT NOT NULL,
              snapshot VARCHAR(256) NOT NULL,
              base_snapshot VARCHAR(256),
              mode VARCHAR(16) NOT NULL,
              image_size BIGINT NOT NULL,
              data_bytes BIGINT NOT NULL,
              zero_bytes BIGINT NOT NULL,
              data_chunks BIGINT NOT NULL,
              zero_chunks BIGINT NOT NULL,
              manifest_digest VARCHAR(64) NOT NULL,
              state VARCHAR(16) NOT NULL,
              created_at BIGINT NOT NULL,
              PRIMARY KEY (volume_id, generation))""", """
            CREATE TABLE IF NOT EXISTS staging (
              volume_id VARCHAR(512) PRIMARY KEY,
              generation BIGINT NOT NULL,
              mode VARCHAR(16) NOT NULL,
              cause VARCHAR(64),
              image_size BIGINT NOT NULL,
              chunk_size INT NOT NULL,
              snapshot VARCHAR(256) NOT NULL,
              base_snapshot VARCHAR(256),
              image_id VARCHAR(128),
              created_at BIGINT NOT NULL,
              next_seq BIGINT NOT NULL,
              diff_length BIGINT NOT NULL,
              manifest_length BIGINT NOT NULL,
              data_chunks BIGINT NOT NULL,
              zero_chunks BIGINT NOT NULL,
              data_bytes BIGINT NOT NULL,
              zero_bytes BIGINT NOT NULL,
              failure_cause VARCHAR(64),
              failure_reason VARCHAR(4000))""",
            // added with retention; ADD COLUMN IF NOT EXISTS lets a catalog made by an older Blockferry open
            "ALTER TABLE recovery_point ADD COLUMN IF NOT EXISTS keep_points INT DEFAULT 0 NOT NULL",
            "ALTER TABLE staging ADD COLUMN IF NOT EXISTS keep_points INT DEFAULT 0 NOT NULL",
            // when the generation's BEGIN arrived (0 for points made before this column)
            "ALTER TABLE recovery_point ADD COLUMN IF NOT EXISTS received_at BIGINT DEFAULT 0 NOT NULL",
            "ALTER TABLE staging ADD COLUMN IF NOT EXISTS received_at BIGINT DEFAULT 0 NOT NULL",
            "ALTER TABLE recovery_point ADD COLUMN IF NOT EXISTS source_created_at BIGINT DEFAULT 0 NOT NULL",
            // the source site the generation came from, which its ack is addressed to ('' before version 5)
            "ALTER TABLE recovery_point ADD COLUMN IF NOT EXISTS source_site VARCHAR(200) DEFAULT '' NOT NULL",
            "ALTER TABLE staging ADD COLUMN IF NOT EXISTS source_site VARCHAR(200) DEFAULT '' NOT NULL",
            // Which point the replica holds, and which one is being applied to it: an interrupted apply
            // is repeated only onto the state it was meant for. No row: a catalog of an earlier release,
            // whose replica holds its newest committed point.
            """
            CREATE TABLE IF NOT EXISTS replica_state (
              volume_id VARCHAR(512) PRIMARY KEY,
              generation BIGINT NOT NULL,
              applying BIGINT NOT NULL,
              valid BOOLEAN NOT NULL,
              detail VARCHAR(4000))""",
            // Answers to publish: written in the transaction that decides them, deleted once Kafka has them.
            """
            CREATE TABLE IF NOT EXISTS ack_outbox (
              id BIGINT AUTO_INCREMENT PRIMARY KEY,
              volume_id VARCHAR(512) NOT NULL,
              generation BIGINT NOT NULL,
              ack VARCHAR(8000) NOT NULL)""");

    private final Database db;

    public RecoveryPointCatalog(Database db) {
        this.db = db;
    }

    /** The newest point of a volume, committed or still being applied to the replica. */
    public Optional<RecoveryPoint> latest(String volumeId) {
        return db.queryOne("SELECT * FROM recovery_point WHERE volume_id = ? ORDER BY generation DESC LIMIT 1",
                RecoveryPointCatalog::point, volumeId);
    }

    public List<RecoveryPoint> points(String volumeId) {
        return db.query("SELECT * FROM recovery_point WHERE volume_id = ? ORDER BY generation",
                RecoveryPointCatalog::point, volumeId);
    }

    /** Volumes with at least one committed recovery point. */
    public List<String> volumes() {
        return db.query("SELECT DISTINCT volume_id FROM recovery_point WHERE state = ? ORDER BY volume_id",
                rs -> rs.getString(1), RecoveryPoint.COMMITTED);
    }

    /** The committed points from the newest full one to the newest: together they describe the replica. */
    public List<RecoveryPoint> currentChain(String volumeId) {
        return db.query("SELECT * FROM recovery_point WHERE volume_id = ? AND state = ? AND generation >= "
                + "(SELECT MAX(generation) FROM recovery_point WHERE volume_id = ? AND mode = 'FULL' AND state = ?) "
                + "ORDER BY generation", RecoveryPointCatalog::point, volumeId, RecoveryPoint.COMMITTED, volumeId,
                RecoveryPoint.COMMITTED);
    }

    /** A volume's committed points, oldest first. */
    public List<RecoveryPoint> committed(String volumeId) {
        return db.query("SELECT * FROM recovery_point WHERE volume_id = ? AND state = ? ORDER BY generation",
                RecoveryPointCatalog::point, volumeId, RecoveryPoint.COMMITTED);
    }

    public List<RecoveryPoint> applying() {
        return db.query("SELECT * FROM recovery_point WHERE state = ? ORDER BY volume_id, generation",
                RecoveryPointCatalog::point, RecoveryPoint.APPLYING);
    }

    public void insertApplying(ChunkRecord.Begin b, ChunkRecord.End e) {
        insertApplying(b, e, 0);
    }

    private void insertApplying(ChunkRecord.Begin b, ChunkRecord.End e, long receivedAt) {
        db.update("INSERT INTO recovery_point (volume_id, generation, snapshot, base_snapshot, mode, image_size, "
                + "data_bytes, zero_bytes, data_chunks, zero_chunks, manifest_digest, state, created_at, keep_points, "
                + "received_at, source_created_at, source_site) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                b.volumeId(), b.generation(), b.snapshot(), b.baseSnapshot(), b.mode().name(), b.imageSize(),
                e.dataBytes(), e.zeroBytes(), e.dataChunks(), e.zeroChunks(),
                HexFormat.of().formatHex(e.manifestDigest()), RecoveryPoint.APPLYING, System.currentTimeMillis(),
                b.keepPoints(), receivedAt, b.createdAtMillis(), b.sourceSite());
    }

    /**
     * The first durable step of a commit, in one transaction forced to disk: the point is recorded
     * (APPLYING), its staging row goes, and the replica row says the point is being applied.
     */
    public void beginCommit(ChunkRecord.Begin b, ChunkRecord.End e, long receivedAt) {
        ReplicaState replica = replica(b.volumeId());
        db.inTransaction(() -> {
            insertApplying(b, e, receivedAt);
            deleteStaging(b.volumeId());
            saveReplica(new ReplicaState(b.volumeId(), replica.generation(), b.generation(), replica.valid(),
                    replica.detail()));
        });
        db.sync();
    }

    /**
     * The last durable step of a commit, in one transaction forced to disk: the point is COMMITTED,
     * the replica row says what the replica now holds, and the ack is queued for publication.
     *
     * @param replica the replica's state after this commit
     */
    public void finishCommit(String volumeId, long generation, ReplicaState replica, String ackJson) {
        db.inTransaction(() -> {
            markCommitted(volumeId, generation);
            saveReplica(replica);
            queueAck(volumeId, generation, ackJson);
        });
        db.sync();
    }

    /** A rejected generation: its staging row goes and the rejection is queued, durably. */
    public void reject(String volumeId, long generation, String ackJson) {
        db.inTransaction(() -> {
            deleteStaging(volumeId);
            queueAck(volumeId, generation, ackJson);
        });
        db.sync();
    }

    /**
     * What the volume's replica holds. A catalog of an earlier release has no row: its replica
     * holds the newest committed point, and an APPLYING point was being applied onto it.
     */
    public ReplicaState replica(String volumeId) {
        return db.queryOne("SELECT * FROM replica_state WHERE volume_id = ?", rs -> new ReplicaState(
                rs.getString("volume_id"), rs.getLong("generation"), rs.getLong("applying"), rs.getBoolean("valid"),
                rs.getString("detail")), volumeId).orElseGet(() -> {
                    long committed = committed(volumeId).stream().mapToLong(RecoveryPoint::generation).max().orElse(0);
                    long applying = points(volumeId).stream().filter(p -> !p.committed())
                            .mapToLong(RecoveryPoint::generation).max().orElse(0);
                    return new ReplicaState(volumeId, committed, applying, true, null);
                });
    }

    public void saveReplica(ReplicaState r) {
        db.update("MERGE INTO replica_state (volume_id, generation, applying, valid, detail) KEY (volume_id) "
                + "VALUES (?, ?, ?, ?, ?)", r.volumeId(), r.generation(), r.applying(), r.valid(), r.detail());
    }

    /** The replica no longer holds any listed point (lost, or a failed apply left it half written). Durable. */
    public void invalidateReplica(String volumeId, String why) {
        ReplicaState r = replica(volumeId);
        saveReplica(new ReplicaState(volumeId, r.generation(), 0, false, why));
        db.sync();
    }

    /** Forgets points (whose files are gone) in one durable step. */
    public void forget(List<RecoveryPoint> gone) {
        db.inTransaction(() -> gone.forEach(this::delete));
        db.sync();
    }

    /** Forces what is committed onto the disk (a staging checkpoint, before its offsets are committed). */
    public void sync() {
        db.sync();
    }

    /** An answer waiting to be published. */
    public record QueuedAck(long id, String volumeId, long generation, String json) {
    }

    private void queueAck(String volumeId, long generation, String json) {
        db.update("INSERT INTO ack_outbox (volume_id, generation, ack) VALUES (?, ?, ?)", volumeId, generation, json);
    }

    /** Queues an answer on its own (a re-ack of an already committed point). */
    public void queueAckNow(String volumeId, long generation, String json) {
        queueAck(volumeId, generation, json);
    }

    public List<QueuedAck> queuedAcks() {
        return db.query("SELECT * FROM ack_outbox ORDER BY id", rs -> new QueuedAck(rs.getLong("id"),
                rs.getString("volume_id"), rs.getLong("generation"), rs.getString("ack")));
    }

    /** Kafka has the answer; a crash before this only publishes it twice, which the source ignores. */
    public void ackPublished(long id) {
        db.update("DELETE FROM ack_outbox WHERE id = ?", id);
    }

    /**
     * In one durable step, forgets {@code removed} and records that {@code into} now starts where
     * {@code removed} started: it takes its mode and base, and the counts and manifest digest of
     * its merged diff.
     */
    public void mergeInto(RecoveryPoint removed, RecoveryPoint into, MergedDiff merged) {
        db.inTransaction(() -> {
            delete(removed);
            db.update("UPDATE recovery_point SET mode = ?, base_snapshot = ?, data_bytes = ?, zero_bytes = ?, "
                    + "data_chunks = ?, zero_chunks = ?, manifest_digest = ? WHERE volume_id = ? AND generation = ?",
                    removed.mode(), removed.baseSnapshot(), merged.dataBytes(), merged.zeroBytes(), merged.dataChunks(),
                    merged.zeroChunks(), HexFormat.of().formatHex(merged.manifestDigest()), into.volumeId(),
                    into.generation());
        });
        db.sync();
    }

    /** Durably forgets a point that no other point builds on. */
    public void remove(RecoveryPoint point) {
        delete(point);
        db.sync();
    }

    private void delete(RecoveryPoint point) {
        db.update("DELETE FROM recovery_point WHERE volume_id = ? AND generation = ?", point.volumeId(),
                point.generation());
    }

    public void markCommitted(String volumeId, long generation) {
        db.update("UPDATE recovery_point SET state = ? WHERE volume_id = ? AND generation = ?",
                RecoveryPoint.COMMITTED, volumeId, generation);
    }

    public List<StagingRow> stagings() {
        return db.query("SELECT * FROM staging ORDER BY volume_id", RecoveryPointCatalog::staging);
    }

    public void saveStaging(StagingRow s) {
        ChunkRecord.Begin b = s.begin();
        db.update("MERGE INTO staging (volume_id, generation, mode, cause, image_size, chunk_size, snapshot, "
                + "base_snapshot, image_id, created_at, next_seq, diff_length, manifest_length, data_chunks, "
                + "zero_chunks, data_bytes, zero_bytes, failure_cause, failure_reason, keep_points, received_at, "
                + "source_site) KEY (volume_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                b.volumeId(), b.generation(), b.mode().name(), b.cause(), b.imageSize(), b.chunkSize(), b.snapshot(),
                b.baseSnapshot(), b.imageId(), b.createdAtMillis(), s.nextSeq(), s.diffLength(), s.manifestLength(),
                s.dataChunks(), s.zeroChunks(), s.dataBytes(), s.zeroBytes(), s.failureCause(), s.failureReason(),
                b.keepPoints(), s.receivedAtMillis(), b.sourceSite());
    }

    public void deleteStaging(String volumeId) {
        db.update("DELETE FROM staging WHERE volume_id = ?", volumeId);
    }

    private static RecoveryPoint point(ResultSet rs) throws SQLException {
        return new RecoveryPoint(rs.getString("volume_id"), rs.getLong("generation"), rs.getString("snapshot"),
                rs.getString("base_snapshot"), rs.getString("mode"), rs.getLong("image_size"),
                rs.getLong("data_bytes"), rs.getLong("zero_bytes"), rs.getLong("data_chunks"),
                rs.getLong("zero_chunks"), rs.getString("manifest_digest"), rs.getString("state"),
                rs.getLong("created_at"), rs.getInt("keep_points"), rs.getLong("received_at"),
                rs.getLong("source_created_at"), rs.getString("source_site"));
    }

    private static StagingRow staging(ResultSet rs) throws SQLException {
        ChunkRecord.Begin begin = new ChunkRecord.Begin(rs.getString("volume_id"), rs.getLong("generation"),
                SyncMode.valueOf(rs.getString("mode")), rs.getString("cause"), rs.getLong("image_size"),
                rs.getInt("chunk_size"), rs.getString("snapshot"), rs.getString("base_snapshot"),
                rs.getString("image_id"), rs.getLong("created_at"), rs.getInt("keep_points"), 0,
                rs.getString("source_site"));
        return new StagingRow(begin, rs.getLong("next_seq"), rs.getLong("diff_length"), rs.getLong("manifest_length"),
                rs.getLong("data_chunks"), rs.getLong("zero_chunks"), rs.getLong("data_bytes"), rs.getLong("zero_bytes"),
                rs.getString("failure_cause"), rs.getString("failure_reason"), rs.getLong("received_at"));
    }
}
