package io.blockferry.inventory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.blockferry.store.Database;
import io.blockferry.store.StoreException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The last good inventory, as JSON in the source state store, so that a restart knows every server
 * and volume (and which were skipped already) before its first poll answers.
 */
public final class InventoryStore {

    public static final List<String> SCHEMA = List.of("""
            CREATE TABLE IF NOT EXISTS inventory (
              id INT PRIMARY KEY,
              polled_at BIGINT NOT NULL,
              body CLOB NOT NULL)""", """
            CREATE TABLE IF NOT EXISTS cloud_inventory (
              cloud VARCHAR(200) PRIMARY KEY,
              polled_at BIGINT NOT NULL,
              body CLOB NOT NULL)""");

    /** The stored form; records, so Jackson writes and reads it without annotations. */
    record Stored(long polledAtMillis, List<Server> servers, List<Volume> volumes, List<VolumeType> volumeTypes,
                  List<Flavor> flavors, InventoryDetails details) {
    }

    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private final Database db;
    /** Null for the OpenStack inventory (its own table, as before), else the other cloud's name. */
    private final String cloud;

    /** The OpenStack inventory. */
    public InventoryStore(Database db) {
        this(db, null);
    }

    private InventoryStore(Database db, String cloud) {
        this.db = db;
        this.cloud = cloud;
    }

    /** The inventory of another cloud, such as an HCS backend, kept apart from OpenStack's. */
    public static InventoryStore of(Database db, String cloud) {
        return new InventoryStore(db, cloud);
    }

    public void save(Inventory inventory) {
        String body = toJson(inventory);
        if (cloud == null) {
            db.update("MERGE INTO inventory (id, polled_at, body) KEY (id) VALUES (1, ?, ?)",
                    inventory.polledAt().toEpochMilli(), body);
        } else {
            db.update("MERGE INTO cloud_inventory (cloud, polled_at, body) KEY (cloud) VALUES (?, ?, ?)",
                    cloud, inventory.polledAt().toEpochMilli(), body);
        }
    }

    public Optional<Inventory> load() {
        if (cloud == null) {
            return db.queryOne("SELECT body FROM inventory WHERE id = 1", rs -> rs.getString(1))
                    .map(InventoryStore::fromJson);
        }
        return db.queryOne("SELECT body FROM cloud_inventory WHERE cloud = ?", rs -> rs.getString(1), cloud)
                .map(InventoryStore::fromJson);
    }

    static String toJson(Inventory i) {
        try {
            return JSON.writeValueAsString(new Stored(i.polledAt().toEpochMilli(), i.servers(), i.volumes(),
                    i.volumeTypes(), i.flavors(), i.details()));
        } catch (JsonProcessingException e) {
            throw new StoreException("cannot write the inventory as JSON: " + e.getOriginalMessage(), e);
        }
    }

    static Inventory fromJson(String body) {
        try {
            Stored s = JSON.readValue(body, Stored.class);
            return new Inventory(Instant.ofEpochMilli(s.polledAtMillis()), s.servers(), s.volumes(), s.volumeTypes(),
                    s.flavors(), s.details() == null ? InventoryDetails.empty() : s.details());
        } catch (JsonProcessingException e) {
            throw new StoreException("the stored inventory is not readable (" + e.getOriginalMessage()
                    + "): it is replaced at the next successful poll", e);
        }
    }
}
