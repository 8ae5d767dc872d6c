package io.blockferry.source.hcs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.blockferry.BlockferryRuntime;
import io.blockferry.demo.Checksums;
import io.blockferry.events.Event;
import io.blockferry.hcssim.HcsSim;
import io.blockferry.ops.RecentEvents;
import io.blockferry.schedule.PolicyRunner;
import io.blockferry.source.BlockReader;
import io.blockferry.source.SourceVolume;
import io.blockferry.source.SyncRequest;
import io.blockferry.source.VolumeId;
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
 * HCS end to end through a real runtime (embedded Kafka, the target, the planner, the policies):
 * a server's two disks on the simulator, one with holes and one whose size is not a multiple of
 * the array's 64 KiB bitmap chunk, synced in full, then incrementally, then after the array lost
 * a base snapshot and after a disk was extended. Every replica's SHA-256 is compared with the
 * simulator's own checksum of the snapshot's bytes.
 */
class HcsEndToEndTest {

    private static final long MiB = 1L << 20;
    /** Not a multiple of the 64 KiB chunk (nor of 1 MiB): the last chunk is partial. */
    private static final long ODD_SIZE = 20 * MiB + 4608;
    private static final long HOLEY_SIZE = 48 * MiB;

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
    void should_replicate_a_servers_two_disks_bit_identically_full_incremental_and_after_chain_breaks(
            @TempDir Path data) throws Exception {
        JsonNode server = sim.server("app-1", Map.of("boot_volume", Map.of("size_bytes", 16 * MiB),
                "data_volumes", List.of(Map.of("size_bytes", HOLEY_SIZE), Map.of("size_bytes", ODD_SIZE))));
        String holey = server.path("volumes").get(1).path("id").asText();
        String odd = server.path("volumes").get(2).path("id").asText();
        // disk one: written at its start and near 40 MiB, never between; disk two: all of it, up to its last byte
        sim.writeOp(holey, Map.of("offset", 0, "length", MiB, "pattern", Map.of("seed", 1)));
        sim.writeOp(holey, Map.of("offset", 40 * MiB, "length", 2 * MiB, "pattern", Map.of("seed", 2)));
        sim.writeOp(odd, Map.of("offset", 0, "length", ODD_SIZE, "pattern", Map.of("seed", 3)));
        String holeyId = id(holey);
        String oddId = id(odd);

        // a crash of an earlier run left a temporary disk attached to the proxy
        try (SourceVolume volume = new HcsBlockSource(SimBackend.settings(sim)).open(VolumeId.parse(holeyId))) {
            volume.createSnapshot("foreign-before-blockferry");
            BlockReader leftBehind = volume.readerAt("foreign-before-blockferry");
            assertEquals(48 * MiB, leftBehind.size());
        }
        assertEquals(1, temporaryDisks());

        Path policies = data.resolve("policies.yaml");
        Files.writeString(policies, "policies:\n  - name: hcs-app\n    schedule: \"0 0 3 1 1 ? 2099\"\n"
                + "    select: {volumes: [\"" + holeyId + "\", \"" + oddId + "\"]}\n");
        Map<String, String> keys = new HashMap<>(SimBackend.keys(sim));
        keys.put("blockferry.ceph.enabled", "false");
        keys.put("blockferry.policies.file", policies.toString());
        try (BlockferryRuntime runtime = TestRuntimes.start(data, keys)) {
            assertEquals(0, temporaryDisks(), "the start removed the leftover temporary disk");
            assertTrue(events(runtime, null).stream().anyMatch(e -> e.type().equals("leftovers-removed")
                    && e.message().contains(TemporaryDisk.NAME_PREFIX)), "and said so: " + events(runtime, null));

            CompletableFuture<GenerationAck> first = Beans.ackOf(runtime, holeyId, 1);
            CompletableFuture<GenerationAck> second = Beans.ackOf(runtime, oddId, 1);
            PolicyRunner.RunSummary run = Beans.of(runtime, "policyRunner", PolicyRunner.class).runNow("hcs-app", null);
            assertEquals(2, run.queued(), "the policy selects both HCS disks: " + run);
            assertEquals("FULL", first.get(3, TimeUnit.MINUTES).mode());
            assertEquals("FULL", second.get(3, TimeUnit.MINUTES).mode());
            assertReplicaIsTheSnapshot(runtime, data, holeyId, holey, 1);
            assertReplicaIsTheSnapshot(runtime, data, oddId, odd, 1);

            sim.writeOp(holey, Map.of("offset", 41 * MiB, "length", 512 << 10, "pattern", Map.of("seed", 4)));
            sim.writeOp(holey, Map.of("offset", 0, "length", 64 << 10, "zero", true));
            sim.writeOp(odd, Map.of("offset", ODD_SIZE - 4608, "length", 4608, "pattern", Map.of("seed", 5)));
            first = Beans.ackOf(runtime, holeyId, 2);
            second = Beans.ackOf(runtime, oddId, 2);
            runtime.sync(SyncRequest.incremental(holeyId, "test"));
            runtime.sync(SyncRequest.incremental(oddId, "test"));
            assertEquals("INCREMENTAL", first.get(3, TimeUnit.MINUTES).mode());
            assertEquals("INCREMENTAL", second.get(3, TimeUnit.MINUTES).mode(), "the partial last chunk too");
            assertReplicaIsTheSnapshot(runtime, data, holeyId, holey, 2);
            assertReplicaIsTheSnapshot(runtime, data, oddId, odd, 2);

            // the array loses the base snapshot behind HCS's back: the bitmap call fails, and a checksum
            // resync on the target's point 2 follows (an incremental of the chunks that differ)
            String baseName = points(runtime, holeyId).get(1).snapshot();
            io.blockferry.testing.Synced.awaitTargetSums(runtime, holeyId, HOLEY_SIZE, 2, Duration.ofMinutes(2));
            sim.control("DELETE", "/luns/" + lunOf(holey, baseName), null);
            sim.writeOp(holey, Map.of("offset", 10 * MiB, "length", MiB, "pattern", Map.of("seed", 6)));
            try {
                runtime.sync(SyncRequest.incremental(holeyId, "test"));
            } catch (RuntimeException expected) {
                // the sync fails; the chain break and its resync are what matter
            }
            RecoveryPoint resynced = awaitPoint(runtime, holeyId, 3);
            assertEquals("INCREMENTAL", resynced.mode());
            assertEquals(baseName, resynced.baseSnapshot());
            assertTrue(events(runtime, holeyId).stream().anyMatch(e -> e.type().equals("chain-break")
                    && "base-snapshot-missing".equals(e.cause())), "a chain-break event: " + events(runtime, holeyId));
            assertReplicaIsTheSnapshot(runtime, data, holeyId, holey, 3);

            // the second disk is extended: the size check breaks the chain, the full resync has the new size
            sim.control("POST", "/volumes/" + odd + "/extend", Map.of("size_bytes", ODD_SIZE + 3 * MiB));
            sim.writeOp(odd, Map.of("offset", ODD_SIZE + MiB, "length", MiB, "pattern", Map.of("seed", 7)));
            CompletableFuture<GenerationAck> grown = Beans.ackOf(runtime, oddId, 3);
            runtime.sync(SyncRequest.incremental(oddId, "test"));
            GenerationAck ack = grown.get(3, TimeUnit.MINUTES);
            assertEquals("FULL", ack.mode());
            assertTrue(events(runtime, oddId).stream().anyMatch(e -> e.type().equals("chain-break")
                    && "volume-resized".equals(e.cause())), "a chain-break event: " + events(runtime, oddId));
            assertReplicaIsTheSnapshot(runtime, data, oddId, odd, 3);
            assertEquals(ODD_SIZE + 3 * MiB, Files.size(replica(data, oddId)));

            Await.until(HcsEndToEndTest::temporaryDisks, n -> n == 0, Duration.ofSeconds(60),
                    "every temporary disk removed after its sync");
            for (Event e : events(runtime, null)) {
                assertTrue(!e.message().contains(sim.iamPassword) && !e.message().contains(sim.doradoPassword),
                        "no password in an event: " + e);
            }
        }
    }

