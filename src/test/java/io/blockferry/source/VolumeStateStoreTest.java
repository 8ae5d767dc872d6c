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

    @Test
    void should_number_on_above_the_generations_a_target_has_already_used(@TempDir Path dir) {
        try (Database db = Database.open(dir.resolve("state"), VolumeStateStore.SCHEMA)) {
            VolumeStateStore store = new VolumeStateStore(db);
            assertEquals(1, store.nextGeneration("volumes/a"), "a rebuilt source numbers from 1");
            store.raiseGeneration("volumes/a", 41);
            assertEquals(42, store.nextGeneration("volumes/a"), "after a generation-reused answer naming 41");
            store.raiseGeneration("volumes/a", 7);
            assertEquals(43, store.nextGeneration("volumes/a"), "numbers never go back");
        }
    }

    @Test
    void should_promote_only_the_exact_pending_generation_and_snapshot(@TempDir Path dir) {
        try (Database db = Database.open(dir.resolve("state"), VolumeStateStore.SCHEMA)) {
            VolumeStateStore store = new VolumeStateStore(db);
            long g = store.nextGeneration("volumes/a");
            store.markPending("volumes/a", g, "blockferry-g1", "id", 1, SyncOptions.DEFAULTS);
            assertEquals(false, store.promotePending("volumes/a", g, "user-snap"), "another snapshot: no");
            assertEquals(false, store.promotePending("volumes/a", g + 1, "blockferry-g1"), "another generation: no");
            assertEquals(true, store.promotePending("volumes/a", g, "blockferry-g1"));
            assertEquals("blockferry-g1", store.find("volumes/a").orElseThrow().baseSnapshot());
        }
    }
}
