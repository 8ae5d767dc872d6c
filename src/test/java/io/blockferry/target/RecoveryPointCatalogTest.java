package io.blockferry.target;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.blockferry.store.Database;
import io.blockferry.transport.ChunkRecord;
import io.blockferry.transport.SyncMode;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecoveryPointCatalogTest {

    @Test
    void should_open_a_catalog_made_before_retention_and_keep_its_points(@TempDir Path dir) {
        Path file = dir.resolve("target");
        // the two CREATE TABLE statements are the whole schema of a catalog from before keep_points
        try (Database before = Database.open(file, RecoveryPointCatalog.SCHEMA.subList(0, 2))) {
            before.update("INSERT INTO recovery_point (volume_id, generation, snapshot, base_snapshot, mode, image_size,"
                    + " data_bytes, zero_bytes, data_chunks, zero_chunks, manifest_digest, state, created_at) VALUES"
                    + " ('volumes/a', 1, 's1', '', 'FULL', 4096, 10, 0, 1, 0, 'ab', 'COMMITTED', 0)");
        }
        try (Database db = Database.open(file, RecoveryPointCatalog.SCHEMA)) {
            RecoveryPointCatalog catalog = new RecoveryPointCatalog(db);

            assertEquals(0, catalog.latest("volumes/a").orElseThrow().keepPoints(), "old points leave it to the target");
            catalog.saveStaging(new StagingRow(new ChunkRecord.Begin("volumes/a", 2, SyncMode.INCREMENTAL, "test",
                    4096, 4096, "s2", "s1", "id", 0, 7), 1, 0, 0, 0, 0, 0, 0, null, null, 0));
            assertEquals(7, catalog.stagings().get(0).begin().keepPoints());
        }
    }
}
