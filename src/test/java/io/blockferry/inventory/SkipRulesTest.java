package io.blockferry.inventory;

import static io.blockferry.inventory.Fixtures.server;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class SkipRulesTest {

    private final SkipRules rules = new SkipRules();

    @ParameterizedTest
    @CsvSource(nullValues = "-", value = {
            "SUSPENDED, -, server-suspended",
            "PAUSED, -, server-paused",
            "ERROR, -, server-error",
            "SHELVED, -, server-shelved",
            "SHELVED_OFFLOADED, -, server-shelved",
            "ACTIVE, migrating, server-migrating",
            "MIGRATING, migrating, server-migrating",
            "ACTIVE, resize_prep, server-resizing",
            "RESIZE, resize_migrating, server-resizing",
            "VERIFY_RESIZE, -, server-resizing"})
    void should_skip_servers_that_cannot_be_synced_now(String status, String taskState, String reason) {
        Optional<Skipped> skipped = rules.server(server("s1", status, taskState, BootSource.image("i")));

        assertEquals(Optional.of(reason), skipped.map(Skipped::reason));
        assertEquals("s1", skipped.get().serverId());
        assertTrue(skipped.get().message().contains(status), skipped.get().message());
    }

    @ParameterizedTest
    @CsvSource(nullValues = "-", value = {"ACTIVE, -", "SHUTOFF, -", "ACTIVE, image_snapshot"})
    void should_sync_running_and_stopped_servers(String status, String taskState) {
        assertEquals(Optional.empty(), rules.server(server("s1", status, taskState, BootSource.image("i"))));
    }

    @Test
    void should_skip_encrypted_volumes() {
        Volume encrypted = new Volume("v1", "secret", "p1", "in-use", "luks", 1, false, true, null, null,
                List.of(new VolumeAttachment("s1", "/dev/vdb")));

        Skipped skipped = rules.volume("s1", encrypted).orElseThrow();
        assertEquals(SkipReason.VOLUME_ENCRYPTED, skipped.reason());
        assertEquals("v1", skipped.volumeId());
        assertEquals("volume-encrypted", skipped.reason());
    }

    @Test
    void should_not_skip_plain_volumes() {
        assertEquals(Optional.empty(), rules.volume("s1", Fixtures.volume("v2", "ceph-ssd", 1, "s1", "/dev/vdb")));
    }
}
