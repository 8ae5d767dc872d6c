package io.blockferry.restore;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.blockferry.inventory.ServerMetadata;
import io.blockferry.store.Database;
import io.blockferry.target.RecoveryPoint;
import io.blockferry.target.RecoveryPointCatalog;
import io.blockferry.transport.MalformedRecordException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The target's record of servers' restore metadata: the newest {@value #VERSIONS_KEPT} versions received, each with
 * the newest recovery point of each disk at the time it arrived, so a restore can pair a
 * metadata version with the generations it described.
 */
public final class ServerMetadataCatalog {

    public static final List<String> SCHEMA = List.of("""
            CREATE TABLE IF NOT EXISTS server_metadata (
              server_id VARCHAR(64) NOT NULL,
              captured_at BIGINT NOT NULL,
              received_at BIGINT NOT NULL,
              generations CLOB NOT NULL,
              body CLOB NOT NULL,
              PRIMARY KEY (server_id, captured_at))""",
            // a server with many disks outgrew the VARCHAR(8000) of earlier releases
            "ALTER TABLE server_metadata ALTER COLUMN generations SET DATA TYPE CLOB");

    /** Versions kept per server: the newest decides a restore; a few older ones show what changed. */
    public static final int VERSIONS_KEPT = 10;

    /** One stored version: the metadata, and the newest generation of each disk when it arrived. */
    public record Version(ServerMetadata metadata, long receivedAtMillis, Map<String, Long> generations) {
    }

    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private static final TypeReference<LinkedHashMap<String, Long>> GENERATIONS = new TypeReference<>() { };

    private final Database db;
    private final RecoveryPointCatalog points;

    public ServerMetadataCatalog(Database db, RecoveryPointCatalog points) {
        this.db = db;
        this.points = points;
    }

    /**
     * Stores a record from the metadata topic; a redelivered one replaces itself.
     *
     * @throws MalformedRecordException when it is not Blockferry's server metadata (it then goes to the dead letters)
     */
    public ServerMetadata receive(byte[] record) {
        ServerMetadata metadata;
        try {
            metadata = JSON.readValue(record, ServerMetadata.class);
        } catch (java.io.IOException e) {
            throw new MalformedRecordException("a record on the metadata topic is not server metadata JSON: "
                    + e.getMessage(), io.blockferry.events.Causes.JSON_INVALID);
        }
        if (metadata.serverId() == null || metadata.disks() == null) {
            throw new MalformedRecordException("a record on the metadata topic has no server id or disk list",
                    io.blockferry.events.Causes.JSON_INVALID);
        }
        Map<String, Long> generations = new LinkedHashMap<>();
        for (ServerMetadata.Disk disk : metadata.disks()) {
            points.latest(disk.imageSpec()).filter(RecoveryPoint::committed)
                    .ifPresent(p -> generations.put(disk.imageSpec(), p.generation()));
        }
        db.update("MERGE INTO server_metadata (server_id, captured_at, received_at, generations, body) "
                        + "KEY (server_id, captured_at) VALUES (?, ?, ?, ?, ?)", metadata.serverId(),
                metadata.capturedAtMillis(), System.currentTimeMillis(), write(generations),
                new String(record, StandardCharsets.UTF_8));
        // every poll that changed the server adds a version: only the newest ones are kept
        db.update("DELETE FROM server_metadata WHERE server_id = ? AND captured_at < (SELECT MIN(captured_at) FROM "
                + "(SELECT captured_at FROM server_metadata WHERE server_id = ? ORDER BY captured_at DESC LIMIT ?))",
                metadata.serverId(), metadata.serverId(), VERSIONS_KEPT);
        return metadata;
    }

    /** The newest version of a server's metadata. */
    public Optional<Version> latest(String serverId) {
        return db.queryOne("SELECT * FROM server_metadata WHERE server_id = ? ORDER BY captured_at DESC LIMIT 1",
                rs -> version(rs.getString("body"), rs.getLong("received_at"), rs.getString("generations")), serverId);
    }

    /** Every version of a server's metadata, oldest first. */
    public List<Version> history(String serverId) {
        return db.query("SELECT * FROM server_metadata WHERE server_id = ? ORDER BY captured_at",
                rs -> version(rs.getString("body"), rs.getLong("received_at"), rs.getString("generations")), serverId);
    }

    private static Version version(String body, long receivedAt, String generations) {
        try {
            Map<String, Long> gens = JSON.readValue(generations, GENERATIONS);
            return new Version(JSON.readValue(body, ServerMetadata.class), receivedAt, gens);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored server metadata is unreadable: " + e.getOriginalMessage(), e);
        }
    }

    private static String write(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
