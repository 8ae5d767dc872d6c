package io.blockferry.source.hcs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.blockferry.hcssim.HcsSim;
import io.blockferry.source.SourceVolume;
import io.blockferry.source.VolumeId;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Consistent multi-disk points on the simulator with HCS leaving array snapshots unactivated: the
 * disks of one server snapshotted at once share one activate call, also when one of the server's
 * disks is not synced (the window ends and what gathered is activated together), while a disk of
 * another server is activated on its own.
 */
class ActivationGroupsTest {

    private static final long MiB = 1L << 20;
    private static HcsSim sim;

    @BeforeAll
    static void startSimulator() {
        sim = HcsSim.start();
        sim.settings(Map.of("auto_activate", false));
    }

    @AfterAll
    static void stopSimulator() {
        if (sim != null) {
            sim.close();
        }
    }

    @Test
    void should_activate_the_snapshotted_disks_of_a_server_together_when_one_of_its_disks_is_not_synced()
            throws Exception {
        JsonNode three = sim.server("three-disks", Map.of("boot_volume", Map.of("size_bytes", 4 * MiB),
                "data_volumes", List.of(Map.of("size_bytes", 4 * MiB), Map.of("size_bytes", 4 * MiB))));
        JsonNode other = sim.server("other", Map.of("boot_volume", Map.of("size_bytes", 4 * MiB)));
        String a = three.path("volumes").get(0).path("id").asText();
        String b = three.path("volumes").get(1).path("id").asText();
        String alone = other.path("volumes").get(0).path("id").asText();
        try (HcsBlockSource source = new HcsBlockSource(SimBackend.settings(sim), Duration.ofSeconds(2))) {
            // two of the three disks of one server, and another server's disk, at the same time
            CompletableFuture<Void> first = snapshot(source, a);
            CompletableFuture<Void> second = snapshot(source, b);
            CompletableFuture<Void> third = snapshot(source, alone);
            CompletableFuture.allOf(first, second, third).get(2, TimeUnit.MINUTES);
        }
        int activationA = activation(a);
        assertEquals(activationA, activation(b), "the two snapshotted disks of the server share one activation");
        assertNotEquals(activationA, activation(alone), "another server's disk is activated on its own");
    }

    private static CompletableFuture<Void> snapshot(HcsBlockSource source, String disk) {
        return CompletableFuture.runAsync(() -> {
            try (SourceVolume volume = source.open(VolumeId.parse("hcs:" + sim.projectId + "/" + disk))) {
                volume.createSnapshot("consistent-1");
            }
        });
    }

    private static int activation(String disk) {
        JsonNode snapshots = sim.control("GET", "/volumes/" + disk, null).path("snapshots");
        assertEquals(1, snapshots.size(), "one snapshot of " + disk + ": " + snapshots);
        int n = snapshots.get(0).path("activation").asInt(-1);
        assertNotEquals(-1, n, "the snapshot of " + disk + " is activated: " + snapshots);
        return n;
    }
}
