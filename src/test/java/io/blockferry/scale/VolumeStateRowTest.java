package io.blockferry.scale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.blockferry.source.SyncOptions;
import io.blockferry.source.VolumeState;
import io.blockferry.source.VolumeStateStore;
import io.blockferry.store.Database;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A volume's state row travels as JSON from one proxy's store to another's unchanged. */
class VolumeStateRowTest {

    @Test
    void should_carry_a_volume_state_to_another_store_unchanged(@TempDir Path dir) throws Exception {
        List<String> changes = new ArrayList<>();
        try (Database a = Database.open(dir.resolve("a"), VolumeStateStore.SCHEMA);
             Database b = Database.open(dir.resolve("b"), VolumeStateStore.SCHEMA)) {
            VolumeStateStore first = new VolumeStateStore(a);
            first.onChange((volumeId, begins) -> changes.add(volumeId + (begins ? " begins" : "")));
            long generation = first.nextGeneration("volumes/x");
            first.markPending("volumes/x", generation, "blockferry-g000001", "img-1", 4096, SyncOptions.DEFAULTS);
            first.markPublished("volumes/x", generation);
            first.promotePending("volumes/x", generation, "blockferry-g000001");
            assertEquals(List.of("volumes/x begins", "volumes/x begins", "volumes/x", "volumes/x"), changes);

            ObjectMapper json = new ObjectMapper();
            byte[] wire = json.writeValueAsBytes(first.row("volumes/x").orElseThrow());
            Map<String, Object> row = json.readValue(wire, new TypeReference<>() { });
            VolumeStateStore second = new VolumeStateStore(b);
            second.restore(row);
            VolumeState there = second.find("volumes/x").orElseThrow();
            assertEquals(first.find("volumes/x").orElseThrow(), there);
            assertEquals(first.keepSnapshots("volumes/x"), second.keepSnapshots("volumes/x"));
            assertEquals(2, second.nextGeneration("volumes/x"), "the next owner numbers on");

            IllegalArgumentException forged = assertThrows(IllegalArgumentException.class,
                    () -> second.restore(Map.of("volume_id", "volumes/x", "x; DROP TABLE volume_state", 1)));
            assertTrue(forged.getMessage().contains("not a volume state row"), forged.getMessage());
            second.forget("volumes/x");
            assertTrue(second.find("volumes/x").isEmpty());
        }
    }
}