    private static String id(String volume) {
        return "hcs:" + sim.projectId + "/" + volume;
    }

    private static int temporaryDisks() {
        return sim.control("GET", "/temporary-disks", null).path("volumes").size();
    }

    private static List<Event> events(BlockferryRuntime runtime, String volumeId) {
        return Beans.of(runtime, "recentEvents", RecentEvents.class).recent(null, volumeId);
    }

    private static List<RecoveryPoint> points(BlockferryRuntime runtime, String volumeId) {
        return Beans.writer(runtime).catalog().points(volumeId);
    }

    private static RecoveryPoint awaitPoint(BlockferryRuntime runtime, String volumeId, int count) {
        List<RecoveryPoint> points = Await.until(() -> points(runtime, volumeId), p -> p.size() >= count
                && p.get(count - 1).committed(), Duration.ofMinutes(3), count + " points of " + volumeId);
        return points.get(count - 1);
    }

    private static Path replica(Path data, String volumeId) {
        return data.resolve("repository").resolve(URLEncoder.encode(volumeId, StandardCharsets.UTF_8))
                .resolve("replica.img");
    }

    /** The replica's SHA-256 is the simulator's checksum of the bytes of the point's EVS snapshot. */
    private static void assertReplicaIsTheSnapshot(BlockferryRuntime runtime, Path data, String volumeId,
                                                   String volume, int point) throws Exception {
        RecoveryPoint p = awaitPoint(runtime, volumeId, point);
        String snapshot = snapshotId(volume, p.snapshot());
        assertEquals(sim.sha("snapshots", snapshot), Checksums.sha256(replica(data, volumeId)),
                "the replica of " + volumeId + " is bit-identical to snapshot " + p.snapshot());
    }

    private static String snapshotId(String volume, String name) {
        JsonNode list = sim.evs("GET", "/v2/{p}/cloudsnapshots/detail?volume_id=" + volume, null).json();
        for (JsonNode s : list.path("snapshots")) {
            if (s.path("name").asText().equals(name)) {
                return s.path("id").asText();
            }
        }
        throw new AssertionError("no snapshot " + name + " of " + volume + ": " + list);
    }

    private static String lunOf(String volume, String snapshotName) {
        String id = snapshotId(volume, snapshotName);
        for (JsonNode s : sim.control("GET", "/volumes/" + volume, null).path("snapshots")) {
            if (s.path("id").asText().equals(id)) {
                return s.path("lun_id").asText();
            }
        }
        throw new AssertionError("no array snapshot of " + snapshotName);
    }
}
