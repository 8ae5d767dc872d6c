package io.blockferry.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.blockferry.store.Database;
import io.blockferry.target.RecoveryPointCatalog;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.StringJoiner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Finding 21: the target keeps a bounded number of metadata versions per server, for servers with any number of disks. */
class ServerMetadataCatalogTest {

    private static byte[] metadata(String serverId, long capturedAt, int disks) {
        StringJoiner list = new StringJoiner(",");
        for (int i = 0; i < disks; i++) {
            list.add("{\"bootIndex\":" + i + ",\"device\":\"/dev/vd" + i + "\",\"volumeId\":\"v" + i
                    + "\",\"imageSpec\":\"volumes/volume-0000000000000000000000000000000" + i + "\"}");
        }
        return ("{\"schemaVersion\":1,\"serverId\":\"" + serverId + "\",\"name\":\"big\",\"disks\":[" + list
                + "],\"ports\":[],\"securityGroups\":[],\"tags\":[],\"skippedDisks\":[],\"capturedAtMillis\":" + capturedAt + "}").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void should_keep_the_newest_versions_of_a_server_with_hundreds_of_disks(@TempDir Path dir) {
        Path file = dir.resolve("target");
        // a catalog of an earlier release, whose generations column was VARCHAR(8000)
        try (Database before = Database.open(file, java.util.List.of(ServerMetadataCatalog.SCHEMA.get(0)
                .replace("generations CLOB", "generations VARCHAR(8000)")))) {
            before.update("DELETE FROM server_metadata WHERE server_id = 'none'");
        }
        try (Database db = Database.open(file, Database.schema(RecoveryPointCatalog.SCHEMA, ServerMetadataCatalog.SCHEMA))) {
            for (int i = 0; i < 300; i++) {
                db.update("INSERT INTO recovery_point (volume_id, generation, snapshot, base_snapshot, mode, image_size,"
                        + " data_bytes, zero_bytes, data_chunks, zero_chunks, manifest_digest, state, created_at) VALUES"
                        + " (?, 1, 's1', '', 'FULL', 4096, 10, 0, 1, 0, 'ab', 'COMMITTED', 0)",
                        "volumes/volume-0000000000000000000000000000000" + i);
            }
            ServerMetadataCatalog catalog = new ServerMetadataCatalog(db, new RecoveryPointCatalog(db));
            for (long t = 1; t <= 25; t++) {
                catalog.receive(metadata("server-a", t, 300)); // generations: about 15,000 characters
                catalog.receive(metadata("server-b", t, 1));
            }

            assertEquals(ServerMetadataCatalog.VERSIONS_KEPT, catalog.history("server-a").size());
            assertEquals(ServerMetadataCatalog.VERSIONS_KEPT, catalog.history("server-b").size());
            assertEquals(25, catalog.latest("server-a").orElseThrow().metadata().capturedAtMillis());
            assertEquals(16, catalog.history("server-a").get(0).metadata().capturedAtMillis(), "the oldest kept");
            assertEquals(300, catalog.latest("server-a").orElseThrow().generations().size());
        }
    }
}
