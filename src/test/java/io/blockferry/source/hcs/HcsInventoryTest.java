package io.blockferry.source.hcs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.blockferry.BlockferryRuntime;
import io.blockferry.demo.Checksums;
import io.blockferry.events.Event;
import io.blockferry.hcssim.HcsSim;
import io.blockferry.inventory.DiskMapping;
import io.blockferry.inventory.InventoryService;
import io.blockferry.inventory.MappedDisk;
import io.blockferry.inventory.ServerMetadata;
import io.blockferry.inventory.hcs.HcsInventories;
import io.blockferry.ops.RecentEvents;
import io.blockferry.schedule.PolicyRunner;
import io.blockferry.target.RecoveryPoint;
import io.blockferry.testing.Await;
import io.blockferry.testing.Beans;
import io.blockferry.testing.TestRuntimes;
import io.blockferry.transport.GenerationAck;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hcs-inventory-poll route against the simulator, in a real runtime: ECS servers and EVS
 * disks polled through the APIG with camel-http (TLS with the simulator's own CA), each disk
 * mapped to its HCS volume id once its LUN is checked on the array, policies selecting HCS
 * servers by tag, their two disks cut at one instant by one array activation, restore metadata
 * on the metadata topic in the OpenStack shape, and the poll's
 * failure modes: an expired token, an APIG answering 500, a disk whose LUN is gone.
 */
class HcsInventoryTest {

    private static final long MiB = 1L << 20;
    private static HcsSim sim;

    @BeforeAll
    static void startSimulator() {
        sim = HcsSim.start();
    }

    @AfterAll
    static void stopSimulator() {
        if (sim != null) {
            sim.close();
        }
    }

    @Test
    void should_poll_hcs_servers_select_them_by_tag_publish_their_metadata_and_survive_poll_failures(
            @TempDir Path data) throws Exception {
        JsonNode web = sim.server("web-1", Map.of("tags", List.of("tier=web"),
                "boot_volume", Map.of("size_bytes", 8 * MiB), "data_volumes", List.of(Map.of("size_bytes", 12 * MiB))));
        JsonNode db = sim.server("db-1", Map.of("tags", List.of("tier=db"), "boot_volume", Map.of("size_bytes", 8 * MiB)));
        String webId = web.path("server").path("id").asText();
        String dbId = db.path("server").path("id").asText();
        String boot = web.path("volumes").get(0).path("id").asText();
        String data1 = web.path("volumes").get(1).path("id").asText();
        sim.writeOp(boot, Map.of("offset", 0, "length", 2 * MiB, "pattern", Map.of("seed", 11)));
        sim.writeOp(data1, Map.of("offset", 5 * MiB, "length", 3 * MiB, "pattern", Map.of("seed", 12)));

        // HCS leaves its array snapshots unactivated [I]: Blockferry activates a server's disks together
        sim.settings(Map.of("auto_activate", false));
        Path policies = data.resolve("policies.yaml");
        Files.writeString(policies, "policies:\n  - name: web\n    schedule: \"0 0 3 1 1 ? 2099\"\n"
                + "    select: {servers: {tags: [\"tier=web\"]}}\n");
        Map<String, String> keys = new HashMap<>(SimBackend.keys(sim));
        keys.put("blockferry.ceph.enabled", "false");
        keys.put("blockferry.policies.file", policies.toString());
        keys.put("blockferry.hcs.inventory-interval", "1s");
        try (BlockferryRuntime runtime = TestRuntimes.start(data, keys)) {
            InventoryService inventory = Beans.of(runtime, "hcsInventories", HcsInventories.class).all().get(0).service();
            Await.until(() -> inventory.current().servers().size(), n -> n == 2, Duration.ofSeconds(60),
                    "the HCS inventory with web-1 and db-1");
            assertTrue(inventory.current().server(sim.proxyServerId).isEmpty(), "the proxy itself is not inventoried");

            // the disks, boot first, as the volume ids the HCS source syncs
            DiskMapping mapping = inventory.mapping();
            List<String> specs = mapping.disksOf(webId).stream().map(MappedDisk::imageSpec).toList();
            assertEquals(List.of(id(boot), id(data1)), specs, "web-1's disks: " + mapping);
            assertTrue(mapping.disksOf(webId).get(0).bootable());

            // restore metadata in the same shape as OpenStack's, on the metadata topic
            ServerMetadata metadata = Await.until(() -> Beans.serverMetadata(runtime).latest(webId).map(v -> v.metadata()).orElse(null),
                    m -> m != null, Duration.ofSeconds(60), "web-1's metadata on the metadata topic");
            assertEquals("web-1", metadata.name());
            assertEquals(List.of(id(boot), id(data1)), metadata.disks().stream().map(ServerMetadata.Disk::imageSpec)
                    .toList());
            assertEquals(List.of("tier=web"), metadata.tags());
            assertEquals("s3.large.2", metadata.flavor().name());
            assertFalse(metadata.ports().isEmpty(), "the server's NIC: " + metadata);

            // a policy selects the server by tag: both of its disks, and not db-1's
            CompletableFuture<GenerationAck> bootAck = Beans.ackOf(runtime, id(boot), 1);
            CompletableFuture<GenerationAck> dataAck = Beans.ackOf(runtime, id(data1), 1);
            PolicyRunner.RunSummary run = Beans.of(runtime, "policyRunner", PolicyRunner.class).runNow("web", null);
            assertEquals(2, run.queued(), "the policy selects web-1's two disks: " + run);
            assertEquals("FULL", bootAck.get(3, TimeUnit.MINUTES).mode());
            assertEquals("FULL", dataAck.get(3, TimeUnit.MINUTES).mode());
            String bootSnapshot = assertReplicaIsTheSnapshot(runtime, data, boot);
            String dataSnapshot = assertReplicaIsTheSnapshot(runtime, data, data1);
            // one activate call froze both disks: the server's point is consistent across its disks
            int bootActivation = activation(boot, bootSnapshot);
            assertTrue(bootActivation > 0, "the boot disk's snapshot was activated");
            assertEquals(bootActivation, activation(data1, dataSnapshot),
                    "web-1's two disks were cut at the same instant, by one activation");

            // an expired IAM token: the poll logs in again and goes on
            long polled = inventory.status().polledAtMillis();
            sim.control("POST", "/iam/tokens/expire", Map.of());
            Await.until(inventory::status, s -> s.polledAtMillis() > polled && s.consecutiveFailures() == 0,
                    Duration.ofSeconds(60), "a poll after the token expired");

            // the APIG answers 500: an event names it, the last good inventory stays
            sim.control("POST", "/faults", Map.of("kind", "http_error", "status", 500, "op", "ecs.servers.list",
                    "count", -1));
            Await.until(inventory::status, s -> s.consecutiveFailures() > 0, Duration.ofSeconds(60),
                    "a failed poll");
            Event failed = Await.until(() -> events(runtime).stream().filter(e -> e.type().equals("inventory-poll-failed"))
                    .findFirst().orElse(null), e -> e != null, Duration.ofSeconds(30), "an inventory-poll-failed event");
            assertTrue(failed.message().contains("HTTP 500") && failed.message().contains("servers"), failed.message());
            assertEquals(2, inventory.current().servers().size(), "the last good inventory is kept");
            sim.control("DELETE", "/faults", null);
            Await.until(inventory::status, s -> s.consecutiveFailures() == 0, Duration.ofSeconds(60),
                    "a good poll after the APIG recovered");

            // a new server whose disk's LUN the array does not find is skipped, with the check's message,
            // and synced again once the array finds it
            sim.control("POST", "/faults", Map.of("kind", "dorado_error", "op", "lun", "code", 1077936859,
                    "description", "The LUN does not exist.", "count", -1));
            JsonNode late = sim.server("late-1", Map.of("tags", List.of("tier=db"),
                    "boot_volume", Map.of("size_bytes", 8 * MiB)));
            String lateId = late.path("server").path("id").asText();
            String lateDisk = late.path("volumes").get(0).path("id").asText();
            Event skip = Await.until(() -> events(runtime).stream().filter(e -> e.type().equals("inventory-skip")
                    && "volume-lun-unverified".equals(e.cause())).findFirst().orElse(null), e -> e != null,
                    Duration.ofSeconds(60), "a volume-lun-unverified skip of late-1's disk");
            assertTrue(skip.message().contains(lateDisk) && skip.message().contains("LUN"), skip.message());
            assertTrue(inventory.mapping().disksOf(lateId).isEmpty(), "late-1's disk is not synced");
            assertEquals(1, inventory.mapping().disksOf(dbId).size(), "db-1's disk, checked before, still is");
            sim.control("DELETE", "/faults", null);
            Await.until(() -> inventory.mapping().disksOf(lateId).stream().map(MappedDisk::imageSpec).toList(),
                    l -> l.equals(List.of(id(lateDisk))), Duration.ofSeconds(60), "late-1's disk mapped once checked");

            for (Event e : events(runtime)) {
                assertFalse(e.message().contains(sim.iamPassword) || e.message().contains(sim.doradoPassword),
                        "no password in an event: " + e);
            }
        }
    }

    private static String id(String volume) {
        return "hcs:" + sim.projectId + "/" + volume;
    }

    private static String lunId(String volume) throws Exception {
        JsonNode detail = sim.evs("GET", "/v2/{p}/cloudvolumes/" + volume, null).json().path("volume");
        return HcsSim.JSON.readTree(detail.path("os-volume-replication:driver_data").asText()).path("lun_id").asText();
    }

    private static List<Event> events(BlockferryRuntime runtime) {
        return Beans.of(runtime, "recentEvents", RecentEvents.class).recent(null, null);
    }

    /** The simulator's number of the activate call that froze a snapshot (control plane only). */
    private static int activation(String volume, String snapshotId) {
        for (JsonNode s : sim.control("GET", "/volumes/" + volume, null).path("snapshots")) {
            if (s.path("id").asText().equals(snapshotId)) {
                return s.path("activation").asInt(-1);
            }
        }
        throw new AssertionError("no snapshot " + snapshotId + " of " + volume);
    }

    /** @return the EVS snapshot id of the volume's first point */
    private static String assertReplicaIsTheSnapshot(BlockferryRuntime runtime, Path data, String volume)
            throws Exception {
        String volumeId = id(volume);
        RecoveryPoint p = Await.until(() -> Beans.writer(runtime).catalog().points(volumeId), l -> !l.isEmpty()
                && l.get(0).committed(), Duration.ofMinutes(2), "the first point of " + volumeId).get(0);
        JsonNode list = sim.evs("GET", "/v2/{p}/cloudsnapshots/detail?volume_id=" + volume, null).json();
        String snapshot = null;
        for (JsonNode s : list.path("snapshots")) {
            if (s.path("name").asText().equals(p.snapshot())) {
                snapshot = s.path("id").asText();
            }
        }
        Path replica = data.resolve("repository").resolve(URLEncoder.encode(volumeId, StandardCharsets.UTF_8))
                .resolve("replica.img");
        assertEquals(sim.sha("snapshots", snapshot), Checksums.sha256(replica), "the replica of " + volumeId);
        return snapshot;
    }
}
