package io.blockferry.source.hcs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.blockferry.BlockferryRuntime;
import io.blockferry.changedblock.Extent;
import io.blockferry.demo.Checksums;
import io.blockferry.hcssim.HcsSim;
import io.blockferry.source.ChangedBlocks;
import io.blockferry.source.SourceVolume;
import io.blockferry.source.SyncRequest;
import io.blockferry.source.VolumeId;
import io.blockferry.testing.Beans;
import io.blockferry.testing.TestRuntimes;
import io.blockferry.transport.GenerationAck;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HCS figures of BENCHMARKS.md, measured only when asked for (they take minutes and want the
 * machine to themselves): {@code ./mvnw -B -o -q test -Dtest=HcsBenchmarkTest -Dblockferry.hcs.bench=true};
 * the figures are printed to the test's output. Each still checks its result.
 */
class HcsBenchmarkTest {

    private static final long MiB = 1L << 20;
    private static final long CHUNK = 64 << 10;
    private static HcsSim sim;

    @BeforeAll
    static void startSimulator() {
        assumeTrue(Boolean.getBoolean("blockferry.hcs.bench"), "set -Dblockferry.hcs.bench=true to measure");
        sim = HcsSim.start(Map.of("job_run_seconds", 0.15));
    }

    @AfterAll
    static void stopSimulator() {
        if (sim != null) {
            sim.close();
        }
    }

    @Test
    void listing_the_changes_of_a_2_tib_lun_with_1_percent_changed() {
        long size = 2L << 40;
        long chunks = size / CHUNK;
        long stride = 100;
        long count = chunks / stride;
        String disk = sim.volume(size, Map.of("name", "bench-2t")).path("id").asText();
        VolumeId id = new VolumeId("hcs", sim.projectId, disk);
        HcsBlockSource source = new HcsBlockSource(SimBackend.settings(sim));
        try (SourceVolume volume = source.open(id)) {
            // the base: 1% of the chunks written; then another 1%, half a stride away (so none share a chunk)
            sim.writeOp(disk, Map.of("offset", 0, "length", 4096, "pattern", Map.of("seed", 1),
                    "repeat", Map.of("stride", stride * CHUNK, "count", count)));
            volume.createSnapshot("base");
            sim.writeOp(disk, Map.of("offset", stride / 2 * CHUNK, "length", 4096, "pattern", Map.of("seed", 2),
                    "repeat", Map.of("stride", stride * CHUNK, "count", count)));
            volume.createSnapshot("next");
            long started = System.nanoTime();
            long extents = 0;
            long bytes = 0;
            try (ChangedBlocks changed = volume.changes("base", "next")) {
                while (changed.hasNext()) {
                    Extent e = changed.next();
                    extents++;
                    bytes += e.length();
                }
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            assertEquals(count * CHUNK, bytes, "exactly the changed chunks");
            System.out.printf("HCS bench: changed blocks of a 2 TiB LUN, %d of %d chunks changed: %d extents, %d "
                    + "get_unshared calls of 256 MiB, %.2f s (%.2f ms a call)%n", count, chunks, extents,
                    size / (256 * MiB), seconds, seconds * 1000 / (size / (256 * MiB)));
        }
    }

    @Test
    void a_2_gib_full_sync_end_to_end(@TempDir Path data) throws Exception {
        long size = 2048 * MiB;
        String disk = sim.volume(size, Map.of("name", "bench-2g")).path("id").asText();
        sim.writeOp(disk, Map.of("offset", 0, "length", size, "pattern", Map.of("seed", 3)));
        String id = "hcs:" + sim.projectId + "/" + disk;
        Map<String, String> keys = new HashMap<>(SimBackend.keys(sim));
        keys.put("blockferry.ceph.enabled", "false");
        try (BlockferryRuntime runtime = TestRuntimes.start(data, keys)) {
            CompletableFuture<GenerationAck> acked = Beans.ackOf(runtime, id, 1);
            long started = System.nanoTime();
            runtime.sync(SyncRequest.full(id, "bench"));
            GenerationAck ack = acked.get(20, TimeUnit.MINUTES);
            double seconds = (System.nanoTime() - started) / 1e9;
            assertEquals("FULL", ack.mode());
            String snapshot = Beans.writer(runtime).catalog().points(id).get(0).snapshot();
            String snapshotId = sim.evs("GET", "/v2/{p}/cloudsnapshots/detail?volume_id=" + disk, null).json()
                    .path("snapshots").findValues("id").stream().map(n -> n.asText()).filter(s -> sim.evs("GET",
                            "/v2/{p}/cloudsnapshots/" + s, null).json().path("snapshot").path("name").asText()
                            .equals(snapshot)).findFirst().orElseThrow();
            Path replica = data.resolve("repository").resolve(URLEncoder.encode(id, StandardCharsets.UTF_8))
                    .resolve("replica.img");
            assertEquals(sim.sha("snapshots", snapshotId), Checksums.sha256(replica), "bit-identical");
            System.out.printf("HCS bench: full sync of a 2 GiB disk from the simulator, snapshot to ack: %.1f s, "
                    + "%.0f MiB/s%n", seconds, 2048 / seconds);
        }
    }
}
