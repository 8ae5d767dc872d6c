package io.blockferry.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import io.blockferry.target.rbd.RbdReplica;
import io.blockferry.testing.BlockferryProcess;
import io.blockferry.testing.DrCeph;
import io.blockferry.testing.LocalCeph;
import io.blockferry.testing.TestImage;
import io.blockferry.transport.EmbeddedKafkaBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Blockferry with its replicas on the DR Ceph cluster (blockferry.target.replica=rbd), syncing
 * volumes of the primary cluster: every committed point is a DR snapshot that the stock rbd CLI
 * exports bit-identical to the source snapshot of that generation; retention removes the
 * snapshots of pruned points and the image a full resync left behind; a kill -9 in the middle of
 * an apply leaves no snapshot of the half-applied point, and the restarted writer finishes it.
 */
@Tag("cluster")
class DrReplicaSyncTest {

    private static final int MiB = 1 << 20;
    private static final Duration SETTLE = Duration.ofSeconds(180);

    /** Generation -> SHA-256 of the source snapshot of that generation, per volume, as each was synced. */
    private final Map<String, Map<Long, String>> sourceSums = new HashMap<>();

    @Test
    void should_keep_a_bit_identical_dr_snapshot_of_every_point(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start(dir.resolve("kafka"), 0, 0, 5 << 20);
             TestImage a = new TestImage("volumes", "it-dr-a", 40L * MiB, 11);
             TestImage b = new TestImage("volumes", "it-dr-b", 24L * MiB, 12)) {
            List<TestImage> both = List.of(a, b);
            both.forEach(i -> removeDrImages(i.volumeId()));
            a.writeRandom(0, 20 * MiB);
            b.writeRandom(4L * MiB, 8 * MiB);
            try (BlockferryProcess p = start(data, kafka, null)) {
                for (TestImage image : both) {
                    p.requestSync(image.volumeId(), "full", SETTLE);
                }
                for (TestImage image : both) {
                    settleAndCheck(p, image, 1);
                }
                for (long generation = 2; generation <= 3; generation++) {
                    a.writeRandom(3L * MiB + 4096, 2 * MiB);
                    a.writeZeros(8 * MiB, MiB);
                    b.writeRandom(20L * MiB, MiB);
                    for (TestImage image : both) {
                        p.requestSync(image.volumeId(), "incremental", SETTLE);
                    }
                    for (TestImage image : both) {
                        settleAndCheck(p, image, generation);
                    }
                }
                assertEquals(List.of(2L, 3L), BlockferryProcess.generations(p.points(a.volumeId())), "keep-points 2");
                assertEquals(List.of("blockferry-g2", "blockferry-g3"), drSnapshots(a.volumeId()),
                        "the pruned point's DR snapshot is gone with it");
            }

            // killed with the first extent of generation 4 applied to the DR image
            a.writeRandom(MiB, MiB);
            a.writeRandom(30L * MiB, 4 * MiB);
            try (BlockferryProcess crashed = start(data, kafka, "target.mid-replica-apply")) {
                crashed.requestSync(a.volumeId(), "incremental", SETTLE);
                assertEquals(137, crashed.awaitExit(SETTLE), "halted mid-apply: " + crashed.logTail());
            }
            assertFalse(drSnapshots(a.volumeId()).contains("blockferry-g4"), "a half-applied point is never a DR snapshot");
            try (BlockferryProcess restarted = start(data, kafka, null)) {
                settleAndCheck(restarted, a, 4);
                List<Long> points = BlockferryProcess.generations(restarted.points(a.volumeId()));
                // the point finished at start is pruned after at the next commit
                assertEquals(List.of(3L, 4L), points.subList(points.size() - 2, points.size()),
                        "no point lost or made twice: " + points);

                // a full resync starts an image of its own; the old one goes once retention removed its points
                restarted.requestSync(a.volumeId(), "full", SETTLE);
                settleAndCheck(restarted, a, 5);
                String base = RbdReplica.imageBase(a.volumeId());
                assertEquals(List.of(base + ".g1", base + ".g5"), drImages(a.volumeId()));
                a.writeRandom(12L * MiB, MiB);
                restarted.requestSync(a.volumeId(), "incremental", SETTLE);
                settleAndCheck(restarted, a, 6);
                assertEquals(List.of(base + ".g5"), drImages(a.volumeId()), "the image of the removed points is gone");
                assertEquals(List.of("blockferry-g5", "blockferry-g6"), drSnapshots(a.volumeId()));
                settleAndCheck(restarted, b, 3);
            }
            both.forEach(i -> removeDrImages(i.volumeId()));
        }
    }

    private static BlockferryProcess start(Path data, EmbeddedKafkaBroker kafka, String crashAt) {
        Map<String, String> settings = Map.of(
                "blockferry.target.replica", "rbd",
                "blockferry.target.dr.conf", DrCeph.conf().toString(),
                "blockferry.target.dr.id", DrCeph.user(),
                "blockferry.target.dr.keyring", DrCeph.keyring().toString(),
                "blockferry.target.dr.pool", DrCeph.VOLUMES,
                "blockferry.target.keep-points", "2",
                "blockferry.target.checkpoint-bytes", "4M",
                "blockferry.source.ack-timeout-seconds", "3600");
        return BlockferryProcess.start(data, kafka.bootstrapServers(), settings, crashAt, "512m");
    }

    /**
     * Waits for the generation, records its source snapshot's sum, and checks every DR snapshot of
     * the volume against the sum of its generation's source snapshot, the newest and the older ones.
     */
    private void settleAndCheck(BlockferryProcess process, TestImage image, long generation) {
        JsonNode volume = process.awaitSettled(image.volumeId(), generation, SETTLE);
        assertEquals(generation, volume.path("baseGeneration").asLong(), "settled at " + generation);
        Map<Long, String> sums = sourceSums.computeIfAbsent(image.volumeId(), v -> new TreeMap<>());
        sums.put(generation, LocalCeph.exportSha256(image.pool, image.name, volume.path("baseSnapshot").asText()));
        List<Long> points = BlockferryProcess.generations(process.points(image.volumeId()));
        List<String> expected = points.stream().map(RbdReplica::snapshotName).toList();
        assertEquals(expected, drSnapshots(image.volumeId()), "one DR snapshot per committed point");
        for (long point : points) {
            assertEquals(sums.get(point), drSha256(image.volumeId(), point), image.volumeId() + ": DR snapshot of point "
                    + point + " against the source snapshot of that generation");
        }
    }

    private static String drSha256(String volumeId, long generation) {
        String snapshot = RbdReplica.snapshotName(generation);
        for (String image : drImages(volumeId)) {
            if (DrCeph.snapshots(DrCeph.VOLUMES, image).contains(snapshot)) {
                return DrCeph.exportSha256(DrCeph.VOLUMES, image, snapshot);
            }
        }
        throw new AssertionError("no DR snapshot " + snapshot + " of " + volumeId + " in " + drImages(volumeId));
    }

    private static List<String> drImages(String volumeId) {
        String prefix = RbdReplica.imageBase(volumeId) + ".g";
        return DrCeph.images(DrCeph.VOLUMES).stream().filter(i -> i.startsWith(prefix)).sorted().toList();
    }

    /** Snapshot names over all the volume's DR images, in generation order. */
    private static List<String> drSnapshots(String volumeId) {
        List<String> all = new ArrayList<>();
        drImages(volumeId).forEach(image -> all.addAll(DrCeph.snapshots(DrCeph.VOLUMES, image)));
        all.sort((x, y) -> Long.compare(Long.parseLong(x.substring(RbdReplica.SNAPSHOT_PREFIX.length())),
                Long.parseLong(y.substring(RbdReplica.SNAPSHOT_PREFIX.length()))));
        return all;
    }

    private static void removeDrImages(String volumeId) {
        drImages(volumeId).forEach(image -> DrCeph.removeImage(DrCeph.VOLUMES, image));
    }
}
