package io.blockferry.scale;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.blockferry.store.Database;
import io.blockferry.transport.GenerationAck;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * The newest ack of each volume this proxy does not own. Every proxy of a site reads every ack; the
 * owner acts on it. An ack that arrives while its volume has no owner (the owner died, the
 * partition is moving) is kept here, and whichever proxy is given the volume applies it once it
 * has read the volume's state: no commit of the target is lost in a handover. One row per volume.
 */
public final class UnclaimedAcks {

    public static final List<String> SCHEMA = List.of("""
            CREATE TABLE IF NOT EXISTS unclaimed_ack (
              volume_id VARCHAR(512) PRIMARY KEY,
              generation BIGINT NOT NULL,
              ack VARCHAR(8000) NOT NULL)""");

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Database db;

    public UnclaimedAcks(Database db) {
        this.db = db;
    }

    /** Keeps the ack unless a newer generation's is kept already. */
    public void keep(GenerationAck ack) {
        String json;
        try {
            json = JSON.writeValueAsString(ack);
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode the ack of " + ack.volumeId(), e);
        }
        db.update("MERGE INTO unclaimed_ack (volume_id, generation, ack) KEY (volume_id) SELECT ?, ?, ? WHERE NOT "
                + "EXISTS (SELECT 1 FROM unclaimed_ack WHERE volume_id = ? AND generation > ?)", ack.volumeId(),
                ack.generation(), json, ack.volumeId(), ack.generation());
    }

    /** The kept ack of the volume, removed from here. */
    public Optional<GenerationAck> take(String volumeId) {
        Optional<String> json = db.queryOne("SELECT ack FROM unclaimed_ack WHERE volume_id = ?", rs -> rs.getString(1),
                volumeId);
        db.update("DELETE FROM unclaimed_ack WHERE volume_id = ?", volumeId);
        return json.map(text -> {
            try {
                return JSON.readValue(text, GenerationAck.class);
            } catch (IOException e) {
                throw new IllegalStateException("the kept ack of " + volumeId + " cannot be read", e);
            }
        });
    }
}
