package io.blockferry.target.rbd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.blockferry.ceph.CephCluster;
import io.blockferry.target.RbdDiffWriter;
import io.blockferry.target.Replica;
import io.blockferry.target.ReplicaContract;
import io.blockferry.testing.DrCeph;
import io.blockferry.transport.Sha256;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The DR replica on the second Ceph cluster of scripts/ceph-dev.sh --cluster dr passes the replica
 * contract, keeps a snapshot per point that the stock rbd CLI exports bit-identical, forgets the
 * snapshots of removed points, and survives a kill -9 in the middle of an apply.
 */
@Tag("cluster")
class RbdReplicaTest extends ReplicaContract {

    private static final int MiB = 1 << 20;
    private static CephCluster dr;

    @BeforeAll
    static void connect() {
        dr = CephCluster.connect(DrCeph.writerSettings());
    }

    @AfterAll
    static void disconnect() {
        dr.close();
    }

    @Override
    protected Replica newReplica(String volumeId) {
        removeImagesOf(volumeId);
        return new RbdReplica(dr, DrCeph.VOLUMES, volumeId, 4, 64 << 10);
    }

    private static void removeImagesOf(String volumeId) {
        String base = RbdReplica.imageBase(volumeId) + ".g";
        for (String image : DrCeph.images(DrCeph.VOLUMES)) {
            if (image.startsWith(base)) {
                DrCeph.removeImage(DrCeph.VOLUMES, image);
            }
        }
    }

    private static List<String> imagesOf(String volumeId) {
        String base = RbdReplica.imageBase(volumeId) + ".g";
        return DrCeph.images(DrCeph.VOLUMES).stream().filter(i -> i.startsWith(base)).sorted().toList();
    }

    @Test
    void should_keep_a_snapshot_of_every_point_equal_to_that_point() throws Exception {
        String volume = "volumes/dr-points";
        RbdReplica replica = (RbdReplica) newReplica(volume);
        Random random = new Random(5);
        byte[] image = new byte[24 * MiB];
        random.nextBytes(image);
        java.util.Arrays.fill(image, 8 * MiB, 12 * MiB, (byte) 0); // never written: a hole
        try (Replica.FullBuild build = replica.build(1, image.length)) {
            build.write(0, ByteBuffer.wrap(image, 0, 8 * MiB));
            build.write(12L * MiB, ByteBuffer.wrap(image, 12 * MiB, 12 * MiB));
            build.force();
        }
        replica.install(1);
        List<String> sums = new ArrayList<>(List.of(sha256(image)));

        // two incrementals: data across object boundaries, a trim, a growth
        byte[] g2 = image.clone();
        Path diff2 = dir.resolve("g2.rbddiff");
        try (RbdDiffWriter w = RbdDiffWriter.create(diff2, "s1", "s2", g2.length)) {
            w.data(3L * MiB + 512, patch(g2, random, 3 * MiB + 512, 2 * MiB));
            w.zero(16L * MiB, 4L * MiB);
            java.util.Arrays.fill(g2, 16 * MiB, 20 * MiB, (byte) 0);
            w.end();
        }
        replica.apply(2, diff2);
        sums.add(sha256(g2));
        byte[] g3 = java.util.Arrays.copyOf(g2, 28 * MiB);
        Path diff3 = dir.resolve("g3.rbddiff");
        try (RbdDiffWriter w = RbdDiffWriter.create(diff3, "s2", "s3", g3.length)) {
            w.data(0, patch(g3, random, 0, 4096));
            w.data(26L * MiB, patch(g3, random, 26 * MiB, MiB));
            w.end();
        }
        replica.apply(3, diff3);
        sums.add(sha256(g3));

        String name = RbdReplica.imageBase(volume) + ".g1";
        assertEquals(List.of(name), imagesOf(volume), "one image since the full point, no build left over");
        assertEquals(List.of("blockferry-g1", "blockferry-g2", "blockferry-g3"), DrCeph.snapshots(DrCeph.VOLUMES, name));
        for (int g = 1; g <= 3; g++) {
            assertEquals(sums.get(g - 1), DrCeph.exportSha256(DrCeph.VOLUMES, name, RbdReplica.snapshotName(g)),
                    "rbd export of DR snapshot " + g + " is that point, bit for bit");
            assertEquals(java.util.Optional.of(DrCeph.VOLUMES + "/" + name + "@blockferry-g" + g), replica.pointSnapshot(g));
        }
        assertEquals(sums.get(2), DrCeph.exportSha256(DrCeph.VOLUMES, name, null), "the head is the newest point");

        // a new full point: an image of its own; the old one stays with its snapshots until they are forgotten
        try (Replica.FullBuild build = replica.build(4, 4 * MiB)) {
            build.write(0, ByteBuffer.wrap(image, 0, 4 * MiB));
            build.force();
        }
        replica.install(4);
        String second = RbdReplica.imageBase(volume) + ".g4";
        assertEquals(List.of(name, second), imagesOf(volume));
        assertEquals(4L * MiB, replica.reader().size(), "the replica read is the newest full point's image");
        replica.forgetBefore(3);
        assertEquals(List.of("blockferry-g3"), DrCeph.snapshots(DrCeph.VOLUMES, name), "the removed points' snapshots are gone");
        replica.forgetBefore(3);
        assertEquals(List.of("blockferry-g3"), DrCeph.snapshots(DrCeph.VOLUMES, name), "forgetting again changes nothing");
        replica.forgetBefore(4);
        assertEquals(List.of(second), imagesOf(volume), "an old image with no point left is removed");
        assertEquals(List.of("blockferry-g4"), DrCeph.snapshots(DrCeph.VOLUMES, second));
        removeImagesOf(volume);
    }

