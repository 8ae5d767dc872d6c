package io.blockferry.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.blockferry.store.Database;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VolumeStateStoreTest {

    @Test
    void aVolumeRemembersThePolicyAndRetentionOfItsLastPolicySync(@TempDir Path dir) {
        try (Database db = Database.open(dir.resolve("state"), VolumeStateStore.SCHEMA)) {
            VolumeStateStore store = new VolumeStateStore(db);
            assertNull(store.policyOf("volumes/never-seen"));
            long g1 = store.nextGeneration("volumes/a");
            assertNull(store.policyOf("volumes/a"), "a volume without a policy sync has none");
            store.markPending("volumes/a", g1, "s1", "id", 1, new SyncOptions("gold", 3, 0, 0, null, null));
            assertEquals("gold", store.policyOf("volumes/a"));
            assertEquals(3, store.keepSnapshots("volumes/a"));
            store.markPending("volumes/a", store.nextGeneration("volumes/a"), "s2", "id", 1, SyncOptions.DEFAULTS);
            assertEquals("gold", store.policyOf("volumes/a"), "a manual sync does not forget the policy");
            assertEquals(1, store.keepSnapshots("volumes/a"));
        }
    }
}