    @Test
    void should_end_bit_identical_after_a_kill_in_the_middle_of_an_apply() throws Exception {
        String volume = "volumes/dr-killed";
        RbdReplica replica = (RbdReplica) newReplica(volume);
        Random random = new Random(9);
        byte[] g1 = new byte[32 * MiB];
        random.nextBytes(g1);
        installFull(replica, g1.length, g1);
        byte[] g2 = g1.clone();
        Path diff = dir.resolve("g2.rbddiff");
        try (RbdDiffWriter w = RbdDiffWriter.create(diff, "s1", "s2", g2.length)) {
            w.data(MiB, patch(g2, random, MiB, 3 * MiB));
            w.data(9L * MiB, patch(g2, random, 9 * MiB, 6 * MiB));
            w.zero(20L * MiB, 2L * MiB);
            java.util.Arrays.fill(g2, 20 * MiB, 22 * MiB, (byte) 0);
            w.data(30L * MiB, patch(g2, random, 30 * MiB, MiB));
            w.end();
        }

        // another JVM applies it and halts at the crash point, as a kill -9 in the middle would leave it
        Process child = new ProcessBuilder(javaCommand(volume, diff)).redirectErrorStream(true).start();
        String output = new String(child.getInputStream().readAllBytes());
        assertTrue(child.waitFor(120, TimeUnit.SECONDS));
        assertEquals(137, child.exitValue(), "the applying process halted at its crash point: " + output);

        String name = RbdReplica.imageBase(volume) + ".g1";
        assertEquals(List.of("blockferry-g1"), DrCeph.snapshots(DrCeph.VOLUMES, name),
                "a half-applied point has no snapshot: it is never visible as a recovery point on the DR site");
        String head = DrCeph.exportSha256(DrCeph.VOLUMES, name, null);
        assertNotEquals(sha256(g1), head, "the first extent was written before the kill");
        assertNotEquals(sha256(g2), head, "the rest was not");
        assertEquals(sha256(g1), DrCeph.exportSha256(DrCeph.VOLUMES, name, "blockferry-g1"), "point 1 is untouched");

        replica.apply(2, diff); // what the writer does at its next start for a point left APPLYING
        assertEquals(sha256(g2), DrCeph.exportSha256(DrCeph.VOLUMES, name, "blockferry-g2"));
        assertEquals(sha256(g2), DrCeph.exportSha256(DrCeph.VOLUMES, name, null));
        assertFalse(replica.hasBuild(2));
        removeImagesOf(volume);
    }

    /** Applies one diff to the DR replica of a volume: the process the crash test kills. */
    public static void main(String[] args) throws Exception {
        try (CephCluster cluster = CephCluster.connect(DrCeph.writerSettings())) {
            new RbdReplica(cluster, DrCeph.VOLUMES, args[0], 4, 256 << 10).apply(Long.parseLong(args[1]), Path.of(args[2]));
        }
        System.out.println("applied without reaching the crash point");
    }

    private static List<String> javaCommand(String volume, Path diff) {
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dblockferry.crash-at=target.mid-replica-apply", "-cp", System.getProperty("java.class.path"),
                RbdReplicaTest.class.getName(), volume, "2", diff.toString());
    }

    /** Random bytes put into {@code image} at {@code offset}, and returned for the diff. */
    private static byte[] patch(byte[] image, Random random, int offset, int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        System.arraycopy(bytes, 0, image, offset, length);
        return bytes;
    }

    private static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(Sha256.create().digest(bytes));
    }
}
